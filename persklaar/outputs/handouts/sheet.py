"""One handout sheet: its HTML, laid out twice (to size the notes box), written as PDF.

Links are numbered per sheet (1..n: intro links first, then resources), so a teacher's
sheet reads on its own; the link appendix at its foot gives each address in full.
"""

from __future__ import annotations

import atexit
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from ...core import citations, links, markdown
from ...core.model import Body, Module, Publication, Section, Target
from ...errors import BuildError
from ...render import cache, pdf, qr, templating, views
from ...render.code import code_columns
from ...render.html import HtmlRenderer, Page
from ...render.styles import Stylesheet, stylesheets
from ..base import KEPT_HTML, BuildOptions
from .files import STYLESHEETS

TEMPLATE = "handout/sheet.html"
MAX_PAGES = 2
NOTES_MIN_MM = 40.0   # less room than this on the last page: no notes box
NOTES_LINE_MM = 8.0   # line spacing of the notes box (handwriting); as in handout.css
NOTES_HEAD_MM = 18.0  # the box's top margin, label, padding and borders (handout.css)
MM_PER_PX = 25.4 / 96  # WeasyPrint lays out in CSS pixels


@dataclass(frozen=True, slots=True)
class SheetLink:
    """A URL as numbered on one sheet (1..n: intro links first, then resources)."""

    number: int
    url: str
    placeholder: bool


def sheet_links(section: Section, sources: Body | None = None) -> list[SheetLink]:
    """Every URL on the sheet, numbered per sheet in order of appearance (the intro's, its
    reference list's, the resources')."""
    urls = [str(t.attrGet("href")) for body in (section.intro, sources) if body is not None
            for t, _, _ in markdown.links_in(body)] + [r.url for r in section.resources]
    unique = list(dict.fromkeys(urls))
    return [SheetLink(n, url, links.is_placeholder(url)) for n, url in enumerate(unique, start=1)]


def content_key(pub: Publication, found: tuple[Module, Section]) -> object:
    """What one sheet shows, and nothing else.

    Plain values only: no source positions (they shift when another section grows)
    and no other section, so editing one section leaves the other sheets fresh.
    """
    module, section = found
    return {
        "publication": [pub.meta.title, pub.meta.language, pub.meta.date.isoformat(),
                        list(pub.meta.authors), list(pub.meta.keywords), pub.meta.identifier],
        "short_max_minutes": pub.settings.short_max_minutes,
        "labels": dict(pub.labels),
        "module": [module.number, module.title, module.icon],
        "section": [section.number, section.title, section.intro.text],
        "resources": [[r.title, r.url, r.kind, r.minutes] for r in section.resources],
        "links": [[link.number, link.url] for link in sheet_links(section, citations.sources(pub.chapters,
                                                                                              section.intro))],
        "cited": [t.content for body in (section.intro, citations.sources(pub.chapters, section.intro)) if body
                  for _, t in body.walk() if t.type == "text"],  # a citation's words come from the bibliography
        "tables": [_table_key(pub, table_id) for table_id in section.intro.tables()],
    }


def _table_key(pub: Publication, table_id: str) -> object:
    table = pub.table(table_id)
    if table is None:
        return [table_id, None]
    return [table.id, table.title, table.caption, [[c.key, c.label, c.type, c.unit] for c in table.columns],
            [list(row) for row in table.rows]]


def write_sheet(pub: Publication, module: Module, section: Section, staging: Path, what: str,
                options: BuildOptions) -> None:
    """Write the sheet of `section` to `staging/<what>`."""
    moment = views.build_moment(pub, options.source_date_epoch)
    keep = (staging / KEPT_HTML / f"{section.slug}.html") if options.keep_html else None
    with pdf.font_timestamps(int(moment.timestamp())):
        data = render_sheet(pub, module, section, moment.date(), what, keep)
    out = staging / what
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def anchor_prefix(section: Section) -> str:
    """What every id on the sheet of `section` starts with (`s8-1-`): ids stay unique when
    all sheets are laid out into one PDF (the combined handouts), so each link there
    leads to its own sheet's appendix."""
    return "s" + section.number.replace(".", "-") + "-"


class HandoutRenderer(HtmlRenderer):
    """Markdown on a sheet: links numbered per sheet; references outside the sheet stay text;
    footnotes at the foot of the page; code lines break at the text's width."""

    notes_at_foot = True
    math_pictures = True  # WeasyPrint draws no MathML

    def __init__(self, pub: Publication, section: Section, numbers: dict[str, int],
                 sources: Body | None = None) -> None:
        super().__init__(pub)
        self.section = section
        self.sources = sources
        self.numbers = numbers
        self.prefix = anchor_prefix(section)

    def render_heading_id(self, body: Body, anchor: str) -> str:
        return self.prefix + anchor

    def render_ref_href(self, number: int) -> str:
        return f"#{self.prefix}link-{number}"

    def render_ref_number(self, token: Token) -> int | None:
        return self.numbers.get(str(token.attrGet("href")))

    def render_code_columns(self) -> int:
        paper = 215.9 if self.pub.settings.page.name == "letter" else 210.0  # A4 or US letter
        return code_columns(paper - 34)  # handout.css: 17 mm margins either side

    def render_target(self, target: Target, page: Page) -> str | None:
        cited = {f"ref-{key}" for key in citations.cited(self.section.intro)} if self.sources else set()
        if target.kind == "heading" and (target.anchor in _ids(self.section) or target.anchor in cited):
            return f"#{self.prefix}{target.anchor}"
        return None  # the place is in the booklet, not on this sheet


