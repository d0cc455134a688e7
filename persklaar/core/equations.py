"""Formulas of a parsed text: each converted once into MathML, numbered where Quarto numbers them.

`core.syntax` finds `$…$` (inline), `$$…$$` (display, inside a paragraph or as a block of
its own); here every formula gets its MathML on `meta["mathml"]` (`core.math.to_mathml`,
with the LaTeX source as `alttext`), or an error at its position with the converter's
reason, so `check` refuses what an output would print broken. Every output renders from
the MathML (EPUB and web as MathML, the pages as SVG drawn from it); none parses LaTeX.

A display formula with an id `eq-…` (`$$ … $$ {#eq-energy}`, Quarto's syntax) is numbered
by `core.xrefs` with the figures and tables, "3.1" for the first in the third chapter (per
module in a course: "8.1"), on `meta["equation"]`.
"""

from __future__ import annotations

from markdown_it.token import Token

from ..errors import Diagnostics
from .markdown import where
from .math import MathError, to_mathml
from .model import Body
from .syntax import MATH_TOKENS

EQUATION_PREFIX = "eq-"


def convert(body: Body, block: Token, token: Token, diags: Diagnostics) -> None:
    """Give a math token its MathML, or report why the formula cannot be set."""
    display = MATH_TOKENS[token.type]
    try:
        token.meta["mathml"] = to_mathml(token.content.strip(), display=display)
    except MathError as exc:
        marker = "$$" if display else "$"
        first = token.content.strip().split("\n")[0]
        needle = marker if token.type == "math_block" else marker + token.content.split("\n")[0][:20]
        shown = first[:40] + ("…" if len(first) > 40 or "\n" in token.content.strip() else "")
        diags.error(where(body, block, needle), f"formula {marker}{shown}{marker} cannot be set: {exc} "
                    "(if the $ signs mean money, write \\$)")


def equation_id(token: Token) -> str | None:
    """The id of a numbered display formula (`{#eq-…}`), or None."""
    anchor = token.meta.get("html", {}).get("id", "")
    if MATH_TOKENS.get(token.type) and anchor.startswith(EQUATION_PREFIX):
        return str(anchor)
    return None
