"""A Markdown text read for the model: parsed once, checked, then numbered.

    tokens = markdown.tokens_of(text)        # markdown-it-py, with a time limit
    checks.check(body, …)                    # what it may not hold, with positions
    title, body = headings.take_title(body)  # a leading `#` as the title, where wanted
    headings.number_headings / number_notes  # ids, levels and note numbers for every output
"""

from __future__ import annotations

from ..errors import Diagnostics, SourceLocation
from . import checks, headings, markdown
from .model import Body


def read_body(text: str, source: SourceLocation, scope: markdown.Scope, diags: Diagnostics,
              title_wanted: bool = False) -> tuple[Body, str | None]:
    """The parsed, checked and numbered text, and its title when `title_wanted` finds one."""
    parsed = markdown.tokens_of(text)
    if parsed is None:
        diags.error(source, f"Markdown took more than {markdown.PARSE_SECONDS:g} s to read "
                    "(thousands of `[` or `![` in one paragraph?); split or simplify the text")
        return Body(text, source, scope.unit), None
    tokens, env = parsed
    body = Body(text, source, scope.unit, tuple(tokens))
    errors = len(diags.errors)
    checks.check(body, env.get("footnotes", {}), scope, diags)
    title = None
    if title_wanted:
        title, body = headings.take_title(body)
    if len(diags.errors) == errors:
        headings.number_headings(body, scope, diags)
        headings.number_notes(body, scope)
    return body, title
