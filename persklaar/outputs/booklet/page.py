"""The booklet's one HTML document, and writing the booklet and its imposed version.

Every number the templates print (reading times, totals, link numbers) comes from the
model and the shared views, never from a template. Ids: a chapter is
`chapter-<slug>`, a module `module-<n>`, a course section `section-<slug>`, a heading
`<unit>--<id>` (the unit's id space made unique in the one document).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it.utils import EnvType
from markupsafe import Markup

from ...core import reading_time
from ...core.model import Body, Chapter, Module, Publication, Section, Target, group_parts
from ...errors import BuildError
from ...render import figures, qr, templating, views
from ...render.code import code_columns
from ...render.html import HtmlRenderer, Page, Placements
from ...render.pdf import browsable_html, font_timestamps, render_pdf
from ...render.styles import stylesheets
from ..base import KEPT_HTML, BuildOptions, Job
from .design import STYLESHEETS


def write_booklet(pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
    """Write the booklet PDF and its imposed version (job.targets) under `staging`."""
    booklet_name, imposed_name = job.targets
    markup = page_html(pub, options)
    styles = stylesheets(pub, STYLESHEETS, pub.settings.page)
    if options.keep_html:
        _write(staging / KEPT_HTML / f"{pub.slug}.html", browsable_html(markup, styles, pub.root))
    moment = views.build_moment(pub, options.source_date_epoch)
    with font_timestamps(int(moment.timestamp())):
        pdf = render_pdf(markup, pub.root, styles, pub.meta.identifier, booklet_name, pub.settings.pdf_standard,
                         settle=lambda document: same_page(document, markup))
    from .impose import impose, sheet_points  # pypdf: imported by the worker only, not by the planner

    page = pub.settings.page
    subject = pub.labels["imposed_subject"].format(page=page.name, sheet=page.sheet, file=booklet_name)
    try:
        imposed = impose(pdf, subject, sheet_points(page.sheet_width, page.sheet_height))
    except Exception as exc:  # pypdf raises many kinds; any means no print version
        raise BuildError(f"{imposed_name}: imposition failed ({type(exc).__name__}: {exc})") from None
    _write(staging / booklet_name, pdf)
    _write(staging / imposed_name, imposed)


def same_page(document, markup: str) -> str | None:
    """The booklet's HTML with each reference to a figure, table or formula on the reference's
    own page marked `data-same-page` (booklet.css then prints "Figuur 3.2" without "op p. 8");
    None when there is none. Laid out once more, a page rarely changes: the words dropped
    only shorten a line."""
    same = set()
    for page in document.pages:
        for kind, target, _, box in page.links:
            number = box.element.get("data-xref") if kind == "internal" and box.element is not None else None
            if number and target in page.anchors:
                same.add(number)
    if not same:
        return None
    return re.sub(r' data-xref="(\d+)"', lambda m: m.group() + (" data-same-page" if m.group(1) in same else ""),
                  markup)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def page_html(pub: Publication, options: BuildOptions) -> str:
    """The booklet as one HTML document, ready for WeasyPrint."""
    renderer = BookletRenderer(pub)
    chapters = [renderer.chapter(c, i) for i, c in enumerate(views.essay(pub), start=1)]
    modules = [renderer.module(m) for m in pub.modules]
    back = [renderer.chapter(c, 0) for c in views.back_matter(pub)]
    return templating.render(
        pub, "booklet/booklet.html",
        meta=pub.meta, settings=pub.settings,
        stamp=views.w3c(views.build_moment(pub, options.source_date_epoch)),
        edition_date=pub.locale.date(pub.meta.date),
        icon=next((m.icon for m in pub.modules if m.icon), ""),
        cover_image=pub.settings.cover.image.path if pub.settings.cover.image else "",
        chapters=chapters, modules=modules, back=back, parts=group_parts(chapters, lambda c: c.part),
        times=_times(pub), links=[_link(link, pub) for link in pub.links],
        lists=views.listed(pub, lambda target: renderer.render_target(target, renderer.page("", target.unit))),
    )


@dataclass(frozen=True)
class ChapterView:
    id: str
    number: int
    title: str
    part: str | None
    first_of_part: bool
    minutes: int
    html: Markup
    language: str | None = None  # front matter `language:` (lang and dir on the chapter)
    back_matter: bool = False  # the bibliography: no chapter number, no reading time


@dataclass(frozen=True)
class SectionView:
    id: str
    number: str
    title: str
    intro: Markup
    resources: list[views.ResourceRow]
    count: int
    minutes: int
    untimed: str  # " + 1 zonder tijd", or ""


@dataclass(frozen=True)
class ModuleView:
    id: str
    number: int
    title: str
    icon: str
    summary: str
    sections: list[SectionView]
    count: int
    minutes: int
    untimed: str


def chapter_id(chapter: Chapter) -> str:
    return f"chapter-{chapter.slug}"


def module_id(module: Module) -> str:
    return f"module-{module.number}"


class BookletRenderer(HtmlRenderer):
    """Markdown in the booklet: reference numbers and internal links point into the one document;
    footnotes float to the foot of their page; code lines break at the text's width."""

    notes_at_foot = True
    math_pictures = True  # WeasyPrint draws no MathML

    def __init__(self, pub: Publication) -> None:
        super().__init__(pub)
        self.placed = Placements()  # one document: a table placed again gets fresh ids
        self.units = {c.slug: chapter_id(c) for c in pub.chapters} | {m.unit: module_id(m) for m in pub.modules}
        self.previous_part: str | None = None
        self.xrefs = 0  # references to numbered elements so far (render_number_xref)

    # -- hooks -----------------------------------------------------------------
    def render_heading_id(self, body: Body, anchor: str) -> str:
        return f"{body.unit}--{anchor}"

    def render_xref(self, target: Target, page: Page) -> str:
        """A page number after the link (CSS target-counter), unless it leads to the top of its own page."""
        if target.kind == "unit" and target.unit == page.unit:
            return ""
        return f' class="xref" data-page="{html.escape(self.pub.labels["page_short"])}"'

    def render_number_xref(self, target: Target, env: EnvType) -> str:
        """ "Figuur 3.2 op p. 14": the page number in print (CSS target-counter, booklet.css);
        numbered (`data-xref`) so `same_page` can drop it where the figure is on the same page."""
        self.xrefs += 1
        return (f' class="xref-number" data-page="{html.escape(self.pub.labels["on_page"])}"'
                f' data-xref="{self.xrefs}"')

    def render_code_columns(self) -> int:
        return code_columns(self.pub.settings.page.width - 33)  # booklet.css: 14 + 19 mm of margins

    def render_target(self, target: Target, page: Page) -> str:
        if target.kind == "heading":
            return f"#{target.unit}--{target.anchor}"
        if target.kind == "section":
            return f"#section-{target.anchor}"
        return f"#{self.units[target.unit]}"

    def render_figure(self, table_id: str, page: Page, number: figures.TableNumber | None = None,
                      chart: figures.TableNumber | None = None) -> str:
        """The data table, then its chart (an SVG image) captioned with the table's title.

        figures.figure_html would caption the chart with the table's note, which the
        table already prints right above it; on paper the same words twice look wrong.
        """
        table = self.pub.table(table_id)
        if table is None:  # the loader refused this already; keep the build honest
            raise BuildError(f"unknown data table {table_id!r}")
        key = page.placed.key(table.id)
        out = figures.table_html(table, self.pub.locale, f"table-{key}", number)
        if not table.chart:
            return out
        return out + figures.chart_figure(table, figures.chart_img(table, self.pub.locale), key, chart,
                                          self.pub.labels["chart"])

    # -- the parts of the booklet ------------------------------------------------
    def page(self, prefix: str, unit: str) -> Page:
        return Page(unit=unit, prefix=prefix, placed=self.placed)

    def chapter(self, chapter: Chapter, number: int) -> ChapterView:
        body = self.render_body(chapter.body, self.page(f"{chapter.slug}--", chapter.slug))
        first = chapter.part is not None and chapter.part != self.previous_part
        self.previous_part = chapter.part
        return ChapterView(chapter_id(chapter), number, chapter.title, chapter.part, first,
                           chapter.minutes(self.pub.settings), templating.safe(body), chapter.language,
                           chapter.back_matter)

    def module(self, module: Module) -> ModuleView:
        sections = [self.section(s) for s in module.sections]
        totals = views.module_totals(module)
        return ModuleView(module_id(module), module.number, module.title, module.icon,
                          module.summary, sections, totals.count, totals.minutes, totals.untimed_note(self.pub.labels))

    def section(self, section: Section) -> SectionView:
        intro = self.render_body(section.intro, self.page(f"{section.slug}--", section.intro.unit))
        totals = views.section_totals(section)
        rows = views.resource_rows(self.pub, section)
        return SectionView(f"section-{section.slug}", section.number, section.title, templating.safe(intro),
                           rows, totals.count, totals.minutes, totals.untimed_note(self.pub.labels))


def _times(pub: Publication) -> dict:
    words, minutes = reading_time.essay_total(pub)
    rows = [(f"chapter-{t.slug}", t.title, t.words, t.minutes) for t in reading_time.chapter_times(pub)]
    return {"rows": rows, "words": words, "minutes": minutes,
            "speed": pub.locale.number(pub.settings.reading_speed)}


def _link(link, pub: Publication) -> dict:
    """One appendix entry; the QR code is our own image of our own SVG, so it is marked safe."""
    alt = pub.labels["qr_alt"].format(number=link.number, url=link.url)
    return {"number": link.number, "text": link.text, "url": link.url, "placeholder": link.placeholder,
            "qr": templating.safe(qr.img(link.url, alt, pub.root))}
