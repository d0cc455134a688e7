"""The web edition's files: the EPUB's pages under .html names, in web templates.

    site = WebPages(pub).render()        # every page, from the one parsed model (pages.Pages)
    write_site(pub, site, staging)       # pages, images, one stylesheet, the shipped fonts

`site_files(pub)` names every file before anything is rendered (the job's targets); the
build checks that it wrote exactly those. Charts are inline SVG, so they use the site's
fonts and need no file; images are copied in. Nothing refers to another host: fonts,
styles and images are files of the site, and a Content-Security-Policy of `'self'`
makes the browser refuse anything else.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ...core.attributes import size_rules
from ...core.model import Module, Publication, group_parts
from ...errors import BuildError, Diagnostics, SourceLocation
from ...render import figures, templating, views
from ...render.fonts import cmap, subset, unicode_range, unused_face, used_codes
from ...render.html import Page
from ...render.styles import Stylesheet, stylesheets
from ..epub.pages import CHART_PADDING, Entry, EpubRenderer, Pages, Sheet, asset_names, chapter_stem, module_stem

HOME = "index.html"
STYLESHEET = "style.css"
# Text shows at once in a fallback font while a font loads (the shipped fonts are WOFF2
# subsets with a unicode-range each, so a browser fetches only the ranges a page uses).
FONT_FACE = re.compile(r"@font-face\s*\{(?![^}]*font-display)")
# under styles/, joined into style.css
STYLE_PARTS = ("fonts.css", "tokens.css", "code.css", "callouts.css", "math.css", "references.css", "web.css")


def page_names(pub: Publication) -> list[str]:
    """Every page, in reading order (the pager's order)."""
    return [HOME, *(f"{chapter_stem(c)}.html" for c in views.essay(pub)),
            *(f"{module_stem(m)}.html" for m in pub.modules),
            *(f"{chapter_stem(c)}.html" for c in views.back_matter(pub)),  # the bibliography
            "reading-times.html", *(["links.html"] if pub.links else [])]


URL = re.compile(r"""url\(\s*(["']?)([^"')]*)\1\s*\)""", re.IGNORECASE)
FACE_RULE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf")


@dataclass(frozen=True)
class Styles:
    """The site's one stylesheet and the files its `url()`s name (site name → file)."""

    css: str
    files: dict[str, Path]


def site_styles(pub: Publication) -> Styles:
    """fonts.css, tokens.css and web.css of the theme, the settings' CSS (accent, fonts) and
    the publication's custom.css, joined; every `url()` becomes a file of the site.

    A url must name a file of the publication or its theme: another host (the site makes no
    request elsewhere) or a file outside is a ContentError at its line (all of them at once).
    """
    trusted = pub.theme.trusted_dirs()
    files: dict[str, Path] = {}
    parts = []
    diags = Diagnostics()
    used = used_codes(pub)
    for sheet in stylesheets(pub, STYLE_PARTS, page=None):
        def local(match: re.Match, sheet: Stylesheet = sheet) -> str:
            return f'url("{_copy(sheet, match, trusted, files, diags)}")'

        def face(match: re.Match, sheet: Stylesheet = sheet) -> str:
            return "" if unused_face(match.group(), used) else _script_range(match.group(), sheet, used)

        kept = FACE_RULE.sub(face, sheet.text)
        text = FONT_FACE.sub(r"\g<0>\n  font-display: swap;", URL.sub(local, kept)).rstrip()
        parts.append(f"/* ---- {sheet.name} ---- */\n{text}\n")
    for path in sorted({f.parent for f in files.values() if f.suffix.lower() in FONT_SUFFIXES}):
        for licence in sorted(path.glob("LICENSE*")):  # fonts travel with their licences (SIL OFL)
            if licence.is_file() and not licence.is_symlink():
                files.setdefault(_name(licence, files), licence)
    diags.raise_if_errors()
    sizes = size_rules(pub.bodies())
    if sizes:
        parts.append(f"/* ---- image sizes ({{width=…}} in the texts) ---- */\n{sizes}\n")
    return Styles("\n".join(parts), dict(sorted(files.items())))


def _script_range(rule: str, sheet: Stylesheet, used: frozenset[int]) -> str:
    """A publication's font for one script (`theme.fonts.scripts`) with the `unicode-range` of
    what it draws beyond Latin-1, which the body font has: a browser fetches it only for a
    page that writes that script, and text shows at once in the body font meanwhile."""
    if "Publication Script" not in rule or re.search(r"unicode-range", rule, re.IGNORECASE):
        return rule
    found = URL.search(rule)
    path = (sheet.base / unquote(found.group(2))).resolve() if found else None
    if path is None or not path.is_file():
        return rule
    stat = path.stat()
    codes = {c for c in cmap(path, (stat.st_size, stat.st_mtime_ns)) & used if c > 0xFF}
    return rule[:-1].rstrip() + f" unicode-range: {unicode_range(codes)}; }}" if codes else rule


def _copy(sheet: Stylesheet, match: re.Match, trusted: list[Path], files: dict[str, Path],
          diags: Diagnostics) -> str:
    url = match.group(2).strip()
    where = SourceLocation(sheet.name, sheet.text.count("\n", 0, match.start()) + 1)
    if re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, re.IGNORECASE):
        diags.error(where, f"url({url}) would load from outside the web edition; put the file in the "
                           "publication's fonts/ or styles/ and name it there")
        return url
    path = (sheet.base / unquote(url.split("#")[0].split("?")[0])).resolve()
    if not path.is_file() or not any(path.is_relative_to(d) for d in trusted):
        diags.error(where, f"url({url}) is not a file of the publication or its theme")
        return url
    name = next((n for n, f in files.items() if f == path), None) or _name(path, files)
    files[name] = path
    return name


