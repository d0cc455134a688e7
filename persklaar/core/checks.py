"""What a parsed text may hold, checked token by token, and what the outputs need marked.

Raw HTML is refused (a sanitizer would drop words unseen); links must be http(s),
mailto, or lead inside the publication (`#anchor`, `02-chapter.md`, `02-chapter.md#kop`);
an image must be a file under `content/`; a footnote reference needs its note and a note
its reference. What a printed publication cannot hold is refused with a hint of what to
write instead. Every message names `file:line:col`.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

from ..errors import Diagnostics, SourceLocation
from . import attributes, equations
from .markdown import MAX_DEPTH, Scope, inline_text, is_reference, url_problem, where
from .model import Body
from .syntax import MATH_TOKENS

FIGURE_PREFIX = "fig-"
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_TASK = re.compile(r'^<input class="task-list-item-checkbox"( checked="checked")? '
                   r'disabled="disabled" type="checkbox">$')
_SITE_RELATIVE = ("link {href!r} is relative to some website, which a printed page cannot follow: write the "
                  "full address (https://…), or, for a place in this publication, #anchor or 02-chapter.md")


def check(body: Body, footnotes: dict, scope: Scope, diags: Diagnostics) -> None:
    """Report every problem in a parsed text; mark task boxes and figures on its tokens."""
    for block, token in body.walk():
        _check_token(body, block, token, scope, diags)
    for index, block in enumerate(body.tokens):
        if block.type == "inline":
            attributes.check_balance(body, block, diags)
            opens_quote = index >= 2 and body.tokens[index - 2].type == "blockquote_open"
            attributes.check_leftovers(body, block, diags, opens_quote)
    _check_nesting(body, diags)
    _check_footnotes(body, footnotes, diags)
    _mark_figures(body)


def _check_token(body: Body, block: Token, token: Token, scope: Scope, diags: Diagnostics) -> None:
    kind = token.type
    attributes.check_attributes(body, block, token, diags)
    if kind in ("html_block", "html_inline") and (_task_box(block, token) or attributes.allowed_html(block, token)):
        return
    if kind == "text":
        attributes.check_wiki_links(body, block, token, diags)
    if kind in ("html_block", "html_inline"):
        snippet = token.content.strip().split("\n")[0][:40]
        diags.error(where(body, block, snippet), f"raw HTML is not allowed ({snippet!r}); write Markdown instead")
    elif kind == "link_open":
        _check_link(body, block, str(token.attrGet("href") or ""), diags)
    elif kind == "image":
        _check_image(body, block, token, scope, diags)
    elif kind in MATH_TOKENS:
        equations.convert(body, block, token, diags)
    elif kind == "fence" and token.info.strip() == "table":
        _check_table(body, block, token, scope, diags)


def _task_box(block: Token, token: Token) -> bool:
    """A task list's box (`- [x] done`), which the tasklists plugin writes as an <input>:
    turned into a token of its own, so no HTML of an author's passes for one."""
    match = _TASK.match(token.content) if token.type == "html_inline" else None
    children = block.children or []
    if match is None or not children or children[0] is not token:
        return False
    token.type = "task_box"
    token.meta["done"] = bool(match.group(1))
    token.content = ""
    return True


def _check_link(body: Body, block: Token, href: str, diags: Diagnostics) -> None:
    if is_reference(href):
        return  # resolved (and reported when unknown) once every text is read: core.refs
    problem = url_problem(href)
    if problem is None:
        return
    if problem.startswith("is not allowed") and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href):
        diags.error(where(body, block, href[:20]), _SITE_RELATIVE.format(href=href[:60]))
    else:
        diags.error(where(body, block, href[:20]), f"link {href[:60]!r} {problem}")


