"""The one Markdown renderer: a parsed `Body`'s tokens → safe XHTML, for every output.

markdown-it-py's `RendererHTML` with our rules for headings (id and level from the
core), links (external links carry their reference number; internal ones their
resolved target), data tables, images and code. What differs between outputs (where a
reference number points, how a target becomes an href, how a table is drawn) is a
hook method that an output's subclass overrides. Hooks are named `render_*`, so
markdown-it does not mistake them for token rules.

Nothing here patches HTML after the fact: everything an output needs is on the tokens.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..core.attributes import render_attrs
from ..core.markdown import is_external, parser
from ..core.model import Asset, Body, Publication, Target
from ..errors import BuildError
from . import figures
from .code import code_html
from .math import MathRules
from .syntax import SyntaxRules
from .xrefs import XrefRules


class Placements:
    """Ids for the data tables placed on one page: the first placement of table `x` is
    keyed `x`, the next `x-2`, and so on, so an author may place a table more than once."""

    def __init__(self) -> None:
        self._count: Counter[str] = Counter()

    def key(self, table_id: str) -> str:
        self._count[table_id] += 1
        n = self._count[table_id]
        return table_id if n == 1 else f"{table_id}-{n}"


@dataclass
class Page:
    """What one page (a chapter, a module, a sheet) remembers while its texts are rendered.

    `unit` is the page unit it shows (a chapter's slug, a module's unit); `prefix` makes
    citation ids unique where several pages share one HTML document.
    """

    unit: str = ""
    prefix: str = ""
    cites: list[tuple[int, str]] = field(default_factory=list)
    placed: Placements = field(default_factory=Placements)

    def cite(self, number: int) -> str:
        """A unique anchor for this citation of link `number` (the target of back links)."""
        count = sum(1 for n, _ in self.cites if n == number) + 1
        anchor = f"cite-{number}-{self.prefix}{count}"
        self.cites.append((number, anchor))
        return anchor


class HtmlRenderer(SyntaxRules, MathRules, XrefRules, RendererHTML):
    """Renders bodies of `pub` for one output; subclass and override the `render_*` hooks.

    `notes_at_foot`: an output with pages sets each footnote where it is called, for CSS
    to float to the foot of the page (GCPM `float: footnote`); otherwise the notes follow
    the text, each a linked `aside` (EPUB 3 notes).
    """

    notes_at_foot = False
    inline_styles = True  # False where a Content-Security-Policy forbids `style` attributes

    def __init__(self, pub: Publication) -> None:
        super().__init__()
        self.pub = pub

    def render_body(self, body: Body, page: Page) -> str:
        """The XHTML fragment of one text, rendered for `page`."""
        tokens = list(body.tokens)
        env = {"page": page, "body": body, "notes": {}}
        if self.notes_at_foot:
            tokens, env["notes"] = _split_notes(tokens)
        return self.render(tokens, parser().options, env)

    def attrs(self, token: Token, env: EnvType, extra_class: str = "", drop: tuple[str, ...] = (),
              styles: bool = True) -> str:
        """`render_attrs` with the id named as this output names a heading's (`render_heading_id`)."""
        return render_attrs(token, extra_class, drop, styles, lambda a: self.render_heading_id(env["body"], a))

    # -- hooks -------------------------------------------------------------------------
    def render_heading_id(self, body: Body, anchor: str) -> str:
        """The id a heading gets in this output (default: its id within the unit)."""
        return anchor

    def render_target(self, target: Target, page: Page) -> str | None:
        """The href of an internal link; None keeps the text without a link."""
        return None

    def render_ref_number(self, token: Token) -> int | None:
        """The number shown after an external link (default: its number in the publication)."""
        return token.meta.get("link")

    def render_ref_href(self, number: int) -> str:
        return f"#link-{number}"

    def render_figure(self, table_id: str, page: Page, number: figures.TableNumber | None = None,
                      chart: figures.TableNumber | None = None) -> str:
        """A placed data table (a table placed again on the page gets fresh ids); `number`: its
        id and "Tabel 1.1" where it is a numbered table (`@tbl-…` refers to it); `chart`: the
        same for its chart where `@fig-…` refers to it ("Figuur 2.1")."""
        table = self.pub.table(table_id)
        if table is None:  # the loader refused this already; keep the build honest
            raise BuildError(f"unknown data table {table_id!r}")
        return figures.table_html(table, self.pub.locale, f"table-{page.placed.key(table.id)}", number)  # no chart

    def render_image_src(self, asset: Asset) -> str:
        return asset.path

    def render_code_columns(self) -> int | None:
        """Where a code line is broken with a continuation mark (None: the reader's screen wraps)."""
        return None

    def render_note_call(self, token: Token, env: EnvType) -> str:
        """A footnote reference: a numbered link to the note, which links back (EPUB 3 notes);
        with `notes_at_foot`, the note itself, in place, for the page to float to its foot."""
        n = token.meta["note"]
        if self.notes_at_foot:
            inner = self.render(env["notes"].get(n, []), parser().options, {**env, "in_note": True})
            return f'<span class="footnote" id="fn-{env["page"].prefix}{n}">{inner}</span>'
        sub = token.meta.get("subId", 0)
        ref = f"fnref-{n}" + (f"-{sub + 1}" if sub else "")
        return (f'<sup class="noteref"><a href="#fn-{n}" id="{ref}" epub:type="noteref" role="doc-noteref">'
                f"{n}</a></sup>")

    def render_notes(self, tokens: Sequence[Token], idx: int, env: EnvType) -> str:
        """The notes at the end of the text: one `aside` each, with a link back."""
        return '<div class="footnotes">\n'

    # -- token rules ---------------------------------------------------------------------
    def heading_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        anchor = html.escape(self.render_heading_id(env["body"], token.meta["id"]))
        return f'<h{token.meta["level"]} id="{anchor}"{render_attrs(token)}>'

    def heading_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"</h{tokens[idx - 2].meta['level']}>\n"

    def render_xref(self, target: Target, page: Page) -> str:
        """Attributes for an internal link beyond its href (the booklet adds a page number)."""
        return ""

    def link_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        if is_external(href):
            return f'<a href="{html.escape(href)}"{self.attrs(token, env, "ext")}>'
        target = token.meta.get("target")
        resolved = self.render_target(target, env["page"]) if target else None
        if target is None or resolved is None:
            return "<a>"
        xref = ' class="citation"' if token.meta.get("citation") else self.render_xref(target, env["page"])
        attrs = self.attrs(token, env, drop=("class",) if " class=" in xref else ())
        return f'<a href="{html.escape(resolved)}"{xref}{attrs}>'

    def link_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        opener = next(t for t in reversed(tokens[:idx]) if t.type == "link_open")
        number = self.render_ref_number(opener) if "link" in opener.meta else None
        if number is None:
            return "</a>"
        anchor = env["page"].cite(number)
        ref = html.escape(self.render_ref_href(number))
        return f'</a><sup class="ref" id="{anchor}"><a href="{ref}" title="link {number}">{number}</a></sup>'

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        if "table" in token.meta:
            number = chart = None
            if "number" in token.meta:
                number = figures.TableNumber(self.render_heading_id(env["body"], token.meta["xref_id"]),
                                             self.number_label(token))
            if "number" in token.meta.get("chart", Token("", "", 0)).meta:  # its chart is a numbered figure
                holder = token.meta["chart"]
                chart = figures.TableNumber(self.render_heading_id(env["body"], holder.meta["xref_id"]),
                                            self.number_label(holder))
            return self.render_figure(token.meta["table"], env["page"], number, chart)
        language = token.info.strip().split(" ")[0] if token.info else ""
        cls = f' class="language-{html.escape(language)}"' if language else ""
        return f"<pre><code{cls}>{code_html(token.content, language, self.render_code_columns())}</code></pre>\n"

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        alt = html.escape("".join(c.content for c in token.children or ()))
        src = html.escape(self.render_image_src(token.meta["asset"]))
        drop = ("id",) if token.meta.get("in_figure") else ()  # the figure has it
        return f'<img src="{src}" alt="{alt}"{self.attrs(token, env, drop=drop, styles=self.inline_styles)} />'

    def code_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"<pre><code>{code_html(tokens[idx].content, '', self.render_code_columns())}</code></pre>\n"

    def paragraph_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        if env.get("in_note"):
            return '<span class="note-p">'
        if tokens[idx].meta.get("figure_id"):
            anchor = html.escape(self.render_heading_id(env["body"], tokens[idx].meta["figure_id"]))
            return f'<figure class="image" id="{anchor}">'
        if "figure" in tokens[idx].meta:
            return '<figure class="image">'
        return self.renderToken(tokens, idx, options, env)

    def paragraph_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        if env.get("in_note"):
            return "</span>"
        if "figure" in tokens[idx].meta:
            caption = self.caption_label(tokens[idx]) + html.escape(tokens[idx].meta["figure"])
            return f"<figcaption>{caption}</figcaption></figure>\n"
        return self.renderToken(tokens, idx, options, env)

    def softbreak(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """A wrapped source line: a space, as in a paragraph (WeasyPrint keeps a newline inside
        a note floated to the page's foot as a line break)."""
        return " " if env.get("in_note") else "\n"

    def task_box(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        done = tokens[idx].meta["done"]
        label = html.escape(self.pub.labels["task_done" if done else "task_open"])
        return f'<span class="task{" done" if done else ""}" role="img" aria-label="{label}"></span> '

    # footnotes: a reference, and the notes after the text (outputs with pages float them)
    def footnote_ref(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self.render_note_call(tokens[idx], env)

    def footnote_block_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self.render_notes(tokens, idx, env)

    def footnote_block_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "</div>\n"

    def footnote_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        n = tokens[idx].meta["note"]
        return f'<aside class="footnote" id="fn-{n}" epub:type="footnote" role="doc-footnote">\n'

    def footnote_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "</aside>\n"

    def footnote_anchor(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        if env.get("in_note"):
            return ""  # a note at the page's foot needs no way back
        n = tokens[idx].meta["note"]
        sub = tokens[idx].meta.get("subId", 0)
        ref = f"fnref-{n}" + (f"-{sub + 1}" if sub else "")
        label = html.escape(self.pub.labels["back_to_text"])
        return f' <a href="#{ref}" class="backlink" role="doc-backlink" aria-label="{label}">↩&#xFE0E;</a>'

    def html_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return ""  # refused by the loader; never rendered

    def html_inline(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return ""


def _split_notes(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """The text without its notes block, and each note's content tokens by number."""
    if not any(t.type == "footnote_block_open" for t in tokens):
        return tokens, {}
    start = next(i for i, t in enumerate(tokens) if t.type == "footnote_block_open")
    end = next(i for i, t in enumerate(tokens) if t.type == "footnote_block_close")
    notes: dict[int, list[Token]] = {}
    current: list[Token] = []
    for token in tokens[start + 1:end]:
        if token.type == "footnote_open":
            current = notes.setdefault(token.meta["note"], [])
        elif token.type not in ("footnote_close", "footnote_anchor"):
            current.append(token)
    return tokens[:start] + tokens[end + 1:], notes


def headings(body: Body, level: int) -> list[tuple[str, str]]:
    """(id, text) of every heading of `level` in a body (for tables of contents)."""
    return [(t.meta["id"], t.meta["text"]) for t in body.headings() if t.meta.get("level") == level]
