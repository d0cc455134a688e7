"""Numbered figures, tables and equations, and the `@fig-x` references to them (Quarto's syntax).

    ![Caption](img.png){#fig-growth}          a figure (the alt text is its caption)
    | … pipe table … |  then  : Caption {#tbl-jobs}
                                              a table with its caption
    ```table  jobs ```  referred to as @tbl-jobs
                                              a data table, numbered where it is first placed;
                        and as @fig-jobs      its chart, numbered as a figure
    $$ … $$ {#eq-energy}                      a display formula
    see @fig-growth, @tbl-jobs, @eq-energy    "Figuur 3.2", linked to it

Each kind is counted per chapter ("3.2": the second figure of the book's third chapter;
"8.1" in course module 8), or through the book with `chapters: {numbering: book}` ("7").
A numbered element gets `meta["number"]` (and `meta["xref_kind"]`, its prefix); a display
formula also `meta["equation"]`, which `render.math` prints. Each `xref` token gets
`target` (a `Target`), `number` and `label` (the label key of its kind, `xref_fig`), and
its words as its content ("Figuur 3.2", for the link list's text of a link around it).

A new kind is a prefix in `core.syntax.XREF_PREFIXES`, a label `xref_<prefix>` and a
branch in `_numbered` here. An unknown id, or an id given twice in the publication, is an
error at its position, naming the closest ids.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from markdown_it.token import Token

from ..errors import Diagnostics, SourceLocation
from .equations import equation_id
from .markdown import where
from .model import Body, Chapter, Listed, Module, Target

BOOK = "book"


@dataclass(frozen=True)
class Numbered:
    """An element that can be referred to: its id, where it is, and the tokens that show its number."""

    anchor: str
    unit: str
    where: SourceLocation
    tokens: tuple[Token, ...]


def label_key(anchor: str) -> str:
    """The label of an id's kind: `fig-growth` → `xref_fig` (templates/labels: "Figuur")."""
    return "xref_" + anchor.split("-", 1)[0]


def resolve(chapters: tuple[Chapter, ...], modules: tuple[Module, ...], numbering: str,
            labels: Mapping[str, str], diags: Diagnostics, titles: Mapping[str, str],
            charted: frozenset[str] = frozenset()) -> list[Listed]:
    """Number every figure, table and formula with an id, and resolve every `@id` to it;
    the figures and tables, for their lists (`titles`: the data tables', by id; `charted`:
    the data tables with a chart, which `@fig-<id>` numbers as a figure)."""
    units = [(str(i), [c.body]) for i, c in enumerate(chapters, start=1)]
    units += [(str(m.number), [s.intro for s in m.sections]) for m in modules]
    bodies = [b for _, group in units for b in group]
    wanted = {t.meta["id"] for body in bodies for _, t in body.walk() if t.type == "xref"}
    found: dict[str, Numbered] = {}
    listed: list[Listed] = []
    counts: Counter[str] = Counter()
    for prefix, group in units:
        if numbering != BOOK:
            counts.clear()
        for body in group:
            for element in _numbered(body, wanted, found, charted):
                if element.anchor in found:
                    _twice(element, found[element.anchor], diags)
                    continue
                found[element.anchor] = element
                kind = element.anchor.split("-", 1)[0]
                counts[kind] += 1
                number = str(counts[kind]) if numbering == BOOK else f"{prefix}.{counts[kind]}"
                for token in element.tokens:
                    token.meta.update(number=number, xref_kind=kind)
                    if kind == "eq":
                        token.meta["equation"] = number
                if kind in ("fig", "tbl"):
                    listed.append(Listed(kind, number, _caption(body, element, titles),
                                         Target(element.unit, "heading", element.anchor)))
    for body in bodies:
        _refer(body, found, labels, diags)
    return listed


def _caption(body: Body, element: Numbered, titles: Mapping[str, str]) -> str:
    """The words of a numbered figure's or table's caption (a data table: its title)."""
    first = element.tokens[0]
    if first.type in ("fence", "chart"):
        return titles.get(str(first.meta.get("table")), "")
    if "figure" in element.tokens[-1].meta:
        return str(element.tokens[-1].meta["figure"])
    tokens = list(body.tokens)
    at = next(i for i, t in enumerate(tokens) if t is first)
    if at + 2 < len(tokens) and tokens[at + 1].type == "table_caption_open":
        return "".join(c.content for c in tokens[at + 2].children or () if c.type in ("text", "code_inline")).strip()
    return ""


def _numbered(body: Body, wanted: set[str], found: dict[str, Numbered], charted: frozenset[str]
              ) -> Iterator[Numbered]:
    """The elements of a text that take a number, in reading order."""
    tokens = body.tokens
    for index, block in enumerate(tokens):
        anchor = str(block.meta.get("html", {}).get("id", ""))
        if block.type == "paragraph_open" and block.meta.get("figure_id"):
            anchor = block.meta["figure_id"]
            yield Numbered(anchor, body.unit, where(body, block, "#" + anchor), (block, tokens[index + 2]))
        elif block.type == "table_open" and anchor.startswith("tbl-"):
            yield Numbered(anchor, body.unit, where(body, block, "#" + anchor), (block,))
        elif block.type == "fence" and "table" in block.meta:
            anchor = f"tbl-{block.meta['table']}"
            if anchor in wanted and anchor not in found:  # numbered where first placed, if referred to
                block.meta["xref_id"] = anchor
                yield Numbered(anchor, body.unit, where(body, block), (block,))
            chart = f"fig-{block.meta['table']}"
            if chart in wanted and chart not in found and block.meta["table"] in charted:  # its chart, a figure
                holder = Token("chart", "", 0, meta={"xref_id": chart, "table": block.meta["table"]})
                block.meta["chart"] = holder
                yield Numbered(chart, body.unit, where(body, block), (holder,))
        for token in [block, *(block.children or ())]:
            if (eq := equation_id(token)) is not None:
                yield Numbered(eq, body.unit, where(body, block, "#" + eq), (token,))


def _twice(element: Numbered, first: Numbered, diags: Diagnostics) -> None:
    placed = "fence" in (element.tokens[0].type, first.tokens[0].type)  # a data table: no heading id
    if element.unit == first.unit and not placed:
        return  # the same page: core.headings reported it already
    diags.error(element.where, f"id #{element.anchor} is already used at {first.where}: "
                               "every numbered figure, table and formula needs an id of its own")


def _refer(body: Body, found: dict[str, Numbered], labels: Mapping[str, str], diags: Diagnostics) -> None:
    for block in body.tokens:
        depth = 0
        for token in block.children or ():
            depth += 1 if token.type == "link_open" else -1 if token.type == "link_close" else 0
            if token.type != "xref":
                continue
            anchor = token.meta["id"]
            element = found.get(anchor)
            if element is None:
                close = difflib.get_close_matches(anchor, list(found), n=3, cutoff=0.5)
                hint = (f"; did you mean {', '.join('@' + c for c in close)}?" if close else
                        " (refer to a figure ![…](…){#fig-x}, a table with : Caption {#tbl-x}, a placed "
                        "data table as @tbl-<its id>, or a formula $$ … $$ {#eq-x})")
                diags.error(where(body, block, token.content), f"cross-reference {token.content} leads nowhere"
                                                               f"{hint}")
                continue
            number = element.tokens[0].meta["number"]
            token.meta.update(target=Target(element.unit, "heading", anchor), number=number,
                              label=label_key(anchor), in_link=depth > 0)
            # its words, where a text is read without the renderer (a link's text in the link list)
            token.content = f"{labels.get(label_key(anchor), anchor)}\u00a0{number}"