def _check_image(body: Body, block: Token, token: Token, scope: Scope, diags: Diagnostics) -> None:
    src = str(token.attrGet("src") or "")
    at = where(body, block, src[:20])
    if not "".join(c.content for c in token.children or ()).strip():
        diags.error(at, "image needs alt text: ![what it shows](file)")
    found = scope.asset(src)
    if isinstance(found, str):
        hint = ("; download it into content/ and write its path" if src.startswith(("http:", "https:", "//"))
                else "")
        diags.error(at, f"image {src[:60]!r} {found}{hint}")
    else:
        token.meta["asset"] = found


def _check_table(body: Body, block: Token, token: Token, scope: Scope, diags: Diagnostics) -> None:
    table_id = token.content.strip()
    if table_id not in scope.table_ids:
        known = ", ".join(sorted(scope.table_ids)) or "none"
        diags.error(where(body, block), f"unknown data table {table_id!r} (known: {known})")
    token.meta["table"] = table_id


def _check_nesting(body: Body, diags: Diagnostics) -> None:
    """Report the first place nested deeper than MAX_DEPTH (quotes, lists, emphasis)."""
    last_mapped: Token | None = None
    for token in body.tokens:
        last_mapped = token if token.map else last_mapped
        depth = token.level + max((c.level for c in token.children or ()), default=0)
        if depth > MAX_DEPTH:
            diags.error(where(body, last_mapped),
                        f"nesting is too deep (more than {MAX_DEPTH} levels of quotes, lists or emphasis)")
            return


def _check_footnotes(body: Body, footnotes: dict, diags: Diagnostics) -> None:
    """`[^x]` without a note stays text in the parser: an error. A note nobody refers to
    would never be printed: an error too. So is a label given two notes (one would be lost)."""
    for block, token in body.walk():
        if token.type == "text":
            for match in _FOOTNOTE_REF.finditer(token.content):
                diags.error(where(body, block, match.group()), f"footnote reference {match.group()} has no note: "
                                                               f"add a line `{match.group()}: the note` to this text")
    for label, first, line in footnotes.get("twice", ()):
        needle = f"[^{label}]:"
        text = body.text.split("\n")[line]
        diags.error(SourceLocation(body.source.path, body.source.line + line, text.find(needle) + 1),
                    f"footnote {needle[:-1]} is defined twice (first on line {body.source.line + first}): "
                    "keep one note, or give this one another label and refer to it")
    for label, index in footnotes.get("refs", {}).items():
        if index == -1:
            needle = f"[^{label.removeprefix(':')}]:"
            line = next((n for n, text in enumerate(body.text.split("\n")) if needle in text), 0)
            diags.error(SourceLocation(body.source.path, body.source.line + line, 1),
                        f"footnote {needle[:-1]} is never referred to: write {needle[:-1]} where it belongs, "
                        "or remove the note")


def _mark_figures(body: Body) -> None:
    """A paragraph holding one image with a title (`![alt](file "Caption")`) is a figure; so is
    one with a `fig-` id (Quarto: `![Caption](file){#fig-x}`, the alt text its caption), which
    `core.xrefs` numbers (`figure_id` on the paragraph)."""
    tokens = body.tokens
    for index, token in enumerate(tokens[:-2]):
        if token.type != "paragraph_open" or tokens[index + 1].type != "inline":
            continue
        children = [c for c in tokens[index + 1].children or [] if not (c.type == "text" and not c.content.strip())]
        if len(children) != 1 or children[0].type != "image":
            continue
        image = children[0]
        anchor = str(image.meta.get("html", {}).get("id", ""))
        if anchor.startswith(FIGURE_PREFIX):
            token.meta["figure_id"] = anchor
            image.meta["in_figure"] = True
            token.meta["figure"] = inline_text(image)
        elif image.attrGet("title"):
            token.meta["figure"] = str(image.attrGet("title"))
        else:
            continue
        tokens[index + 2].meta["figure"] = token.meta["figure"]
        tokens[index + 2].meta["figure_id"] = token.meta.get("figure_id")
