"""Every XHTML page of the EPUB, rendered from the parsed model through our templates.

Links stay live in the text and carry their reference number, which points into the
link appendix (`links.xhtml#link-N`); the appendix links back to every citation.
Internal references (resolved by the core) point at the file that holds their target.
"""

from __future__ import annotations

import functools
import hashlib
import html
from collections import Counter
from dataclasses import dataclass, field

from ...core import reading_time
from ...core.labels import Locale
from ...core.model import Asset, Chapter, DataTable, Module, Publication, Section, Target, group_parts
from ...core.text import slugify
from ...errors import BuildError
from ...render import figures, images, templating, views
from ...render.html import HtmlRenderer, Page, headings

STYLESHEET = "css/epub.css"
CHART_PADDING = 8  # SVG units of white ground around the chart


@dataclass
class Sheet:
    """One XHTML file of the book, in reading order."""

    name: str
    title: str
    xhtml: str
    nav: bool = False


@dataclass
class Entry:
    """One entry of the table of contents (nav document and NCX)."""

    title: str
    href: str
    children: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Cite:
    """One place where link `number` is cited: the target of a back link."""

    number: int
    href: str
    place: str


@dataclass
class Book:
    """Everything `package` needs: the pages, the other files, the tables of contents."""

    pages: list[Sheet]
    toc: list[Entry]
    landmarks: list[dict[str, str]]
    assets: dict[str, tuple[str, bytes]]  # name → (media type, bytes)
    visual: bool  # charts or images: accessMode visual, alternativeText


def chapter_stem(chapter: Chapter) -> str:
    return f"chapter-{chapter.slug}"


def module_stem(module: Module) -> str:
    return f"module-{module.number:02d}"


def chapter_file(chapter: Chapter) -> str:
    return f"{chapter_stem(chapter)}.xhtml"


def module_file(module: Module) -> str:
    return f"{module_stem(module)}.xhtml"


def asset_names(pub: Publication) -> dict[str, str]:
    """Each image's name in the book (and the web edition), one per source file:
    `images/essay-img-red.png` for `content/essay/img/red.png`. Names are made readable
    (slugs), so two files can come out alike (`Foto 1.png` and `foto-1.png`; `a/b-c.png`
    and `a-b/c.png`), or like a name the book gives its cover or a chart: each of those
    gets a short digest of its path (`images/foto-1-3f9a0c12.png`), the same in every build."""
    paths = sorted({t.meta["asset"].path for body in pub.bodies() for _, t in body.walk()
                    if t.type == "image" and "asset" in t.meta})
    plain = {path: _plain_name(path) for path in paths}
    count = Counter(plain.values())
    return {path: _hashed_name(path) if count[name] > 1 or name.startswith(_RESERVED) else name
            for path, name in plain.items()}


_RESERVED = ("images/cover.", "images/chart-")  # the book's own cover and charts


def _plain_name(path: str) -> str:
    stem, _, suffix = path.removeprefix("content/").rpartition(".")
    return "images/" + "-".join(slugify(p) for p in stem.split("/")) + f".{suffix.lower()}"


def _hashed_name(path: str) -> str:
    stem, _, suffix = _plain_name(path).rpartition(".")
    return f"{stem}-{hashlib.sha256(path.encode()).hexdigest()[:8]}.{suffix}"


def section_id(section: Section) -> str:
    return f"section-{section.slug}"


class EpubRenderer(HtmlRenderer):
    """Markdown in the EPUB: references point into other files; images and charts become files."""

    suffix = ".xhtml"  # of the page files (the web edition's subclass writes .html)

    def __init__(self, pub: Publication) -> None:
        super().__init__(pub)
        self.files = ({c.slug: chapter_stem(c) + self.suffix for c in pub.chapters}
                      | {m.unit: module_stem(m) + self.suffix for m in pub.modules})
        self.assets: dict[str, tuple[str, bytes]] = {}

    @functools.cached_property
    def asset_names(self) -> dict[str, str]:
        return asset_names(self.pub)

    def render_target(self, target: Target, page: Page) -> str:
        fragment = {"heading": target.anchor, "section": f"section-{target.anchor}", "unit": "top"}[target.kind]
        same = page.unit == target.unit
        return f"#{fragment}" if same else f"{self.files[target.unit]}#{fragment}"

    def render_ref_href(self, number: int) -> str:
        return f"links{self.suffix}#link-{number}"

    def render_image_src(self, asset: Asset) -> str:
        """The image's name in the book (`asset_names`); copies the file in."""
        name = self.asset_names.get(asset.path) or _hashed_name(asset.path)  # a text outside the bodies
        data = (self.pub.root / asset.path).read_bytes()
        self.assets[name] = (asset.media_type, images.scaled(self.pub.root, data, asset.media_type, images.SCREEN_PX))
        return name

    def render_figure(self, table_id: str, page: Page, number: figures.TableNumber | None = None,
                      chart: figures.TableNumber | None = None) -> str:
        table = self.pub.table(table_id)
        if table is None:  # the loader refused this already; keep the build honest
            raise BuildError(f"unknown data table {table_id!r}")
        key = page.placed.key(table.id)
        src = f"images/chart-{slugify(table.id)}.svg"
        if table.chart:
            self.assets[src] = ("image/svg+xml", chart_file(table, self.pub.locale))
        alt = html.escape(figures.chart_description(table, self.pub.locale))
        img = f'<img class="chart" src="{src}" alt="{alt}" aria-describedby="table-{key}" />'
        return figures.figure_html(table, self.pub.locale, img, key, number, chart)


