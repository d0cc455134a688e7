"""Rendering of cross-references and numbered captions (`core.xrefs` numbered and resolved them).

A mixin of `render.html.HtmlRenderer`, so every output has them:

    @fig-growth               <a href="…#fig-growth">Figuur 3.2</a> (the booklet adds "op p. 14")
    : Caption {#tbl-jobs}     <table id="tbl-jobs"><caption><span class="figure-label">Tabel 1.1:</span> Caption
    ![Caption](…){#fig-x}     <figure id="fig-x"> … <figcaption><span class="figure-label">Figuur 3.2:</span> …

A reference inside a link's text, or to a place an output does not hold (a handout's
sheet), is its words without a link.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..core.model import Body, Publication, Target


class XrefRules:
    """Token rules for `@id` references and table captions (mixed into HtmlRenderer)."""

    pub: Publication

    attrs: Callable[..., str]
    render_target: Callable[..., str | None]
    render_heading_id: Callable[[Body, str], str]
    renderToken: Callable[..., str]

    def render_number_xref(self, target: Target, env: EnvType) -> str:
        """Attributes of a reference's link beyond its href (the booklet: its page number)."""
        return ""

    def number_label(self, token: Token) -> str:
        """"Figuur 3.2" for a numbered element or a reference to one (no-break space between)."""
        kind = token.meta.get("label") or f"xref_{token.meta['xref_kind']}"
        return f"{self.pub.labels[kind]}\u00a0{token.meta['number']}"

    def caption_label(self, token: Token) -> str:
        """`<span class="figure-label">Figuur 3.2:</span> ` before a numbered caption, or nothing."""
        if "number" not in token.meta:
            return ""
        return f'<span class="figure-label">{html.escape(self.number_label(token))}:</span> '

    def xref(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        text = html.escape(self.number_label(token))
        target = token.meta["target"]
        href = None if token.meta.get("in_link") else self.render_target(target, env["page"])
        if href is None:
            return text
        return f'<a href="{html.escape(href)}"{self.render_number_xref(target, env)}>{text}</a>'

    def cite(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """A citation `core.citations` did not format (a text rendered without loading it): as written."""
        return html.escape(tokens[idx].content)

    def table_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"<table{self.attrs(tokens[idx], env)}>\n"

    def th_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """A pipe table's head cell heads its column (PDF/UA and screen readers want the scope)."""
        style = tokens[idx].attrGet("style")
        extra = f' style="{html.escape(str(style))}"' if style else ""
        return f'<th scope="col"{extra}>'

    def table_caption_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "<caption>" + self.caption_label(tokens[idx - 1])

    def table_caption_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "</caption>\n"
