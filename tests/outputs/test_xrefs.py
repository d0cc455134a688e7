"""Cross-references (Quarto's syntax) in the booklet and the EPUB: numbered captions, and
`@fig-…`, `@tbl-…`, `@eq-…` as "Figuur 3.1" linked to the element, with its page in print.

One chapter (tests/fixtures/xref-chapter.md) holds two figures, a pipe table with a
caption, a formula, and references to each and to a data table placed in chapter 2.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from pypdf import PdfReader

from support import FIXTURES, PNG, cli, copy_project, epubcheck

XHTML = "{http://www.w3.org/1999/xhtml}"


def _project(tmp: Path, numbering: str = "") -> Path:
    root = copy_project(tmp)
    essay = root / "content/essay"
    (essay / "img").mkdir()
    (essay / "img/grijs.png").write_bytes(PNG)
    (essay / "03-figuren.md").write_text((FIXTURES / "xref-chapter.md").read_text("utf-8"), "utf-8")
    if numbering:
        publication = root / "content/publication.yaml"
        publication.write_text(publication.read_text("utf-8") + f"chapters:\n  numbering: {numbering}\n", "utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = _project(tmp_path_factory.mktemp("xrefs"))
    result = cli("--root", str(root), "booklet", "epub")
    assert result.returncode == 0, result.stderr + result.stdout
    return root / "dist"


def _page(dist: Path, name: str) -> ET.Element:
    with zipfile.ZipFile(dist / "mini-boekje.epub") as epub:
        return ET.fromstring(epub.read(f"EPUB/{name}"))


def _text(element: ET.Element) -> str:
    return "".join(element.itertext()).replace("\u00a0", " ")


def test_epub_references_link_to_their_numbered_elements(built: Path):
    page = _page(built, "chapter-03-figuren.xhtml")
    refs = [(a.get("href"), _text(a)) for a in page.iter(f"{XHTML}a") if a.get("class") != "ext"
            and re.match(r"(Figuur|Tabel|Vergelijking) ", _text(a))]
    assert refs == [("#fig-groei", "Figuur 3.1"), ("#fig-krimp", "Figuur 3.2"), ("#tbl-banen", "Tabel 3.1"),
                    ("chapter-02-cijfers.xhtml#tbl-landen", "Tabel 2.1"), ("#eq-groei", "Vergelijking 3.1"),
                    ("#fig-groei", "Figuur 3.1")]
    ids = {el.get("id"): el.tag.removeprefix(XHTML) for el in page.iter() if el.get("id")}
    assert ids["fig-groei"] == "figure" and ids["fig-krimp"] == "figure" and ids["tbl-banen"] == "table"
    captions = [_text(c) for c in page.iter() if c.tag in (f"{XHTML}figcaption", f"{XHTML}caption")]
    assert "Figuur 3.1: Groei van de banen" in captions and "Figuur 3.2: Krimp van de banen" in captions
    assert "Tabel 3.1: Banen per sector" in captions
    text = _text(page)
    # only the e-mail address and the code keep an `@fig-` (they are not references)
    assert text.count("@fig-") == 2 and "info@fig-groei.nl" in text and "{#" not in text
    code = [_text(c) for c in page.iter(f"{XHTML}code")]
    assert "@fig-groei" in code
    # a reference inside a link's text is its words, not a link in a link
    outer = next(a for a in page.iter(f"{XHTML}a") if a.get("class") == "ext" and "erin" in _text(a))
    assert _text(outer) == "link met Figuur 3.2 erin" and not list(outer.iter(f"{XHTML}a"))[1:]
    data_table = next(t for t in _page(built, "chapter-02-cijfers.xhtml").iter(f"{XHTML}table"))
    assert data_table.get("id") == "tbl-landen"
    assert _text(data_table.find(f"{XHTML}caption")) == "Tabel 2.1: Twee cijfers per land"
    assert epubcheck(built / "mini-boekje.epub") == []


def test_booklet_prints_numbers_captions_and_pages(built: Path):
    reader = PdfReader(built / "mini-boekje.pdf")
    pages = [p.extract_text().replace("\u00a0", " ") for p in reader.pages]
    text = re.sub(r"\s+", " ", "\n".join(pages))
    for caption in ("Figuur 3.1: Groei van de banen", "Figuur 3.2: Krimp van de banen",
                    "Tabel 3.1: Banen per sector", "Tabel 2.1: Twee cijfers per land"):
        assert caption in text
    flat = [re.sub(r"\s+", " ", p) for p in pages]
    links = next(i for i, p in enumerate(flat) if "Elke link in de tekst" in p)  # the appendix: texts, no pages
    refs = [(i + 1, m.group(1), m.group(3)) for i, p in enumerate(flat[:links])
            for m in re.finditer(r"((?:Figuur|Tabel) \d\.\d)(?!:)( op p\. (\d+))?", p)]
    assert {label for _, label, _ in refs} >= {"Figuur 3.1", "Figuur 3.2", "Tabel 3.1", "Tabel 2.1"}, refs
    for page, label, number in refs:  # the page of the element's caption; none where it is this page
        where = next(i + 1 for i, p in enumerate(flat) if f"{label}:" in p)
        assert number == (None if where == page else str(where)), (label, page, number, where)
    assert any(n is None for *_, n in refs) and any(n for *_, n in refs)
    joined = re.sub(r"@fig-\s+", "@fig-", text)  # a line may break after the hyphen
    left = set(re.findall(r"\S*@fig-\S*", joined))  # the e-mail address and the code are no references
    assert left and left <= {"info@fig-groei.nl", "@fig-groei"}, left
    assert "@tbl-" not in text and "@eq-" not in text and "{#" not in text


def test_numbering_through_the_book(tmp_path: Path):
    root = _project(tmp_path, "book")
    result = cli("--root", str(root), "epub")
    assert result.returncode == 0, result.stderr + result.stdout
    page = _page(root / "dist", "chapter-03-figuren.xhtml")
    captions = [_text(c) for c in page.iter() if c.tag in (f"{XHTML}figcaption", f"{XHTML}caption")]
    assert "Figuur 1: Groei van de banen" in captions and "Figuur 2: Krimp van de banen" in captions
    assert "Tabel 2: Banen per sector" in captions  # Tabel 1 is the data table of chapter 2
    numbers = [_text(el) for el in page.iter() if el.get("class") == "equation-number"]
    assert numbers == ["(1)"]


def test_a_handout_links_a_figure_on_its_sheet(tmp_path: Path):
    from persklaar.core.load import load
    from persklaar.outputs.handouts.sheet import sheet_html

    root = _project(tmp_path)
    (root / "content/course/img").mkdir()
    (root / "content/course/img/grijs.png").write_bytes(PNG)
    course = root / "content/course/03-robots.yaml"
    course.write_text(course.read_text("utf-8").replace(
        "intro: Deze paragraaf heeft geen bronnen.",
        'intro: "Zie @fig-robot.\\n\\n![Een robot](img/grijs.png){#fig-robot}\\n"'), "utf-8")
    pub, _ = load(root)
    module = pub.modules[0]
    section = next(s for s in module.sections if "fig-robot" in s.intro.text)
    page = sheet_html(pub, module, section, pub.meta.date, 0)
    prefix = re.search(r'<figure class="image" id="([^"]*)fig-robot">', page)
    assert prefix, page
    assert f'<a href="#{prefix.group(1)}fig-robot">Figuur 3.1</a>' in page.replace("\u00a0", " ")
    assert '<span class="figure-label">Figuur\u00a03.1:</span> Een robot' in page


def test_lists_of_figures_and_tables_on_request(tmp_path: Path):
    root = _project(tmp_path)
    publication = root / "content/publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "lof: true\nlot: true\n", "utf-8")
    result = cli("--root", str(root), "booklet", "epub")
    assert result.returncode == 0, result.stderr + result.stdout
    reader = PdfReader(root / "dist/mini-boekje.pdf")
    pages = [re.sub(r"\s+", " ", p.extract_text().replace("\u00a0", " ")) for p in reader.pages]
    figures = next(p for p in pages if "Lijst van figuren" in p)
    found = re.findall(r"(Figuur \d\.\d) ([A-Za-z ]+?) [. ]+(\d+)", figures)
    assert [(label, caption.strip()) for label, caption, _ in found] == [
        ("Figuur 3.1", "Groei van de banen"), ("Figuur 3.2", "Krimp van de banen")]
    for label, _, number in found:  # the page number is the page the figure is on
        assert f"{label}:" in pages[int(number) - 1], (label, number)
    tables = next(p for p in pages if "Lijst van tabellen" in p)
    assert "Tabel 2.1 Twee cijfers per land" in tables and "Tabel 3.1 Banen per sector" in tables
    nav = _page(root / "dist", "nav.xhtml")
    lists = {n.get("{http://www.idpf.org/2007/ops}type"): [(a.get("href"), _text(a)) for a in n.iter(f"{XHTML}a")]
             for n in nav.iter(f"{XHTML}nav")}
    assert lists["lof"] == [("chapter-03-figuren.xhtml#fig-groei", "Figuur 3.1 Groei van de banen"),
                            ("chapter-03-figuren.xhtml#fig-krimp", "Figuur 3.2 Krimp van de banen")]
    assert lists["lot"] == [("chapter-02-cijfers.xhtml#tbl-landen", "Tabel 2.1 Twee cijfers per land"),
                            ("chapter-03-figuren.xhtml#tbl-banen", "Tabel 3.1 Banen per sector")]
    assert epubcheck(root / "dist/mini-boekje.epub") == []


def test_a_data_tables_chart_is_a_figure_when_referred_to(tmp_path: Path):
    root = copy_project(tmp_path)
    (root / "content/essay/03-grafiek.md").write_text(
        "---\ntitle: Grafiek\n---\nDe grafiek @fig-landen hoort bij @tbl-landen.\n", "utf-8")
    publication = root / "content/publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "lof: true\n", "utf-8")
    result = cli("--root", str(root), "booklet", "epub")
    assert result.returncode == 0, result.stderr + result.stdout
    page = _page(root / "dist", "chapter-02-cijfers.xhtml")  # where the table is first placed
    figure = next(f for f in page.iter(f"{XHTML}figure") if f.get("id") == "fig-landen")
    assert _text(figure.find(f"{XHTML}figcaption")) == "Figuur 2.1: Twee cijfers per land"
    refs = [(a.get("href"), _text(a)) for a in _page(root / "dist", "chapter-03-grafiek.xhtml").iter(f"{XHTML}a")]
    assert refs == [("chapter-02-cijfers.xhtml#fig-landen", "Figuur 2.1"),
                    ("chapter-02-cijfers.xhtml#tbl-landen", "Tabel 2.1")]
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(root / "dist/mini-boekje.pdf").pages))
    assert "Figuur 2.1: Twee cijfers per land" in text and "Grafiek: Twee cijfers per land" not in text
    assert re.search(r"Lijst van figuren Figuur.2\.1 Twee cijfers per land", text.replace("\u00a0", " "))
    assert epubcheck(root / "dist/mini-boekje.epub") == []


def test_a_chart_reference_to_a_table_without_a_chart_leads_nowhere(tmp_path: Path):
    root = copy_project(tmp_path)
    data = root / "content/data/landen.yaml"
    data.write_text(re.sub(r"(?m)^chart:.*\n", "", data.read_text("utf-8")), "utf-8")
    (root / "content/essay/03-grafiek.md").write_text("---\ntitle: Grafiek\n---\nZie @fig-landen.\n", "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    assert "content/essay/03-grafiek.md:4:5: cross-reference @fig-landen leads nowhere" in result.stderr