def chart_file(table: DataTable, locale: Locale) -> bytes:
    """The chart as an SVG file: sized, and on its own white ground with a margin."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + figures.chart_svg(table, locale, pad=CHART_PADDING)
            + "\n").encode()


class Pages:
    """Renders every page of the book, collecting citations and files on the way.

    The web edition's pages are these pages under other names: a subclass sets `folder`
    (its templates) and `suffix` (of its files and templates) and its own renderer.
    """

    folder = "epub"
    suffix = ".xhtml"

    def __init__(self, pub: Publication) -> None:
        self.pub = pub
        self.labels = pub.labels
        self.cites: list[Cite] = []
        self.renderer = self.new_renderer()

    def new_renderer(self) -> EpubRenderer:
        return EpubRenderer(self.pub)

    def template(self, stem: str) -> str:
        return f"{self.folder}/{stem}{self.suffix}"

    def chapter_file(self, chapter: Chapter) -> str:
        return chapter_stem(chapter) + self.suffix

    def module_file(self, module: Module) -> str:
        return module_stem(module) + self.suffix

    @property
    def links_page(self) -> str:
        return "links" + self.suffix

    def render(self, cover_image: str) -> Book:
        pages = [self.cover(cover_image), self.title_page()]
        body, toc = self.body()
        added = [self.chapter(c) for c in views.back_matter(self.pub)]  # the bibliography, after the modules
        back = [*(page for page, _ in added), self.reading_times()] + ([self.link_appendix()] if self.pub.links else [])
        toc = [Entry(self.labels["title_page"], "title.xhtml"), *toc, *(entry for _, entry in added),
               *(Entry(p.title, p.name) for p in back[len(added):])]
        landmarks = self.landmarks(body, back)
        pages += [self.nav(toc, landmarks), *body, *back]
        assets = self.renderer.assets
        return Book(pages, toc, landmarks, assets, any(n.startswith("images/") for n in assets))

    # -- the parts of the book -------------------------------------------------
    def body(self) -> tuple[list[Sheet], list[Entry]]:
        """Parts, chapters and course modules: pages and their entries in the contents."""
        pages: list[Sheet] = []
        toc: list[Entry] = []
        named = 0
        for part, chapters in group_parts(views.essay(self.pub), lambda c: c.part):
            entries = toc
            if part is not None:
                named += 1
                pages.append(self.page("epub/part.xhtml", f"part-{named:02d}.xhtml", part, "bodymatter"))
                toc.append(Entry(part, pages[-1].name))
                entries = toc[-1].children
            for chapter in chapters:
                page, entry = self.chapter(chapter)
                pages.append(page)
                entries.append(entry)
        for module in self.pub.modules:
            page, entry = self.module(module)
            pages.append(page)
            toc.append(entry)
        return pages, toc

    def chapter(self, chapter: Chapter) -> tuple[Sheet, Entry]:
        name = self.chapter_file(chapter)
        state = Page(unit=chapter.slug)
        body = self.renderer.render_body(chapter.body, state)
        self.note(state, 0, name, chapter.title)
        page = self.page(self.template("chapter"), name, chapter.title,
                         "backmatter" if chapter.back_matter else "bodymatter", body=templating.safe(body),
                         part=chapter.part, minutes=chapter.minutes(self.pub.settings), language=chapter.language,
                         back_matter=chapter.back_matter)
        subs = [Entry(text, f"{name}#{ident}") for ident, text in headings(chapter.body, 2)]
        return page, Entry(chapter.title, name, subs)

    def module(self, module: Module) -> tuple[Sheet, Entry]:
        name = self.module_file(module)
        heading = self.module_heading(module)
        state = Page(unit=module.unit)
        sections = [self.section(section, state, name) for section in module.sections]
        totals = views.module_totals(module)
        view = {"heading": heading, "summary": module.summary, "count": totals.count, "minutes": totals.minutes,
                "untimed": totals.untimed_note(self.labels), "sections": sections}
        page = self.page(self.template("module"), name, heading, "bodymatter", module=view,
                         links_page=self.links_page)
        entries = [Entry(f"{s['number']} {s['title']}", f"{name}#{s['id']}") for s in sections]
        return page, Entry(heading, name, entries)

    def section(self, section: Section, state: Page, name: str) -> dict:
        start = len(state.cites)
        intro = self.renderer.render_body(section.intro, state)
        rows = [row.but(cite=state.cite(row.number))
                for row in views.resource_rows(self.pub, section)]
        self.note(state, start, name, f"{section.number} {section.title}")
        totals = views.section_totals(section)
        return {"id": section_id(section), "number": section.number, "title": section.title,
                "intro": templating.safe(intro), "resources": rows, "count": totals.count,
                "minutes": totals.minutes, "untimed": totals.untimed_note(self.labels)}

    def cover(self, image: str) -> Sheet:
        meta, cover = self.pub.meta, self.pub.settings.cover
        alt = cover.alt or ". ".join(p for p in (meta.title, meta.subtitle, ", ".join(meta.authors)) if p)
        return self.page("epub/cover.xhtml", "cover.xhtml", self.labels["cover"], "", body_class="cover",
                         image=image, alt=alt)

    def title_page(self) -> Sheet:
        return self.page("epub/title.xhtml", "title.xhtml", self.pub.meta.title, "frontmatter",
                         meta=self.pub.meta, edition_date=self.pub.locale.date(self.pub.meta.date))

    def nav(self, toc: list[Entry], landmarks: list[dict[str, str]]) -> Sheet:
        nav = Page(unit="nav")
        lists = views.listed(self.pub, lambda target: self.renderer.render_target(target, nav))
        page = self.page("epub/nav.xhtml", "nav.xhtml", self.labels["contents"], "frontmatter",
                         toc=toc, landmarks=landmarks, lists=lists)
        page.nav = True
        return page

    def reading_times(self) -> Sheet:
        words, minutes = reading_time.essay_total(self.pub)
        number = self.pub.locale.number
        rows = [{"href": self.chapter_file(c), "title": t.title, "words": number(t.words),
                 "minutes": t.minutes}
                for c, t in zip(views.essay(self.pub), reading_time.chapter_times(self.pub), strict=True)]
        essay = {"rows": rows, "words": number(words), "minutes": minutes}
        modules = [self.module_times(m) for m in self.pub.modules]
        note = self.labels["reading_time_note"].format(speed=number(self.pub.settings.reading_speed))
        return self.page(self.template("reading-times"), f"reading-times{self.suffix}", self.labels["reading_times"],
                         "backmatter", essay=essay, modules=modules, note=note)

    def module_times(self, module: Module) -> dict:
        rows = [{"href": f"{self.module_file(module)}#{section_id(s)}", "number": s.number, "title": s.title,
                 "count": len(s.resources), "minutes": s.total_minutes,
                 "untimed": views.section_totals(s).untimed_note(self.labels)} for s in module.sections]
        totals = views.module_totals(module)
        return {"heading": self.module_heading(module), "rows": rows, "count": totals.count,
                "minutes": totals.minutes, "untimed": totals.untimed_note(self.labels)}

    def link_appendix(self) -> Sheet:
        back: dict[int, list[Cite]] = {}
        for cite in self.cites:
            back.setdefault(cite.number, []).append(cite)
        links = [{"number": link.number, "url": link.url, "text": link.text,
                  "show_text": bool(link.text) and link.text not in (link.url, link.url.removeprefix("mailto:")),
                  "placeholder": link.placeholder, "back": back_links(back.get(link.number, []))}
                 for link in self.pub.links]
        return self.page(self.template("links"), self.links_page, self.labels["link_appendix"], "backmatter",
                         links=links)

    def landmarks(self, body: list[Sheet], back: list[Sheet]) -> list[dict[str, str]]:
        marks = [("cover", "cover.xhtml", self.labels["cover"]),
                 ("titlepage", "title.xhtml", self.labels["title_page"]),
                 ("toc", "nav.xhtml#toc", self.labels["contents"])]
        if body:
            marks.append(("bodymatter", body[0].name, body[0].title))
        marks.append(("backmatter", back[0].name, back[0].title))
        return [{"type": t, "href": h, "title": title} for t, h, title in marks]

    # -- helpers -----------------------------------------------------------------
    def page(self, template: str, name: str, title: str, body_type: str, body_class: str = "", **data) -> Sheet:
        xhtml = templating.render(self.pub, template, title=title, stylesheet=STYLESHEET,
                                  body_type=body_type, body_class=body_class, **data)
        return Sheet(name, title, xhtml)

    def module_heading(self, module: Module) -> str:
        return f"{self.labels['course']} {module.number}: {module.title}"

    def note(self, state: Page, start: int, name: str, place: str) -> None:
        """Remember where the citations made since `start` sit, for the back links."""
        self.cites += [Cite(number, f"{name}#{anchor}", place) for number, anchor in state.cites[start:]]


def back_links(cites: list[Cite]) -> list[dict[str, str]]:
    """One back link per citation, named by its place; repeats in one place are numbered."""
    seen: Counter[str] = Counter()
    out = []
    for cite in cites:
        seen[cite.place] += 1
        place = cite.place if seen[cite.place] == 1 else f"{cite.place} ({seen[cite.place]})"
        out.append({"href": cite.href, "place": place})
    return out
