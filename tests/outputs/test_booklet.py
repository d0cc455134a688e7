"""The booklet PDF, read back: pages, outline, contents page, links and QR codes, fonts, tags.

Each sample project is built once per module (the mini fixture, and the real
publication when its content exists); every test reads that one build.
"""

from __future__ import annotations

import base64
import io
import re
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from tinyhtml5 import parse as parse_html

from persklaar.core import load as content
from persklaar.core import reading_time
from persklaar.core.model import Publication
from persklaar.outputs import BuildOptions
from persklaar.outputs.booklet import Booklet
from persklaar.outputs.booklet.impose import padded, sheet_order
from persklaar.outputs.booklet.page import page_html
from persklaar.render import figures
from support import copy_project, copy_repo_project, marked_text, structure_elements

A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)
SHIPPED_FONTS = ("Source-Serif-4", "Source-Sans-3", "Noto-Emoji")
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Built:
    pub: Publication
    staging: Path
    pdf: bytes
    imposed: bytes
    seconds: float

    @cached_property
    def reader(self) -> pypdf.PdfReader:
        return pypdf.PdfReader(io.BytesIO(self.pdf))

    @cached_property
    def texts(self) -> list[str]:
        """The text of every page, whitespace collapsed (pypdf is slow: read once)."""
        return [norm(page.extract_text()) for page in self.reader.pages]

    @cached_property
    def dests(self) -> dict[str, int]:
        """Named destination (an HTML id) → 0-based page."""
        reader = self.reader
        return {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.pub.labels)


BOOKLET = Booklet()


def build(root: Path, staging: Path, **options) -> Built:
    pub, _ = content.load(root)
    job = BOOKLET.jobs(pub)[0]
    start = time.perf_counter()
    BOOKLET.build(pub, job, staging, BuildOptions(**options))
    seconds = time.perf_counter() - start
    name, imposed = job.targets
    return Built(pub, staging, (staging / name).read_bytes(), (staging / imposed).read_bytes(), seconds)


@pytest.fixture(scope="module", params=["mini", "repo"])
def built(request, tmp_path_factory) -> Built:
    base = tmp_path_factory.mktemp(request.param)
    root = copy_repo_project(base) if request.param == "repo" else copy_project(base, "mini")
    result = build(root, base / "staging")
    print(f"\n{request.param}: {len(result.reader.pages)} pages in {result.seconds:.1f} s")
    return result


# ---------------------------------------------------------------- helpers


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def outline(reader: pypdf.PdfReader) -> list[tuple[str, int, list]]:
    """(title, 0-based page, children) of every top-level outline entry."""
    entries: list[tuple[str, int, list]] = []
    for item in reader.outline:
        if isinstance(item, list):  # the children of the previous entry
            entries[-1][2].extend((c.title, reader.get_destination_page_number(c)) for c in item)
        else:
            entries.append((item.title, reader.get_destination_page_number(item), []))
    return entries


