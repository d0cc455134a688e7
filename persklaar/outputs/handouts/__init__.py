"""Handout sheets for teachers: one A4 PDF per course section, plus one combined PDF.

A sheet shows the module and section, the section's intro, a reading-time table (one
row per resource: kind, minutes, a short/long badge that survives a greyscale print,
and a QR code of its URL), the section's totals (computed here, never typed), a link
appendix with every URL of the sheet in full, and a lined notes box when the last
page has room for one.

Each sheet is its own job and depends only on its own section (see `content_key`),
so editing one section rebuilds one sheet. `combine` merges the published sheets
into `COMBINED` afterwards; like any pypdf merge it drops the sheets' PDF tags, so
the single sheets stay the accessible versions.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ...core import links, markdown
from ...render import figures, pdf, qr, templating
from ...errors import BuildError
from ...core.labels import labels_for
from ...core.model import Module, Publication, Section
from ..base import BuildOptions, Job

NAME = "handouts"
TEMPLATES = ("handout",)
STYLES = ("tokens.css", "fonts.css", "handout.css", "fonts")
COMBINED = "handouts/alle-handouts.pdf"
TEMPLATE = "handout/sheet.html"

MAX_PAGES = 2
NOTES_MIN_MM = 40.0   # less room than this on the last page: no notes box
NOTES_LINE_MM = 8.0   # line spacing of the notes box (handwriting); as in handout.css
NOTES_HEAD_MM = 18.0  # the box's top margin, label, padding and borders (handout.css)
MM_PER_PX = 25.4 / 96  # WeasyPrint lays out in CSS pixels


# ---------------------------------------------------------------- the protocol


def jobs(pub: Publication) -> list[Job]:
    """One job per course section, in reading order."""
    return [
        Job(NAME, section.number, targets=(target(section),), label=f"{section.number} {section.title}")
        for _, section in _sections(pub)
    ]


def target(section: Section) -> str:
    """`handouts/08-1-welke-banen-worden-overgenomen.pdf` (relative to dist/)."""
    return f"handouts/{section.slug}.pdf"


def content_key(pub: Publication, job: Job) -> object:
    """What one sheet shows, and nothing else.

    Plain values only: no source positions (they shift when another section grows)
    and no other section, so editing one section leaves the other sheets fresh.
    """
    module, section = _find(pub, job.key)
    return {
        "publication": [pub.meta.title, pub.meta.language, pub.meta.date.isoformat(),
                        list(pub.meta.authors), list(pub.meta.keywords), pub.meta.identifier],
        "short_max_minutes": pub.settings.short_max_minutes,
        "module": [module.number, module.title, module.icon],
        "section": [section.number, section.title, section.intro.text],
        "resources": [[r.title, r.url, r.kind, r.minutes] for r in section.resources],
        "links": [[link.number, link.url] for link in sheet_links(section)],
        "tables": [_table_key(pub, table_id) for table_id in _table_ids(section)],
    }


def build(pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
    """Write the sheet of section `job.key` to `staging/<job.targets[0]>`."""
    module, section = _find(pub, job.key)
    what = job.targets[0]
    day = build_date(pub, options)
    keep = (staging / pdf.KEPT_HTML / f"{section.slug}.html") if options.keep_html else None
    with pdf.font_timestamps(_epoch(day, options)):
        data = render_sheet(pub, module, section, day, what, keep)
    out = staging / what
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def combine(pub: Publication, paths: list[Path], target: Path) -> None:
    """Merge the sheets at `paths` (in section order) into `target`, one bookmark each.

    The sheets' own bookmarks are left out so the outline reads as a list of sheets.
    """
    from pypdf import PdfReader, PdfWriter

    titles = {f"{section.slug}.pdf": f"{section.number} {section.title}" for _, section in _sections(pub)}
    labels = labels_for(pub.meta.language)
    writer = PdfWriter()
    for path in paths:
        if path.name not in titles:
            raise BuildError(f"{COMBINED}: {path.name} is not the handout of any course section")
        start = len(writer.pages)
        writer.append(PdfReader(path), import_outline=False)
        writer.add_outline_item(title=titles[path.name], page_number=start)
    writer.add_metadata({"/Title": f"{labels['all_handouts']} · {pub.meta.title}",
                         "/Author": ", ".join(pub.meta.authors), "/Producer": "persklaar"})
    writer.page_mode = "/UseOutlines"
    buffer = io.BytesIO()
    writer.write(buffer)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())


# ---------------------------------------------------------------- what a sheet shows


@dataclass(frozen=True, slots=True)
class SheetLink:
    """A URL as numbered on one sheet (1..n: intro links first, then resources)."""

    number: int
    url: str
    placeholder: bool


@dataclass(frozen=True, slots=True)
class Row:
    """One resource in the reading-time table."""

    number: int
    title: str
    kind: str
    minutes: int
    short: bool
    url: str
    short_url: str
    placeholder: bool
    qr_svg: Markup  # made by qr.svg from the URL, never by an author


def sheet_links(section: Section) -> list[SheetLink]:
    """Every URL on the sheet, numbered per sheet in order of appearance."""
    urls = [url for url, _, _ in markdown.links_in(section.intro)] + [r.url for r in section.resources]
    unique = list(dict.fromkeys(urls))
    return [SheetLink(n, url, links.is_placeholder(url)) for n, url in enumerate(unique, start=1)]


def rows(section: Section, pub: Publication, numbers: dict[str, int]) -> list[Row]:
    labels = labels_for(pub.meta.language)
    return [
        Row(numbers[r.url], r.title, labels[f"kind_{r.kind}"], r.minutes, r.is_short(pub.settings),
            r.url, links.short_url(r.url), links.is_placeholder(r.url),
            templating.safe(qr.svg(r.url, f"{labels['qr']} {r.title}")))
        for r in section.resources
    ]


def build_date(pub: Publication, options: BuildOptions) -> dt.date:
    """SOURCE_DATE_EPOCH if given (reproducible builds), else the edition date; never the clock."""
    if options.source_date_epoch is not None:
        return dt.datetime.fromtimestamp(options.source_date_epoch, tz=dt.timezone.utc).date()
    return pub.meta.date


def _epoch(day: dt.date, options: BuildOptions) -> int:
    """The build's instant for embedded timestamps: the given epoch, or the date's midnight UTC."""
    if options.source_date_epoch is not None:
        return options.source_date_epoch
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc).timestamp())


def format_date(day: dt.date, language: str) -> str:
    """`1 juni 2025`: month names and order come from the label table."""
    labels = labels_for(language)
    month = labels["months"].split()[day.month - 1]
    return labels["date_format"].format(day=day.day, month=month, year=day.year)


# ---------------------------------------------------------------- rendering


def render_sheet(pub: Publication, module: Module, section: Section, day: dt.date, what: str,
                 keep_html: Path | None = None) -> bytes:
    """Lay the sheet out once to measure the room left on its last page, then once more
    with a notes box that fills that room (CSS cannot size a box to "the rest of the page")."""
    layouter = _layouter(pub.root, _styles_digest(pub.root))
    markup = sheet_html(pub, module, section, day, notes_lines=0)
    document = layouter.layout(markup, what)
    pages = len(document.pages)
    if pages > MAX_PAGES:
        raise BuildError(f"{what}: section {section.number} needs {pages} pages; a handout has at most "
                         f"{MAX_PAGES}: shorten its intro or split it into two sections")
    lines = _notes_lines(_room_mm(document))
    if lines:
        with_notes_html = sheet_html(pub, module, section, day, notes_lines=lines)
        with_notes = layouter.layout(with_notes_html, what)
        if len(with_notes.pages) == pages:  # rounding never costs a page
            document, markup = with_notes, with_notes_html
    if keep_html is not None:
        keep_html.parent.mkdir(parents=True, exist_ok=True)
        keep_html.write_bytes(pdf.browsable_html(markup, layouter.stylesheets, pub.root))
    return pdf.write_document(document, f"{pub.meta.identifier}#handout-{section.number}", what)


@functools.lru_cache(maxsize=2)
def _layouter(root: Path, styles_digest: str) -> pdf.Layouter:
    """One Layouter per process and set of style files, so a worker that builds several
    sheets decodes the fonts once (about 0.7 s each). Sharing it does not change a
    sheet's bytes (tested: sheets built in reverse order are identical). The digest
    is part of the key, so an edited stylesheet or font gets a fresh one."""
    return pdf.Layouter(root, [root / "styles" / name for name in STYLES if name.endswith(".css")])


# Drop cached fonts while the interpreter is whole: WeasyPrint's FontConfiguration
# cleans up in __del__, which fails (and prints a traceback) during interpreter teardown.
atexit.register(_layouter.cache_clear)


def _styles_digest(root: Path) -> str:
    """sha256 over the paths and bytes of every style file the sheets read (STYLES)."""
    digest = hashlib.sha256()
    for name in STYLES:
        path = root / "styles" / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def sheet_html(pub: Publication, module: Module, section: Section, day: dt.date, notes_lines: int) -> str:
    """The sheet's HTML (Jinja template, autoescaped; only our own renderers' HTML is marked safe)."""
    language = pub.meta.language
    numbered = sheet_links(section)
    numbers = {link.url: link.number for link in numbered}
    context = dict(
        pub=pub.meta, module=module, section=section,
        intro_html=templating.safe(_intro_html(pub, section, numbers)),
        rows=rows(section, pub, numbers), links=numbered,
        any_placeholder=any(link.placeholder for link in numbered),
        total_label=_count_label(len(section.resources), language),
        total_minutes=section.total_minutes,  # computed from the resources, never typed
        short_max=pub.settings.short_max_minutes,
        date_iso=day.isoformat(), date_text=format_date(day, language),
        notes_lines=notes_lines,
    )
    try:
        return templating.render(pub.root, TEMPLATE, language, **context)
    except Exception as exc:  # a template error (StrictUndefined, syntax): name the template
        raise BuildError(f"templates/{TEMPLATE}: {type(exc).__name__}: {exc}") from None


def _intro_html(pub: Publication, section: Section, numbers: dict[str, int]) -> str:
    """The intro as XHTML; each link gets its sheet-local number, pointing at the appendix."""
    language = pub.meta.language

    placed = figures.Placements()  # a table placed twice gets a fresh id the second time

    def table(table_id: str) -> str:
        found = pub.table(table_id)
        return figures.table_html(found, language, f"table-{placed.key(found.id)}") if found else ""

    ctx = markdown.RenderContext(link_number=numbers.get, ref_href=lambda n: f"#link-{n}",
                                 figure_html=table, heading_shift=1)
    return markdown.render(section.intro, ctx)


def _count_label(count: int, language: str) -> str:
    labels = labels_for(language)
    return labels["resources_total_one"] if count == 1 else labels["resources_total"].format(count=count)


def _room_mm(document) -> float:
    """Free height (mm) below the end marker on the last page's content area."""
    page = document.pages[-1]._page_box
    bottom = page.content_box_y() + page.height
    marker = next((box for box in page.descendants() if _is_end_marker(box)), None)
    if marker is None:  # the template lost its marker: measure nothing, add no notes
        return 0.0
    return (bottom - marker.position_y) * MM_PER_PX


