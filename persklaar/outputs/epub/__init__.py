"""The EPUB 3 for e-readers: valid (epubcheck), accessible, reproducible.

    pages = _Pages(pub).render()              # Jinja XHTML, one file per chapter (templates/epub/)
    cover = cover_png(pub)                    # the title page design: WeasyPrint → pypdfium2 → PNG
    book = package(pub, pages, cover, when)   # ebooklib: metadata, manifest, spine, guide
    write(book, target, when)                 # ebooklib → temp file → deterministic re-zip

Every XHTML page, the navigation document and the NCX come from our own templates;
ebooklib writes the package document and the container. Its own page handling is not
used on purpose: it re-parses XHTML with an HTML parser (losing `epub:type` and the
namespaces) and crashes on an empty page.

Links stay live in the text and carry their reference number, which points into the
link appendix (`links.xhtml#link-N`); the appendix links back to every citation.
Author anchors (`#heading-slug`, `#chapter-slug`) are pointed at the file that holds
them; an anchor that leads nowhere loses its link, as in the booklet.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from ...core import markdown, reading_time
from ...render import figures, templating
from . import epubzip
from ...errors import BuildError
from ...core.labels import labels_for
from ...core.model import Chapter, DataTable, Module, Publication, Section
from ...core.text import format_number, slugify
from ..base import BuildOptions, Job

NAME = "epub"
TEMPLATES = ("epub",)
STYLES = ("epub.css", "tokens.css", "fonts.css", "fonts")  # the last three: the raster cover

STYLESHEET = "css/epub.css"
LINKS = "links.xhtml"
COVER_IMAGE = "images/cover.png"
CHART_PADDING = 8  # SVG units of white ground around the chart
COVER_SIZE = (1600, 2560)  # px: an e-reader cover's 1 : 1.6
COVER_STYLES = ("styles/tokens.css", "styles/fonts.css", "templates/epub/cover-image.css")
XHTML = "application/xhtml+xml"
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}
# ids our templates use on every page; a heading with the same slug gets `-2`
RESERVED_IDS = frozenset({"top", "title", "toc", "toc-title", "colophon", "colophon-title"})


def jobs(pub: Publication) -> list[Job]:
    return [Job(NAME, "", (f"{pub.slug}.epub",), label="EPUB 3", weight=4)]


def content_key(pub: Publication, job: Job) -> object:
    """The EPUB holds the whole publication."""
    return pub


def build(pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
    """Write `job.targets[0]` under `staging`; nothing else is left behind."""
    target = staging / job.targets[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    when = modified_time(pub, options)
    book = package(pub, _Pages(pub).render(), cover_png(pub), when)
    write(book, target, when, pub.meta.language)


def modified_time(pub: Publication, options: BuildOptions) -> dt.datetime:
    """`dcterms:modified` and the zip entries' time: SOURCE_DATE_EPOCH, else the edition date."""
    if options.source_date_epoch is not None:
        return dt.datetime.fromtimestamp(options.source_date_epoch, dt.timezone.utc)
    return dt.datetime.combine(pub.meta.date, dt.time(), dt.timezone.utc)


# ---------------------------------------------------------------- pages


@dataclass
class Page:
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
class Pages:
    """Everything `package` needs: the pages, the other files, the tables of contents."""

    pages: list[Page]
    toc: list[Entry]
    landmarks: list[dict[str, str]]
    assets: dict[str, tuple[str, bytes]]  # name → (media type, bytes)
    visual: bool  # charts or images: accessMode visual, alternativeText


