"""Rendering of formulas (`core.equations` converted each once into MathML).

A mixin of `render.html.HtmlRenderer`. By default a formula is its MathML (EPUB 3 and
browsers render MathML Core; `alttext` holds the LaTeX); an output without MathML (the
pages WeasyPrint draws) overrides `render_math` and sets a picture of it instead.

    $x$                    <math display="inline">…</math>
    $$x$$ in a paragraph   <span class="math display">…</span>
    $$x$$ as a block       <div class="math display">…</div>
    … {#eq-energy}         the same with the id and `<span class="equation-number">(3.1)</span>`
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from pathlib import Path

from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..core.model import Publication
from .cache import cached, key_of


class MathRules:
    """Token rules for formulas (mixed into HtmlRenderer)."""

    pub: Publication

    attrs: Callable[..., str]  # HtmlRenderer.attrs: a token's attributes, its id as the output names it

    math_pictures = False  # True: a picture of each formula (the PDFs), not its MathML

    def render_math(self, token: Token, display: bool) -> str:
        """The formula itself: its MathML, or (`math_pictures`) an SVG picture of it."""
        if self.math_pictures:
            return math_img(self.pub.root, token.meta["mathml"], token.content.strip())
        return str(token.meta["mathml"])

    def math_inline(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self.render_math(tokens[idx], False)

    def math_inline_double(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self._display(tokens[idx], env, "span")

    def math_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self._display(tokens[idx], env, "div") + "\n"

    def _display(self, token: Token, env: EnvType, tag: str) -> str:
        number = token.meta.get("equation")
        shown = (f'<span class="equation-number">({html.escape(number)})</span>' if number else "")
        extra = "math display numbered" if number else "math display"
        return f"<{tag}{self.attrs(token, env, extra)}>{self.render_math(token, True)}{shown}</{tag}>"


# ---------------------------------------------------------------- pictures for the pages

SVG_SIZE = 20.0  # px a formula's em is drawn at; the picture is then sized in em, so only ratios count


def math_svg(mathml: str) -> tuple[str, float, float, float]:
    """The SVG of a formula (ziamath, STIX Two Math: no TeX) and its width, height and
    depth below the baseline, in em of the text around it."""
    import ziamath

    ziamath.config.svg2 = False  # plain paths: WeasyPrint's SVG reader needs no <symbol>/<use>
    drawn = ziamath.Math(mathml, size=SVG_SIZE, margin=0)
    box = drawn.node.bbox
    width, height = box.xmax - box.xmin, box.ymax - box.ymin
    return drawn.svg(), width / SVG_SIZE, height / SVG_SIZE, -box.ymin / SVG_SIZE


def math_img(root: Path, mathml: str, alt: str) -> str:
    """The formula as an `<img>` for a PDF: its alternate text the LaTeX (PDF/UA), its size
    in em and its baseline on the text's (`vertical-align`), the SVG in a `data:` URL;
    drawn once per formula and kept in the cache by the MathML's hash."""
    import ziamath

    def make() -> bytes:
        svg, width, height, depth = math_svg(mathml)
        head = f"{width:.4f} {height:.4f} {depth:.4f}\n"
        return (head + svg).encode("utf-8")

    version = getattr(ziamath, "__version__", "0.13")
    head, svg = cached(root, "math", key_of(mathml, version), make).decode("utf-8").split("\n", 1)
    width, height, depth = (float(x) for x in head.split())
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    style = f"width: {width:.3f}em; height: {height:.3f}em; vertical-align: {-depth:.3f}em"
    return f'<img class="math" src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" style="{style}" />'