def _name(path: Path, taken: dict[str, Path]) -> str:
    """`fonts/x.woff2` (or `assets/…`), with a digest when another file already has that name."""
    folder = "fonts" if path.suffix.lower() in FONT_SUFFIXES or path.name.startswith("LICENSE") else "assets"
    name = f"{folder}/{path.name}"
    if name in taken and taken[name] != path:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
        name = f"{folder}/{path.stem}-{digest}{path.suffix}"
    return name


def site_files(pub: Publication) -> list[str]:
    """Every file of the site, relative to the site's folder, without rendering anything."""
    return [*page_names(pub), *sorted(set(asset_names(pub).values())), STYLESHEET, *site_styles(pub).files]


class WebRenderer(EpubRenderer):
    """Markdown in the web edition: as in the EPUB, but .html pages, charts drawn inline, and
    notes marked up for HTML (ARIA roles; `epub:type` belongs to the EPUB's XHTML only)."""

    inline_styles = False  # the site's CSP has no 'unsafe-inline': image sizes are classes (site_styles)

    suffix = ".html"

    def render_note_call(self, token: Token, env: EnvType) -> str:
        n, sub = token.meta["note"], token.meta.get("subId", 0)
        ref = f"fnref-{n}" + (f"-{sub + 1}" if sub else "")
        return f'<sup class="noteref"><a href="#fn-{n}" id="{ref}" role="doc-noteref">{n}</a></sup>'

    def render_notes(self, tokens: Sequence[Token], idx: int, env: EnvType) -> str:
        label = html.escape(self.pub.labels["notes_heading"])
        return f'<div class="footnotes" role="doc-endnotes" aria-label="{label}">\n'

    def footnote_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f'<aside class="footnote" id="fn-{tokens[idx].meta["note"]}" role="doc-footnote">\n'

    def render_figure(self, table_id: str, page: Page, number: figures.TableNumber | None = None,
                      chart: figures.TableNumber | None = None) -> str:
        table = self.pub.table(table_id)
        if table is None:  # the loader refused this already; keep the build honest
            raise BuildError(f"unknown data table {table_id!r}")
        key = page.placed.key(table.id)
        grid = figures.table_html(table, self.pub.locale, f"table-{key}", number)
        svg = figures.chart_svg(table, self.pub.locale, key=key, pad=CHART_PADDING) if table.chart else ""
        # A table wider than a phone scrolls in its box, which the keyboard can reach (tabindex).
        label = table.title if key == table.id else f"{table.title} ({key.removeprefix(table.id + '-')})"
        box = f'<div class="table-wrap" role="region" tabindex="0" aria-label="{html.escape(label)}">'
        return f"{box}\n{grid}</div>\n" + figures.chart_figure(table, svg, key, chart)