class _Pages:
    """Renders every page of the book, collecting citations, anchors and files on the way."""

    def __init__(self, pub: Publication) -> None:
        self.pub = pub
        self.lang = pub.meta.language
        self.labels = labels_for(self.lang)
        self.cites: list[Cite] = []
        self.aliases: dict[str, str] = {}  # author anchor → "file#id"
        self.assets: dict[str, tuple[str, bytes]] = {}
        self.reserved = RESERVED_IDS | {f"{kind}-{t.id}" for t in pub.tables for kind in ("table", "chart")}

    def render(self) -> Pages:
        pages = [self.cover(), self.title_page()]
        body, toc = self.body()
        back = [self.reading_times()] + ([self.link_appendix()] if self.pub.links else [])
        toc = [Entry(self.labels["title_page"], "title.xhtml"), *toc,
               *(Entry(p.title, p.name) for p in back)]
        landmarks = self.landmarks(body, back)
        pages += [self.nav(toc, landmarks), *body, *back]
        for page in pages:
            page.xhtml = resolve_anchors(page.xhtml, self.aliases)
        return Pages(pages, toc, landmarks, self.assets, any(n.startswith("images/") for n in self.assets))

    # -- the parts of the book -------------------------------------------------
    def body(self) -> tuple[list[Page], list[Entry]]:
        """Parts, chapters and course modules: pages and their entries in the contents."""
        pages: list[Page] = []
        toc: list[Entry] = []
        named = 0
        for part, chapters in self.pub.parts:
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

    def chapter(self, chapter: Chapter) -> tuple[Page, Entry]:
        name = chapter_file(chapter)
        ctx = self.context(chapter.body)
        body = fix_heading_order(markdown.render(chapter.body, ctx), parent=1)
        self.note(ctx, 0, name, chapter.title)
        self.alias(ctx, name, chapter.slug)
        page = self.page("epub/chapter.xhtml", name, chapter.title, "bodymatter", body=templating.safe(body))
        return page, Entry(chapter.title, name, [Entry(t, f"{name}#{i}") for i, t in headings(body, 2)])

    def module(self, module: Module) -> tuple[Page, Entry]:
        name = module_file(module)
        heading = self.module_heading(module)
        ctx = self.context(None, heading_shift=1)  # intros: `##` under the section's h2
        ctx.heading_ids |= {section_id(s) for s in module.sections} | {f"{section_id(s)}-title" for s in module.sections}
        sections = [self.section(section, ctx, name) for section in module.sections]
        self.alias(ctx, name)
        count, minutes = reading_time.module_total(module)
        view = {"heading": heading, "summary": module.summary,
                "count": count, "minutes": minutes, "sections": sections}
        page = self.page("epub/module.xhtml", name, heading, "bodymatter", module=view)
        entries = [Entry(f"{s['number']} {s['title']}", f"{name}#{s['id']}") for s in sections]
        return page, Entry(heading, name, entries)

    def section(self, section: Section, ctx: markdown.RenderContext, name: str) -> dict:
        start = len(ctx.cites)
        ctx.image_src = self.image_source(section.intro)
        intro = fix_heading_order(markdown.render(section.intro, ctx), parent=2)
        rows = [self.resource(timed, ctx) for timed in reading_time.resource_times(section, self.pub.settings)]
        self.note(ctx, start, name, f"{section.number} {section.title}")
        self.aliases.setdefault(section.slug, f"{name}#{section_id(section)}")
        count, minutes = reading_time.section_total(section)
        return {"id": section_id(section), "number": section.number, "title": section.title,
                "intro": templating.safe(intro), "resources": rows, "count": count, "minutes": minutes}

    def resource(self, timed: reading_time.ResourceTime, ctx: markdown.RenderContext) -> dict:
        item = timed.resource
        number = self.pub.link_number(item.url)
        if number is None:  # links.collect numbers every resource; keep the build honest
            raise BuildError(f"{item.source}: resource URL {item.url!r} has no link number")
        length = "short" if timed.short else "long"
        return {"title": item.title, "url": item.url, "minutes": item.minutes,
                "kind": self.labels[f"kind_{item.kind}"], "length": length, "badge": self.labels[length],
                "cite": {"anchor": ctx.cite(number), "number": number, "href": link_href(number)}}

    def cover(self) -> Page:
        meta = self.pub.meta
        alt = ". ".join(p for p in (meta.title, meta.subtitle, ", ".join(meta.authors)) if p)
        return self.page("epub/cover.xhtml", "cover.xhtml", self.labels["cover"], "", body_class="cover",
                         image=COVER_IMAGE, alt=alt)

    def title_page(self) -> Page:
        return self.page("epub/title.xhtml", "title.xhtml", self.pub.meta.title, "frontmatter",
                         meta=self.pub.meta, edition_date=long_date(self.pub.meta.date, self.lang))

    def nav(self, toc: list[Entry], landmarks: list[dict[str, str]]) -> Page:
        page = self.page("epub/nav.xhtml", "nav.xhtml", self.labels["contents"], "frontmatter",
                         toc=toc, landmarks=landmarks)
        page.nav = True
        return page

    def reading_times(self) -> Page:
        words, minutes = reading_time.essay_total(self.pub)
        rows = [{"href": chapter_file(c), "title": t.title, "words": format_number(t.words, self.lang),
                 "minutes": t.minutes}
                for c, t in zip(self.pub.chapters, reading_time.chapter_times(self.pub))]
        essay = {"rows": rows, "words": format_number(words, self.lang), "minutes": minutes}
        modules = [self.module_times(m) for m in self.pub.modules]
        note = self.labels["reading_time_note"].format(speed=format_number(self.pub.settings.reading_speed, self.lang))
        return self.page("epub/reading-times.xhtml", "reading-times.xhtml", self.labels["reading_times"],
                         "backmatter", essay=essay, modules=modules, note=note)

    def module_times(self, module: Module) -> dict:
        rows = [{"href": f"{module_file(module)}#{section_id(s)}", "number": s.number, "title": s.title,
                 "count": len(s.resources), "minutes": s.total_minutes} for s in module.sections]
        count, minutes = reading_time.module_total(module)
        return {"heading": self.module_heading(module), "rows": rows, "count": count, "minutes": minutes}

    def link_appendix(self) -> Page:
        back: dict[int, list[Cite]] = {}
        for cite in self.cites:
            back.setdefault(cite.number, []).append(cite)
        links = [{"number": link.number, "url": link.url, "text": link.text,
                  "show_text": bool(link.text) and link.text not in (link.url, link.url.removeprefix("mailto:")),
                  "placeholder": link.placeholder, "back": back_links(back.get(link.number, []))}
                 for link in self.pub.links]
        return self.page("epub/links.xhtml", LINKS, self.labels["link_appendix"], "backmatter", links=links)

    def landmarks(self, body: list[Page], back: list[Page]) -> list[dict[str, str]]:
        marks = [("cover", "cover.xhtml", self.labels["cover"]),
                 ("titlepage", "title.xhtml", self.labels["title_page"]),
                 ("toc", "nav.xhtml#toc", self.labels["contents"])]
        if body:
            marks.append(("bodymatter", body[0].name, body[0].title))
        marks.append(("backmatter", back[0].name, back[0].title))
        return [{"type": t, "href": h, "title": title} for t, h, title in marks]

    # -- helpers -----------------------------------------------------------------
    def page(self, template: str, name: str, title: str, body_type: str, body_class: str = "", **data) -> Page:
        xhtml = templating.render(self.pub.root, template, self.lang, title=title, stylesheet=STYLESHEET,
                                  body_type=body_type, body_class=body_class, **data)
        return Page(name, title, xhtml)

    def module_heading(self, module: Module) -> str:
        return f"{self.labels['course']} {module.number}: {module.title}"

    def context(self, doc: markdown.Markdown | None, heading_shift: int = 0) -> markdown.RenderContext:
        return markdown.RenderContext(
            link_number=self.pub.link_number, ref_href=link_href, figure_html=self.figure_maker(),
            image_src=self.image_source(doc) if doc else (lambda src: src),
            heading_ids=set(self.reserved), heading_shift=heading_shift,
        )

    def note(self, ctx: markdown.RenderContext, start: int, name: str, place: str) -> None:
        """Remember where the citations made since `start` sit, for the back links."""
        self.cites += [Cite(number, f"{name}#{anchor}", place) for number, anchor in ctx.cites[start:]]

    def alias(self, ctx: markdown.RenderContext, name: str, slug: str = "") -> None:
        """Let `#slug` (a chapter) and `#heading-slug` written by authors reach the file holding them."""
        if slug:
            self.aliases.setdefault(slug, f"{name}#top")
        for anchor in sorted(ctx.heading_ids - self.reserved):
            self.aliases.setdefault(anchor, f"{name}#{anchor}")

    def figure_maker(self):
        """The figure renderer of one page: a table placed twice gets fresh ids the second time."""
        placed = figures.Placements()

        def figure(table_id: str) -> str:
            table = self.pub.table(table_id)
            if table is None:  # content.load already refused this; keep the build honest
                raise BuildError(f"unknown data table {table_id!r}")
            return self.figure(table, placed.key(table.id))

        return figure

    def figure(self, table: DataTable, key: str) -> str:
        src = f"images/chart-{slugify(table.id)}.svg"
        if table.chart:
            self.assets[src] = ("image/svg+xml", chart_file(table, self.lang))
        alt = html.escape(figures.chart_description(table, self.lang))
        img = f'<img class="chart" src="{src}" alt="{alt}" aria-describedby="table-{key}" />'
        return figures.figure_html(table, self.lang, img, key)

    def image_source(self, doc: markdown.Markdown):
        """Where a Markdown image of `doc` lives in the book; copies the file in."""
        content = (self.pub.root / "content").resolve()
        base = (self.pub.root / doc.source.path).parent if doc.source.path.startswith("content/") else content

        def source(src: str) -> str:
            path = (base / unquote(src)).resolve()  # markdown-it percent-encodes link targets
            media = IMAGE_TYPES.get(path.suffix.lower())
            if not path.is_relative_to(content) or not path.is_file():
                raise BuildError(f"{doc.source}: image {src!r} is not a file under content/")
            if media is None:
                raise BuildError(f"{doc.source}: image {src!r}: use PNG, JPEG, GIF, WebP or SVG in an EPUB")
            rel = path.relative_to(content)
            name = "images/" + "-".join(slugify(p) for p in rel.with_suffix("").parts) + path.suffix.lower()
            self.assets[name] = (media, path.read_bytes())
            return name

        return source