def internal_links(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    """(page of the link, destination name) of every internal link annotation."""
    found = []
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                found.append((index, str(annot["/Dest"])))
    return found


def expected_outline(b: Built) -> list[str]:
    titles = [c.title for c in b.pub.chapters] + [m.title for m in b.pub.modules]
    titles.append(b.labels["reading_times"])
    if b.pub.links:
        titles.append(b.labels["link_appendix"])
    return titles


# ---------------------------------------------------------------- pages


def test_every_page_is_a5(built: Built) -> None:
    for page in built.reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A5[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A5[1], abs=1)


def test_imposed_pdf_is_a4_landscape_with_two_pages_a_side(built: Built) -> None:
    imposed = pypdf.PdfReader(io.BytesIO(built.imposed))
    assert len(imposed.pages) == padded(len(built.reader.pages)) // 2
    for page in imposed.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_LANDSCAPE[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_LANDSCAPE[1], abs=1)
    # the first side: the last page (or padding) on the left half, the cover on the right
    first = pdfium.PdfDocument(built.imposed)[0].get_textpage()
    half = A4_LANDSCAPE[0] / 2
    right = norm(first.get_text_bounded(left=half, right=A4_LANDSCAPE[0]))
    assert right == built.texts[0]
    left = norm(first.get_text_bounded(right=half))
    last = sheet_order(len(built.reader.pages))[0][0]
    assert left == ("" if last is None else built.texts[last])


# ---------------------------------------------------------------- navigation


def test_outline_mirrors_the_chapters(built: Built) -> None:
    entries = outline(built.reader)
    assert [title for title, _, _ in entries] == expected_outline(built)
    for module in built.pub.modules:
        children = next(kids for title, _, kids in entries if title == module.title)
        assert [t for t, _ in children] == [f"{s.number} {s.title}" for s in module.sections]


def test_outline_entries_point_at_the_chapter_openers(built: Built) -> None:
    texts = built.texts
    for title, page, _ in outline(built.reader):
        assert norm(title) in texts[page], f"{title!r} is not on page {page + 1}"
    for number, chapter in enumerate(built.pub.chapters, start=1):
        page = built.dests[f"chapter-{chapter.slug}"]
        assert f"{built.labels['chapter']} {number} ·" in texts[page]


def toc_entries(b: Built) -> list[tuple[str, str]]:
    """(text printed in the contents, destination id) in reading order."""
    entries = [(c.title, f"chapter-{c.slug}") for c in b.pub.chapters]
    for m in b.pub.modules:
        entries.append((f"{b.labels['course']} {m.number}: {m.title}", f"module-{m.number}"))
        entries += [(f"{s.number} {s.title}", f"section-{s.slug}") for s in m.sections]
    entries.append((b.labels["reading_times"], "reading-times"))
    if b.pub.links:
        entries.append((b.labels["link_appendix"], "links"))
    return entries


def test_contents_page_numbers_are_where_the_chapters_start(built: Built) -> None:
    texts = built.texts
    first_chapter = built.dests[toc_entries(built)[0][1]]
    toc = " ".join(texts[:first_chapter])
    toc = toc[toc.index(built.labels["contents"]):]
    position = 0
    for title, target in toc_entries(built):
        match = re.compile(re.escape(norm(title)) + r"[ .]*?(\d+)").search(toc, position)
        assert match, f"{title!r} is not in the table of contents"
        printed = int(match.group(1))
        assert printed == built.dests[target] + 1, f"{title!r}: printed {printed}"
        position = match.end()


def test_contents_entries_are_live_links(built: Built) -> None:
    reader = built.reader
    first_chapter = built.dests[f"chapter-{built.pub.chapters[0].slug}"]
    from_toc = {dest for page, dest in internal_links(reader) if page < first_chapter}
    assert {target for _, target in toc_entries(built)} <= from_toc


def test_reference_numbers_link_to_their_appendix_entry(built: Built) -> None:
    reader = built.reader
    links = internal_links(reader)
    cited = {dest for _, dest in links if dest.startswith("link-")}
    assert cited == {f"link-{link.number}" for link in built.pub.links}
    texts = built.texts
    for link in built.pub.links:
        page = built.dests[f"link-{link.number}"]
        assert page >= built.dests["links"]
        assert link.url in texts[page].replace(" ", "")


# ---------------------------------------------------------------- link appendix


def test_every_url_is_in_the_appendix_with_a_qr_code_that_reads_back(built: Built) -> None:
    reader = built.reader
    start = built.dests["links"]
    urls = {link.url for link in built.pub.links}
    document = pdfium.PdfDocument(built.pdf)
    decoded: list[str] = []
    for index in range(start, len(reader.pages)):
        text = reader.pages[index].extract_text().replace("\n", "").replace(" ", "")
        image = document[index].render(scale=200 / 72).to_pil()
        codes = zxingcpp.read_barcodes(image)
        for code in codes:
            assert code.text in text, f"QR code {code.text} is not beside its URL (page {index + 1})"
            width_mm = (code.position.top_right.x - code.position.top_left.x) / 200 * 25.4
            assert 12 <= width_mm <= 22, f"QR code of {code.text} is {width_mm:.0f} mm wide"
        decoded += [code.text for code in codes]
    assert sorted(decoded) == sorted(urls)


def test_every_qr_code_has_alternate_text(built: Built) -> None:
    """Each QR code is a Figure whose alternate text says what it is and where it leads."""
    alts = figure_alts(built.reader)
    expected = [built.labels["qr_alt"].format(number=link.number, url=link.url) for link in built.pub.links]
    assert [alt for alt in alts if alt in expected] == expected
    assert all(alts), "every figure has alternate text"


def test_placeholder_urls_are_marked(built: Built) -> None:
    start = built.dests["links"]
    text = " ".join(built.texts[start:])
    marks = text.count(built.labels["placeholder"])
    assert marks == sum(1 for link in built.pub.links if link.placeholder)


# ---------------------------------------------------------------- fonts, tags, metadata


def fonts(reader: pypdf.PdfReader) -> dict[str, pypdf.generic.DictionaryObject]:
    found = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
    return found


def test_every_font_is_embedded_and_shipped_with_the_project(built: Built) -> None:
    found = fonts(built.reader)
    assert found
    for name, font in found.items():
        assert font["/Subtype"] != "/Type3", f"{name} is a Type 3 font (a fallback)"
        descendant = font["/DescendantFonts"][0].get_object() if font["/Subtype"] == "/Type0" else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, f"{name} is not embedded"
        assert any(family in name for family in SHIPPED_FONTS), f"{name} is a system font"


def test_cover_shows_the_module_icon_in_noto_emoji(built: Built) -> None:
    icon = next((m.icon for m in built.pub.modules if m.icon), "")
    assert icon, "both sample publications have a module icon"
    drawn = []

    def visit(text, cm, tm, font, size):
        if icon in text:
            drawn.append(str((font or {}).get("/BaseFont", "")))

    built.reader.pages[0].extract_text(visitor_text=visit)
    assert drawn and all("Noto-Emoji" in name for name in drawn)


def test_pdf_is_tagged_with_language_and_metadata(built: Built) -> None:
    reader = built.reader
    root = reader.trailer["/Root"]
    meta = built.pub.meta
    assert root["/Lang"] == meta.language
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    info = reader.metadata
    assert info.title == meta.title
    assert info.author == ", ".join(meta.authors)
    assert info.subject == meta.description
    assert info["/Keywords"] == ", ".join(meta.keywords)
    assert info["/CreationDate"].startswith("D:" + meta.date.strftime("%Y%m%d"))


def test_running_heads_and_page_numbers_are_artifacts(built: Built) -> None:
    """Page numbers and running heads are drawn as artifacts (a screen reader skips them);
    everything else is tagged content in the structure tree."""
    first_chapter = built.dests[f"chapter-{built.pub.chapters[0].slug}"]
    heads = set()
    for index in range(first_chapter, len(built.reader.pages)):
        pieces = marked_text(built.reader.pages[index])
        artifacts = [text.strip() for tag, text in pieces if tag == "/Artifact"]
        assert str(index + 1) in artifacts, f"page {index + 1}: its number is an artifact"
        heads |= {text for text in artifacts if text != str(index + 1)}
        assert {tag for tag, _ in pieces} <= {"/Artifact", "/Span", "/Figure"}
        assert any(tag == "/Span" for tag, _ in pieces), f"page {index + 1}: its text is tagged"
    titles = [built.pub.meta.title, *(c.title for c in built.pub.chapters), *(m.title for m in built.pub.modules),
              built.labels["reading_times"], built.labels["link_appendix"]]
    assert all(any(head.rstrip("…") in title for title in titles) for head in heads), heads
    if len(built.reader.pages) > 30:  # the real book has chapters over several pages
        assert built.pub.meta.title in heads


def test_table_headers_have_a_scope(built: Built) -> None:
    """Column headers (in a table's head) say /Column, row headers (first cell) /Row."""
    elements = structure_elements(built.reader)
    headers = [e for e in elements if e["/S"] == "/TH"]
    assert headers
    for header in headers:
        group = header["/P"].get_object()["/P"].get_object()["/S"]
        expected = "/Column" if group == "/THead" else "/Row"
        assert header["/A"]["/Scope"] == expected
    assert all("/Headers" in e["/A"] for e in elements if e["/S"] == "/TD" and e["/A"].get("/Headers"))


def test_booklet_declares_its_standards(built: Built) -> None:
    """Default: PDF/A-2u and PDF/UA-1 in one file (the XMP identification of both)."""
    xmp = built.reader.root_object["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert 'pdfuaid:part="1"' in xmp and "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
    assert built.reader.root_object["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    imposed = pypdf.PdfReader(io.BytesIO(built.imposed)).root_object
    assert "/Metadata" not in imposed and "/StructTreeRoot" not in imposed, "the print master claims nothing"


# ---------------------------------------------------------------- reading times and course


def test_reading_time_table_totals(built: Built) -> None:
    start = built.dests["reading-times"]
    text = " ".join(built.texts[start : built.dests["links"] if built.pub.links else None])
    words, minutes = reading_time.essay_total(built.pub)
    assert f"{built.labels['total']} {built.pub.locale.number(words)} {minutes}" in text
    assert built.labels["reading_time_note"].format(speed=built.pub.settings.reading_speed) in text
    for row in reading_time.chapter_times(built.pub):
        assert f"{norm(row.title)} {built.pub.locale.number(row.words)} {row.minutes}" in text


def test_course_tables_show_badges_and_totals(built: Built) -> None:
    """The resource tables, read from the HTML the PDF was made from."""
    assert built.pub.modules, "both sample publications have a course module"
    document = parse_html(page_html(built.pub, BuildOptions()))
    labels, settings = built.labels, built.pub.settings
    for module in built.pub.modules:
        for section in module.sections:
            node = document.find(f".//{XHTML}section[@id='section-{section.slug}']")
            assert node is not None
            rows = node.findall(f".//{XHTML}table/{XHTML}tbody/{XHTML}tr")
            assert len(rows) == len(section.resources)
            for row, resource in zip(rows, section.resources, strict=False):
                badge = row.find(f".//{XHTML}span")
                kind = "short" if resource.is_short(settings) else "long"
                assert badge.get("class") == f"badge {kind}"
                assert badge.text == labels[kind]  # said in words, not by colour alone
            if section.resources:
                total = node.find(f".//{XHTML}tfoot/{XHTML}tr")
                cells = ["".join(c.itertext()) for c in total]
                assert cells[2] == str(section.total_minutes)
                assert f"({len(section.resources)})" in cells[0]
        overview = document.find(f".//{XHTML}section[@id='module-{module.number}']//{XHTML}table")
        foot = ["".join(c.itertext()) for c in overview.find(f"{XHTML}tfoot/{XHTML}tr")]
        assert foot[1:] == [str(len(module.resources)), str(module.total_minutes)]


def test_chart_is_vector_with_a_text_alternative(built: Built) -> None:
    """The chart is an SVG image whose alternate text gives every value it draws; the PDF's
    Figure tag carries that text (PDF/UA: a figure without one fails)."""
    charted = [t for t in built.pub.tables if t.chart]
    assert charted, "both sample publications have a chart"
    document = parse_html(page_html(built.pub, BuildOptions()))
    for table in charted:
        figure = document.find(f".//{XHTML}figure[@id='chart-{table.id}']")
        img = figure.find(f"{XHTML}img")
        kind, data = img.get("src").split(",", 1)
        assert kind == "data:image/svg+xml;base64"
        svg = ElementTree.fromstring(base64.b64decode(data))
        assert svg.find("{http://www.w3.org/2000/svg}desc").text == figures.chart_description(table, built.pub.locale)
        assert img.get("alt") == f"{table.title}. {figures.chart_description(table, built.pub.locale)}"
        assert img.get("alt") in figure_alts(built.reader)
        assert table.title in "".join(figure.find(f"{XHTML}figcaption").itertext())
    ids = [e.get("id") for e in document.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"


def figure_alts(reader: pypdf.PdfReader) -> list[str]:
    """The alternate text of every Figure in the PDF's structure tree."""
    return [str(e["/Alt"]) for e in structure_elements(reader) if e["/S"] == "/Figure"]


# ---------------------------------------------------------------- reproducibility


@pytest.fixture(scope="module")
def mini_built(tmp_path_factory) -> Built:
    base = tmp_path_factory.mktemp("mini-again")
    return build(copy_project(base, "mini"), base / "staging")


def test_two_builds_are_byte_identical(mini_built: Built, tmp_path: Path) -> None:
    """A second build, from a copy in another folder, with HTML kept: same bytes."""
    built = mini_built
    root = copy_project(tmp_path, "mini")
    again = build(root, tmp_path / "staging", keep_html=True)
    assert again.pdf == built.pdf
    assert again.imposed == built.imposed
    staging = tmp_path / "staging"
    written = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    slug = built.pub.slug
    assert written == [f"html/{slug}.html", f"{slug}-imposed.pdf", f"{slug}.pdf"]
    first = sorted(p.name for p in built.staging.rglob("*") if p.is_file())
    assert first == sorted(BOOKLET.jobs(built.pub)[0].targets)


def test_a_table_placed_twice_gets_fresh_ids(tmp_path: Path) -> None:
    """An author may show the same data table in two chapters (or twice in one)."""
    root = copy_project(tmp_path, "mini")
    for chapter in ("01-begin.md", "02-cijfers.md"):
        path = root / "content/essay" / chapter
        path.write_text(path.read_text("utf-8") + "\n```table\nlanden\n```\n", "utf-8")
    pub, _ = content.load(root)
    markup = page_html(pub, BuildOptions())
    ids = re.findall(r'\sid="([^"]+)"', markup)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert markup.count('class="chart"') >= 3 * 2  # three placements, each a figure and its SVG
    again = build(root, tmp_path / "staging")  # and WeasyPrint lays it out without a warning
    assert len(again.reader.pages) > 1


def test_publish_check_reads_the_pdf_back(built: Built) -> None:
    """What the pipeline runs on every PDF before publishing it: a cut-off file fails."""
    from persklaar.errors import BuildError
    from persklaar.render.pdf import check_pdf

    assert check_pdf(built.pdf, "booklet.pdf") == len(built.reader.pages)
    for cut in (len(built.pdf) // 2, len(built.pdf) - 40):
        with pytest.raises(BuildError, match="does not read back"):
            check_pdf(built.pdf[:cut], "booklet.pdf")
    with pytest.raises(BuildError):
        check_pdf(b"%PDF-1.7\n", "empty.pdf")