def _ids(section: Section) -> set[str]:
    return ({str(t.meta.get("id")) for t in section.intro.headings()}
            | {str(t.meta["html"]["id"]) for _, t in section.intro.walk() if t.meta.get("html", {}).get("id")})


def sheet_html(pub: Publication, module: Module, section: Section, day, notes_lines: int) -> str:
    """The sheet's HTML (Jinja template, autoescaped; only our own renderers' HTML is marked safe)."""
    labels = pub.labels
    sources = citations.sources(pub.chapters, section.intro)
    numbered = sheet_links(section, sources)
    numbers = {link.url: link.number for link in numbered}
    renderer = HandoutRenderer(pub, section, numbers, sources)
    intro = renderer.render_body(section.intro, Page(prefix=renderer.prefix))
    cited = renderer.render_body(sources, Page(prefix=renderer.prefix)) if sources else ""
    rows = [row.but(number=numbers[row.url], qr=templating.safe(
                qr.img(row.url, labels["qr_alt"].format(number=numbers[row.url], url=row.url), pub.root)))
            for row in views.resource_rows(pub, section)]
    totals = views.section_totals(section)
    context = dict(
        pub=pub.meta, module=module, section=section, intro_html=templating.safe(intro),
        sources_html=templating.safe(cited),
        rows=rows, links=numbered, any_placeholder=any(link.placeholder for link in numbered),
        total_label=views.count_label(totals.count, labels), total_minutes=totals.minutes,
        untimed=totals.untimed_note(labels),
        short_max=pub.settings.short_max_minutes,
        date_iso=day.isoformat(), date_text=pub.locale.date(day),
        notes_lines=notes_lines, prefix=renderer.prefix,
    )
    return templating.render(pub, TEMPLATE, **context)


def render_sheet(pub: Publication, module: Module, section: Section, day, what: str,
                 keep_html: Path | None = None) -> bytes:
    """The sheet as a PDF made to the publication's standard (and its HTML to `keep_html`)."""
    document, markup = layout_sheet(pub, module, section, day, what)
    if keep_html is not None:
        keep_html.parent.mkdir(parents=True, exist_ok=True)
        keep_html.write_bytes(pdf.browsable_html(markup, sheet_styles(pub), pub.root))
    return pdf.write_document(document, f"{pub.meta.identifier}#handout-{section.number}", what,
                              pub.settings.pdf_standard)


def layout_sheet(pub: Publication, module: Module, section: Section, day, what: str) -> tuple[object, str]:
    """WeasyPrint's laid-out sheet, and its HTML.

    Laid out once to measure the room left on its last page, then once more with a
    notes box that fills that room (CSS cannot size a box to "the rest of the page").
    The number of lines is remembered (`render.cache`, by the sheet's HTML and
    stylesheets, and the files they used), so laying the same sheet out again (the
    combined handouts do) takes one layout.
    """
    layouter = _layouter(pub.root, tuple(sheet_styles(pub)))
    standard = pub.settings.pdf_standard
    markup = sheet_html(pub, module, section, day, notes_lines=0)
    key = cache.key_of("sheet-notes-1", _weasyprint_version(), standard, markup,
                       *(s.text for s in layouter.stylesheets))
    known = _remembered(pub.root, key)
    if known is not None:
        final = sheet_html(pub, module, section, day, notes_lines=known) if known else markup
        return layouter.layout(final, what, standard), final
    document = layouter.layout(markup, what, standard)
    pages = len(document.pages)
    if pages > MAX_PAGES:
        raise BuildError(f"{what}: section {section.number} needs {pages} pages; a handout has at most "
                         f"{MAX_PAGES}: shorten its intro or split it into two sections")
    lines = _notes_lines(_room_mm(document))
    if lines:
        with_notes_html = sheet_html(pub, module, section, day, notes_lines=lines)
        with_notes = layouter.layout(with_notes_html, what, standard)
        if len(with_notes.pages) == pages:  # rounding never costs a page
            document, markup = with_notes, with_notes_html
        else:
            lines = 0
    entry = {"lines": lines, "files": layouter.fetcher.fetched}
    cache.store(pub.root, "notes", key, json.dumps(entry, sort_keys=True).encode())
    return document, markup


def _remembered(root: Path, key: str) -> int | None:
    """The notes lines measured for `key` before, if every file that layout read is unchanged."""
    data = cache.load(root, "notes", key)
    if data is None:
        return None
    entry = json.loads(data)
    if not cache.unchanged(entry["files"]):
        return None
    return int(entry["lines"])


def _weasyprint_version() -> str:
    import weasyprint

    return str(weasyprint.__version__)


def sheet_styles(pub: Publication) -> list[Stylesheet]:
    """The sheets' stylesheets: A4 (handout.css), or US letter for a publication on letter paper."""
    letter = pub.settings.page if pub.settings.page.name == "letter" else None
    return stylesheets(pub, STYLESHEETS, letter)


@functools.lru_cache(maxsize=2)
def _layouter(root: Path, styles: tuple[Stylesheet, ...]) -> pdf.Layouter:
    """One Layouter per process and set of stylesheets, so a worker that builds several
    sheets decodes the fonts once (about 0.7 s each). Sharing it does not change a
    sheet's bytes (tested: sheets built in reverse order are identical). A worker lives
    for one build, so an edited font is never served from here."""
    return pdf.Layouter(root, list(styles))


# Drop cached fonts while the interpreter is whole: WeasyPrint's FontConfiguration
# cleans up in __del__, which fails (and prints a traceback) during interpreter teardown.
atexit.register(_layouter.cache_clear)


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