def chapter_file(chapter: Chapter) -> str:
    return f"chapter-{chapter.slug}.xhtml"


def module_file(module: Module) -> str:
    return f"module-{module.number:02d}.xhtml"


def section_id(section: Section) -> str:
    return f"section-{section.slug}"


def link_href(number: int) -> str:
    return f"{LINKS}#link-{number}"


def back_links(cites: list[Cite]) -> list[dict[str, str]]:
    """One back link per citation, named by its place; repeats in one place are numbered."""
    seen: Counter[str] = Counter()
    out = []
    for cite in cites:
        seen[cite.place] += 1
        place = cite.place if seen[cite.place] == 1 else f"{cite.place} ({seen[cite.place]})"
        out.append({"href": cite.href, "place": place})
    return out


def long_date(day: dt.date, language: str) -> str:
    """`1 juni 2025` when the label table has month names, else ISO 8601."""
    labels = labels_for(language)
    months = labels.get("months", "").split()
    if len(months) != 12:
        return day.isoformat()
    return labels.get("date_format", "{day} {month} {year}").format(day=day.day, month=months[day.month - 1],
                                                                      year=day.year)


def chart_file(table: DataTable, language: str) -> bytes:
    """The chart as an SVG file: sized, and on its own white ground with a margin.

    The ground keeps the black labels readable when a reader's night mode darkens the
    page behind a transparent image.
    """
    svg = figures.chart_svg(table, language)
    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if match is None:
        raise BuildError(f"chart of {table.id!r}: the SVG has no viewBox")
    pad = CHART_PADDING
    width, height = (float(v) + 2 * pad for v in match.groups())
    box = f'width="{width:g}" height="{height:g}" viewBox="{-pad} {-pad} {width:g} {height:g}"'
    svg = svg.replace(match.group(0), box, 1)
    ground = f'<rect x="{-pad}" y="{-pad}" width="{width:g}" height="{height:g}" fill="#ffffff"/>'
    svg = svg.replace("</desc>", "</desc>\n" + ground, 1)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n").encode()


