"""The booklet: the whole publication as an A5 PDF, plus the same pages imposed for print.

    html = page_html(pub, options)          # Jinja: templates/booklet/*.html
    pdf = render_pdf(html, styles)          # WeasyPrint: tagged, fonts embedded
    imposed = impose(pdf)                   # pypdf: two-up on A4 for saddle stitching

The page design (A5, mirrored margins, running heads, table of contents with
`target-counter`, outline levels) lives in `styles/booklet.css`; this module only
prepares the data the templates print. Every number (reading times, totals, link
numbers) comes from the model and its helpers, never from a template.

With `options.keep_html` the HTML given to WeasyPrint is also written to
`html/<slug>.html` under the staging folder; the pipeline publishes it to `dist/html/`
with the job's targets.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

from ...core import markdown, reading_time
from ...render import figures, qr, templating
from ...errors import BuildError
from ...core.labels import labels_for
from ...core.model import Chapter, Module, Publication, Section
from ...render.pdf import KEPT_HTML, browsable_html, font_timestamps, render_pdf
from ...core.text import format_number
from ..base import BuildOptions, Job

NAME = "booklet"
TEMPLATES = ("booklet",)
STYLES = ("tokens.css", "fonts.css", "booklet.css", "fonts")
STYLESHEETS = ("tokens.css", "fonts.css", "booklet.css")


def jobs(pub: Publication) -> list[Job]:
    """One job: the booklet and its imposed version are made from the same render."""
    targets = (f"{pub.slug}.pdf", f"{pub.slug}-imposed.pdf")
    return [Job(NAME, "", targets, label="booklet (PDF)", weight=10)]


def content_key(pub: Publication, job: Job) -> object:
    """The booklet prints everything, so it depends on the whole publication."""
    return pub


def build(pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
    """Write the booklet PDF and its imposed version (job.targets) under `staging`."""
    booklet_name, imposed_name = job.targets
    markup = page_html(pub, options)
    styles = [pub.root / "styles" / name for name in STYLESHEETS]
    if options.keep_html:
        _write(staging / KEPT_HTML / f"{pub.slug}.html", browsable_html(markup, styles, pub.root))
    with font_timestamps(_epoch(pub, options)):
        pdf = render_pdf(markup, pub.root, styles, pub.meta.identifier, booklet_name)
    from .impose import impose  # pypdf: imported by the worker only, not by the planner

    subject = labels_for(pub.meta.language)["imposed_subject"].format(file=booklet_name)
    try:
        imposed = impose(pdf, subject)
    except Exception as exc:  # pypdf raises many kinds; any means no print version
        raise BuildError(f"{imposed_name}: imposition failed ({type(exc).__name__}: {exc})") from None
    _write(staging / booklet_name, pdf)
    _write(staging / imposed_name, imposed)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# ---------------------------------------------------------------- the page


def page_html(pub: Publication, options: BuildOptions) -> str:
    """The booklet as one HTML document, ready for WeasyPrint."""
    lang = pub.meta.language
    renderer = _Renderer(pub)
    chapters = [renderer.chapter(c, i) for i, c in enumerate(pub.chapters, start=1)]
    modules = [renderer.module(m) for m in pub.modules]
    document = templating.render(
        pub.root, "booklet/booklet.html", lang,
        meta=pub.meta, settings=pub.settings, stamp=_stamp(pub, options),
        edition_date=_long_date(pub.meta.date, lang),
        icon=next((m.icon for m in pub.modules if m.icon), ""),
        chapters=chapters, modules=modules, parts=_parts(chapters),
        times=_times(pub), links=[_link(link) for link in pub.links],
    )
    return resolve_anchors(document, renderer.aliases)


def _epoch(pub: Publication, options: BuildOptions) -> int:
    """The build's one date, in seconds: SOURCE_DATE_EPOCH if given, else the edition date."""
    if options.source_date_epoch is not None:
        return options.source_date_epoch
    midnight = dt.datetime.combine(pub.meta.date, dt.time(), dt.timezone.utc)
    return int(midnight.timestamp())