@dataclass
class Site:
    """The rendered pages (in reading order) and the images they show."""

    pages: list[Sheet]
    assets: dict[str, tuple[str, bytes]]


class WebPages(Pages):
    """Every page of the site: a home page with the contents, then the EPUB's pages."""

    folder = "web"
    suffix = ".html"

    def __init__(self, pub: Publication) -> None:
        super().__init__(pub)
        self.order = page_names(pub)
        self.titles = dict(zip(self.order, self.page_titles(), strict=True))

    def new_renderer(self) -> EpubRenderer:
        return WebRenderer(self.pub)

    def page_titles(self) -> list[str]:
        back = [self.labels["reading_times"], *([self.labels["link_appendix"]] if self.pub.links else [])]
        return [self.pub.meta.title, *(c.title for c in views.essay(self.pub)),
                *(self.module_heading(m) for m in self.pub.modules), *(c.title for c in views.back_matter(self.pub)),
                *back]

    def render(self) -> Site:  # type: ignore[override]
        parts: list[tuple[str | None, list[Entry]]] = []
        pages: list[Sheet] = []
        for part, chapters in group_parts(views.essay(self.pub), lambda c: c.part):
            parts.append((part, []))
            for chapter in chapters:
                page, entry = self.chapter(chapter)
                pages.append(page)
                parts[-1][1].append(entry)
        modules = [self.module(m) for m in self.pub.modules]
        pages += [page for page, _ in modules]
        back = [self.chapter(c)[0] for c in views.back_matter(self.pub)]  # the bibliography, after the modules
        back += [self.reading_times()] + ([self.link_appendix()] if self.pub.links else [])
        home = self.home(parts, [(m, entry) for m, (_, entry) in zip(self.pub.modules, modules, strict=True)], back)
        return Site([home, *pages, *back], self.renderer.assets)

    def home(self, parts: list[tuple[str | None, list[Entry]]], modules: list[tuple[Module, Entry]],
             back: list[Sheet]) -> Sheet:
        return self.page(self.template("index"), HOME, self.pub.meta.title, "",
                         edition_date=self.pub.locale.date(self.pub.meta.date), parts=parts,
                         modules=[{"icon": m.icon, "entry": e} for m, e in modules],
                         back=[Entry(p.title, p.name) for p in back])

    def page(self, template: str, name: str, title: str, body_type: str, body_class: str = "", **data) -> Sheet:
        """A page with the site around it: header, contents link, previous and next page."""
        at = self.order.index(name)
        near = {"prev": self.order[at - 1] if at > 0 else None,
                "next": self.order[at + 1] if at + 1 < len(self.order) else None}
        pager = {k: {"href": v, "title": self.titles[v]} if v else None for k, v in near.items()}
        icons = {f"{module_stem(m)}.html": m.icon for m in self.pub.modules}
        context = {"title": title, "meta": self.pub.meta, "home": HOME, "stylesheet": STYLESHEET, "current": name,
                   "pager": pager, "icon": icons.get(name, ""), "links_page": self.links_page,
                   "has_links": bool(self.pub.links)}
        page = templating.render(self.pub, template, **(context | data))
        return Sheet(name, title, page)


def write_site(pub: Publication, site: Site, staging: Path, expected: list[str]) -> None:
    """Write the site under `staging` (its files relative to it); exactly `expected`, or BuildError."""
    files: dict[str, bytes] = {page.name: page.xhtml.encode() for page in site.pages}
    files |= {name: data for name, (_, data) in site.assets.items()}
    styles = site_styles(pub)
    files[STYLESHEET] = styles.css.encode()
    used, own = used_codes(pub), (pub.root / "fonts").resolve()
    for name, path in styles.files.items():  # the publication's fonts/ cut down to what it writes
        own_font = path.suffix.lower() in FONT_SUFFIXES and path.is_relative_to(own)
        files[name] = subset(pub.root, path, used) if own_font else path.read_bytes()
    if sorted(files) != sorted(expected):
        extra, missing = sorted(set(files) - set(expected)), sorted(set(expected) - set(files))
        raise BuildError(f"web edition: files differ from the plan (extra: {extra}, missing: {missing})")
    for name, data in sorted(files.items()):
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