# ---------------------------------------------------------------- XHTML fix-ups

_HEADING = re.compile(r"<(/?)h([1-6])\b")
_H = r'<h{level} id="([^"]+)">(.*?)</h{level}>'
_REF = re.compile(r'<sup class="ref"[^>]*>.*?</sup>', re.S)
_TAG = re.compile(r"<[^>]+>")
_HREF = re.compile(r'<a href="#([^"]*)"')
_ID = re.compile(r'\sid="([^"]+)"')


def fix_heading_order(fragment: str, parent: int) -> str:
    """Renumber headings so that none skips a level below the page's `parent` heading.

    `### a` straight under the chapter title becomes an h2; siblings stay siblings.
    Screen-reader users navigate by heading level, so gaps read as missing sections.
    """
    stack = [(parent, parent)]  # (level written, level given)
    opened = parent

    def renumber(match: re.Match[str]) -> str:
        nonlocal opened
        if match.group(1):
            return f"</h{opened}"
        level = int(match.group(2))
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        opened = min(6, stack[-1][1] + 1)
        stack.append((level, opened))
        return f"<h{opened}"

    return _HEADING.sub(renumber, fragment)


def headings(fragment: str, level: int) -> list[tuple[str, str]]:
    """(id, text) of every heading of `level`, without reference numbers."""
    found = re.findall(_H.format(level=level), fragment, re.S)
    return [(ident, html.unescape(_TAG.sub("", _REF.sub("", inner))).strip()) for ident, inner in found]