def _stamp(pub: Publication, options: BuildOptions) -> str:
    """The PDF's creation/modification date (W3C format, read by WeasyPrint)."""
    moment = dt.datetime.fromtimestamp(_epoch(pub, options), dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _long_date(day: dt.date, language: str) -> str:
    """`1 juni 2025`: the month name from the label table."""
    months = labels_for(language)["months"].split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class ChapterView:
    id: str
    number: int
    title: str
    part: str | None
    first_of_part: bool
    minutes: int
    html: object  # Markup


@dataclass(frozen=True)
class SectionView:
    id: str
    number: str
    title: str
    intro: object  # Markup
    resources: list[dict]
    count: int
    minutes: int


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


class _Renderer:
    """Renders Markdown for the booklet: reference numbers point into the link appendix."""

    def __init__(self, pub: Publication) -> None:
        self.pub = pub
        self.lang = pub.meta.language
        self.aliases: dict[str, str] = {}  # author anchors (`#slug`) → ids in the booklet
        self.placed = figures.Placements()  # a table placed again gets fresh ids
        self.previous_part: str | None = None

    def context(self, prefix: str) -> markdown.RenderContext:
        return markdown.RenderContext(
            link_number=self.pub.link_number, ref_href=lambda n: f"#link-{n}",
            figure_html=self.figure, id_prefix=prefix,
        )

    def figure(self, table_id: str) -> str:
        """The data table, then its chart (inline SVG) captioned with the table's title.

        figures.figure_html would caption the chart with the table's note, which the
        table already prints right above it; on paper the same words twice look wrong.
        """
        table = self.pub.table(table_id)
        if table is None:  # content.load already refused this; keep the build honest
            raise BuildError(f"unknown data table {table_id!r}")
        key = self.placed.key(table.id)
        out = figures.table_html(table, self.lang, f"table-{key}")
        if not table.chart:
            return out
        label = labels_for(self.lang)["chart"]
        return out + (f'<figure class="chart" id="chart-{key}">{self._chart_svg(table, key)}'
                      f'<figcaption><span class="figure-label">{label}:</span> '
                      f"{html.escape(table.title)}</figcaption></figure>\n")

    def _chart_svg(self, table, key: str) -> str:
        """figures.chart_svg, with its <title>/<desc> ids made unique per placed table."""
        svg = figures.chart_svg(table, self.lang)
        for old in ("chart-title", "chart-desc"):
            svg = re.sub(rf'(?<=["\s]){old}(?=["\s])', f"{old}-{key}", svg)
        return svg

    def chapter(self, chapter: Chapter, number: int) -> ChapterView:
        ident = f"chapter-{chapter.slug}"
        ctx = self.context(f"{chapter.slug}--")
        body = markdown.render(chapter.body, ctx)
        self._alias(chapter.slug, ident, ctx)
        first = chapter.part is not None and chapter.part != self.previous_part
        self.previous_part = chapter.part
        return ChapterView(ident, number, chapter.title, chapter.part, first,
                           chapter.minutes(self.pub.settings), templating.safe(body))

    def module(self, module: Module) -> ModuleView:
        sections = [self.section(s) for s in module.sections]
        count, minutes = reading_time.module_total(module)
        return ModuleView(f"module-{module.number}", module.number, module.title, module.icon,
                          module.summary, sections, count, minutes)

    def section(self, section: Section) -> SectionView:
        ident = f"section-{section.slug}"
        ctx = self.context(f"{section.slug}--")
        intro = markdown.render(section.intro, ctx)
        self._alias(section.slug, ident, ctx)
        count, minutes = reading_time.section_total(section)
        rows = [self._resource(t) for t in reading_time.resource_times(section, self.pub.settings)]
        return SectionView(ident, section.number, section.title, templating.safe(intro), rows, count, minutes)

    def _resource(self, timed: reading_time.ResourceTime) -> dict:
        resource = timed.resource
        return {"title": resource.title, "url": resource.url, "minutes": resource.minutes,
                "kind": resource.kind, "short": timed.short,
                "number": self.pub.link_number(resource.url)}

    def _alias(self, slug: str, ident: str, ctx: markdown.RenderContext) -> None:
        """Let `#slug` and `#heading-slug` written by authors reach the booklet's ids."""
        self.aliases.setdefault(slug, ident)
        for anchor in sorted(ctx.heading_ids):
            self.aliases.setdefault(anchor.split("--", 1)[1], anchor)


def _parts(chapters: list[ChapterView]) -> list[tuple[str | None, list[ChapterView]]]:
    """Chapters grouped by consecutive `part` (None: chapters outside any part)."""
    groups: list[tuple[str | None, list[ChapterView]]] = []
    for chapter in chapters:
        if not groups or groups[-1][0] != chapter.part:
            groups.append((chapter.part, []))
        groups[-1][1].append(chapter)
    return groups


def _times(pub: Publication) -> dict:
    words, minutes = reading_time.essay_total(pub)
    rows = [(f"chapter-{t.slug}", t.title, t.words, t.minutes) for t in reading_time.chapter_times(pub)]
    return {"rows": rows, "words": words, "minutes": minutes,
            "speed": format_number(pub.settings.reading_speed, pub.meta.language)}


def _link(link) -> dict:
    """One appendix entry; the QR code is our own SVG, so it is marked safe."""
    return {"number": link.number, "text": link.text, "url": link.url,
            "placeholder": link.placeholder, "qr": templating.safe(qr.svg(link.url))}


_HREF = re.compile(r'<a href="#([^"]*)"')
_ID = re.compile(r'\sid="([^"]+)"')


def resolve_anchors(markup: str, aliases: dict[str, str]) -> str:
    """Point author anchors at real ids; an anchor that leads nowhere loses its link.

    WeasyPrint would warn (and our build would stop) on a link to a missing anchor,
    but an author's `[see above](#top)` is not worth failing a book for.
    """
    ids = set(_ID.findall(markup))

    def fix(match: re.Match[str]) -> str:
        target = match.group(1)
        if target in ids:
            return match.group(0)
        if aliases.get(target) in ids:
            return f'<a href="#{aliases[target]}"'
        return "<a"

    return _HREF.sub(fix, markup)