def _is_end_marker(box) -> bool:
    element = getattr(box, "element", None)
    return element is not None and element.get("id") == "sheet-end"


def _notes_lines(room_mm: float) -> int:
    """How many writing lines fit in `room_mm` (0 when a notes box would be too small)."""
    if room_mm < NOTES_MIN_MM:
        return 0
    return int((room_mm - NOTES_HEAD_MM) // NOTES_LINE_MM)


# ---------------------------------------------------------------- lookups


def _sections(pub: Publication) -> list[tuple[Module, Section]]:
    return [(module, section) for module in pub.modules for section in module.sections]


def _find(pub: Publication, number: str) -> tuple[Module, Section]:
    found = next(((m, s) for m, s in _sections(pub) if s.number == number), None)
    if found is None:
        raise BuildError(f"handouts: there is no course section {number!r}")
    return found


def _table_ids(section: Section) -> list[str]:
    """Data tables placed in the intro (```table fences), whose data the sheet prints."""
    fences = [t for t in markdown.parse(section.intro) if t.type == "fence"]
    return [t.content.strip() for t in fences if t.info.strip() == "table"]


def _table_key(pub: Publication, table_id: str) -> object:
    table = pub.table(table_id)
    if table is None:
        return [table_id, None]
    return [table.id, table.title, table.caption, [[c.key, c.label, c.type, c.unit] for c in table.columns],
            [list(row) for row in table.rows]]