def resolve_anchors(xhtml: str, aliases: dict[str, str]) -> str:
    """Point author anchors (`#x`) at the file holding them; drop links that lead nowhere."""
    ids = set(_ID.findall(xhtml))

    def fix(match: re.Match[str]) -> str:
        target = match.group(1)
        if target in ids:
            return match.group(0)
        if target in aliases:
            return f'<a href="{html.escape(aliases[target])}"'
        return "<a"

    return _HREF.sub(fix, xhtml)


# ---------------------------------------------------------------- the cover


def cover_png(pub: Publication) -> bytes:
    """The raster cover: the title page design, laid out by WeasyPrint, rasterised by pdfium."""
    from ...render.pdf import render_pdf

    labels = labels_for(pub.meta.language)
    kicker = " · ".join([labels["essay"]] * bool(pub.chapters) + [labels["course"]] * bool(pub.modules))
    page = templating.render(pub.root, "epub/cover-image.html", pub.meta.language, meta=pub.meta,
                             icon=next((m.icon for m in pub.modules if m.icon), ""), kicker=kicker)
    pdf = render_pdf(page, pub.root, [pub.root / s for s in COVER_STYLES], pub.meta.identifier, "EPUB cover")
    return rasterise(pdf, COVER_SIZE)


def rasterise(pdf: bytes, size: tuple[int, int]) -> bytes:
    """The first page of `pdf` as a PNG of exactly `size` pixels (deterministic bytes)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=size[0] / page.get_width()).to_pil().convert("RGB")
    finally:
        document.close()
    if image.size != size:  # a rounding pixel; never a different design
        image = image.resize(size)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


# ---------------------------------------------------------------- the package


def package(pub: Publication, pages: Pages, cover: bytes, when: dt.datetime):
    """The ebooklib book: metadata, manifest, spine and guide around our own files."""
    from ebooklib import epub

    for page in pages.pages:
        well_formed(page.name, page.xhtml.encode())
    book = epub.EpubBook()
    metadata(book, pub, pages.visual)
    book.set_cover(COVER_IMAGE, cover, create_page=False)
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css",
                                content=(pub.root / "styles" / "epub.css").read_bytes()))
    for name, (media, data) in sorted(pages.assets.items()):
        if media == "image/svg+xml":
            well_formed(name, data)
        book.add_item(epub.EpubItem(uid=f"img-{slugify(name)}", file_name=name, media_type=media, content=data))
    ncx = ncx_xml(pub, pages.toc)
    well_formed("toc.ncx", ncx)
    book.add_item(epub.EpubItem(uid="ncx", file_name="toc.ncx", media_type="application/x-dtbncx+xml", content=ncx))
    for page in pages.pages:
        item = epub.EpubItem(uid=page.name.removesuffix(".xhtml"), file_name=page.name, media_type=XHTML,
                             content=page.xhtml.encode())
        item.properties = ["nav"] if page.nav else []
        book.add_item(item)
        book.spine.append(item)
    book.guide = [{"type": m, "href": h, "title": t} for m, h, t in _guide(pages.landmarks)]
    return book


def _guide(landmarks: list[dict[str, str]]):
    """The EPUB 2 guide (older readers) from the landmarks: cover, toc and start of text."""
    kinds = {"cover": "cover", "toc": "toc", "bodymatter": "text"}
    for mark in landmarks:
        if mark["type"] in kinds:
            yield kinds[mark["type"]], mark["href"], mark["title"]


def metadata(book, pub: Publication, visual: bool) -> None:
    meta = pub.meta
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    for number, author in enumerate(meta.authors, start=1):
        book.add_author(author, uid=f"creator-{number}")
    book.add_metadata("DC", "date", meta.date.isoformat())
    book.add_metadata("DC", "rights", meta.licence)
    if meta.description:
        book.add_metadata("DC", "description", meta.description)
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)
    for prop, value in accessibility(pub, visual):
        book.add_metadata(None, "meta", value, {"property": prop})


def accessibility(pub: Publication, visual: bool) -> list[tuple[str, str]]:
    """schema.org accessibility metadata (EPUB Accessibility 1.1), true to what we make."""
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if visual:
        features += ["alternativeText", "longDescription"]
    props = [("schema:accessMode", "textual")] + [("schema:accessMode", "visual")] * visual
    props += [("schema:accessModeSufficient", "textual")]
    props += [("schema:accessibilityFeature", f) for f in features]
    props += [("schema:accessibilityHazard", "none"),
              ("schema:accessibilitySummary", labels_for(pub.meta.language)["accessibility_summary"])]
    return props


def ncx_xml(pub: Publication, toc: list[Entry]) -> bytes:
    """The EPUB 2 NCX: the nav document's tree with ids and play order."""
    orders: dict[str, int] = {}
    counter = iter(range(1, 100000))

    def point(entry: Entry, depth: int) -> dict:
        src = entry.href or (entry.children[0].href if entry.children else "")
        if src not in orders:
            orders[src] = len(orders) + 1
        return {"ncx_id": f"np-{next(counter)}", "play_order": orders[src], "title": entry.title, "src": src,
                "depth": depth, "children": [point(c, depth + 1) for c in entry.children]}

    points = [point(e, 1) for e in toc]
    depth = max((_depth(p) for p in points), default=1)
    return templating.render(pub.root, "epub/toc.ncx", pub.meta.language, identifier=pub.meta.identifier,
                             title=pub.meta.title, toc=points, depth=depth).encode()


