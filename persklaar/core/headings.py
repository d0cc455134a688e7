"""Headings and notes of a parsed text: ids, levels and numbers, set once for every output.

Any heading level may be written (`#` to `######`). A text's top level sits one below
the heading it stands under (Pandoc's --shift-heading-level-by): a chapter's `#` and
`##` alike become the level below the chapter title when they come first. No level is
skipped afterwards (`###` straight under a `#` becomes the next level), because
screen-reader users navigate by level and a gap reads as a missing section.
"""

from __future__ import annotations

import dataclasses

from ..errors import Diagnostics
from .markdown import Scope, inline_text, where
from .model import RESERVED_IDS, RESERVED_PREFIXES, Body
from .text import github_slug


def number_headings(body: Body, scope: Scope, diags: Diagnostics | None = None) -> None:
    """Give every heading its id (unique in the unit), its level on the page and its text.

    The id is GitHub's (`core.text.github_slug`, duplicates `-1`, `-2`), unless the author
    gave one (`## Kop {#mijn-kop}`): that one wins, and the automatic ids avoid it, and the
    ids given to divs, spans and images (`::: {#x}`). An id given twice is an error.
    """
    for block, token in body.walk():  # every id an author gave (a heading, div, span, image, …) first
        anchor = token.meta.get("explicit_id") or token.meta.get("html", {}).get("id")
        if not anchor:
            continue
        if (anchor in scope.taken or anchor in RESERVED_IDS or anchor.startswith(RESERVED_PREFIXES)) and diags:
            what = "heading id" if token.type == "heading_open" else "id"
            diags.error(where(body, block, "#" + anchor), f"{what} #{anchor} is already taken (by another "
                        "heading or element on this page, or by persklaar itself): choose another")
        scope.taken.add(anchor)
    stack = [(scope.parent_level, scope.parent_level)]  # (level written, level given)
    for index, token in enumerate(body.tokens):
        if token.type != "heading_open":
            continue
        written = int(token.tag[1])
        while len(stack) > 1 and stack[-1][0] >= written:
            stack.pop()
        level = min(6, stack[-1][1] + 1)
        stack.append((written, level))
        inline = body.tokens[index + 1]
        text = inline_text(inline)
        anchor = token.meta.get("explicit_id") or _unique_id(text, scope.taken)
        token.meta.update(level=level, id=anchor, text=text)


def _unique_id(text: str, taken: set[str]) -> str:
    """`slug`, `slug-1`, `slug-2`, … (GitHub's order); never an id the templates use
    (`top` → `top-1`) nor one of the forms outputs generate (`table-x` → `h-table-x`)."""
    base = github_slug(text) or "x"
    if base.startswith(RESERVED_PREFIXES):
        base = f"h-{base}"
    anchor, n = base, 0
    while anchor in taken or anchor in RESERVED_IDS:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


def number_notes(body: Body, scope: Scope) -> None:
    """Number the footnotes on from those already in the unit (a module's section intros
    share one page in the EPUB): `note` on each reference and each note."""
    first = scope.notes[0]
    count = 0
    for _, token in body.walk():
        if token.type in ("footnote_ref", "footnote_open", "footnote_anchor"):
            token.meta["note"] = first + token.meta["id"] + 1
            count = max(count, token.meta["id"] + 1)
    scope.notes[0] = first + count


def take_title(body: Body) -> tuple[str | None, Body]:
    """The title from a leading `#` heading, and the body without it (the text's other
    headings then sit below the title, whatever level they were written at).

    Used where the front matter gives no title. Returns (None, body) when the text does
    not start with a level-1 heading.
    """
    tokens = body.tokens
    if not tokens or tokens[0].type != "heading_open" or tokens[0].tag != "h1":
        return None, body
    return inline_text(tokens[1]), dataclasses.replace(body, tokens=tokens[3:])
