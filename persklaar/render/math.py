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

import html
from collections.abc import Callable, Sequence

from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..core.model import Publication


class MathRules:
    """Token rules for formulas (mixed into HtmlRenderer)."""

    pub: Publication

    attrs: Callable[..., str]  # HtmlRenderer.attrs: a token's attributes, its id as the output names it

    def render_math(self, token: Token, display: bool) -> str:
        """The formula itself (default: its MathML)."""
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