def _depth(point: dict) -> int:
    return max([point["depth"]] + [_depth(c) for c in point["children"]])


def well_formed(name: str, data: bytes) -> None:
    """Every file we put in the book parses as XML, or the build stops naming it."""
    import xml.etree.ElementTree as ET

    try:
        ET.fromstring(data)
    except ET.ParseError as exc:
        raise BuildError(f"EPUB file {name} is not well-formed XML: {exc}") from None


# ---------------------------------------------------------------- writing


def write(book, target: Path, when: dt.datetime, language: str) -> None:
    """ebooklib writes a temporary file; the deterministic re-zip then becomes `target`.

    ebooklib writes straight to its file and leaves a corrupt one when it fails midway,
    so it never writes the target; the re-zip goes to a temporary name and is renamed.
    """
    from ebooklib import epub

    raw = target.with_name(f".{target.name}.ebooklib.tmp")
    zipped = target.with_name(f".{target.name}.zip.tmp")
    try:
        try:
            epub.write_epub(str(raw), book, {"raise_exceptions": True, "mtime": when, "epub3_pages": False})
        except Exception as exc:  # ebooklib raises many kinds (lxml, zipfile, OSError)
            raise BuildError(f"{target.name}: ebooklib could not write the EPUB ({type(exc).__name__}: {exc})") from None
        epubzip.rezip(raw, zipped, when, edit=lambda name, data: _edit(name, data, language))
        zipped.replace(target)
    finally:
        raw.unlink(missing_ok=True)
        zipped.unlink(missing_ok=True)


def _edit(name: str, data: bytes, language: str) -> bytes:
    """`xml:lang` on the package element: ebooklib has no option for it (Ace asks for it)."""
    if not name.endswith(".opf"):
        return data
    from lxml import etree

    root = etree.fromstring(data)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
