"""Citations and the bibliography in every output: the booklet, a handout, the EPUB and the
web edition, from one build of the mini project with the chapter of tests/fixtures/citations/
(BibTeX and CSL JSON, five citation forms) and a citation in a course section's intro."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from pypdf import PdfReader

from support import FIXTURES, cli, copy_project, epubcheck

CITES = FIXTURES / "citations"
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("citations"))
    for name in ("references.bib", "references.json"):
        shutil.copy(CITES / name, root / "content" / name)
    (root / "content/essay/03-bronnen.md").write_text((CITES / "chapter.md").read_text("utf-8"), "utf-8")
    publication = root / "content/publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "bibliography: [references.bib, references.json]\n",
                           "utf-8")
    course = root / "content/course/03-robots.yaml"
    course.write_text(course.read_text("utf-8").replace("Robots kunnen veel.", "Robots kunnen veel [@doe2019, p. 2].",
                                                        1), "utf-8")
    result = cli("--root", str(root))
    assert result.returncode == 0, result.stderr + result.stdout
    return root / "dist"


def _pdf_text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(path).pages))


def test_the_booklet_prints_citations_and_a_bibliography_never_the_source(built: Path):
    text = _pdf_text(built / "mini-boekje.pdf")
    assert "[@" not in text and "@jansen2021" not in text
    for cited in ("(Smith & Jansen, 2020)", "(Smith & Jansen, 2020, p. 33)", "(zie Doe, 2019, pp. 3–4; Jansen & de "
                  "Vries, 2021)", "(2019)", "Jansen en de Vries (2021) laat zien", "Smith en Jansen (2020, p. 4)"):
        assert cited in text, cited
    bibliography = text[text.rindex("Literatuur Doe"):]
    assert text.index("Lesmodule 3 Robots in de klas Een korte") < text.rindex("Literatuur Doe") < \
        text.rindex("Leestijden Leestijd")  # at the end: after the course modules, before the appendices
    assert bibliography.index("Doe, J. (2019).") < bibliography.index("Jansen, A., & de Vries, B. (2021).") \
        < bibliography.index("Smith, J., & Jansen, P. (2020). The Future of Work. Penguin.")
    assert "Not cited" not in text
    links = text[text.rindex("Overzicht van de links Elke"):]
    assert "doi.org/10.1000/xyz123" in links and "labor.test/robots" in links  # numbered, with a QR code


def test_the_booklet_links_citations_to_their_entries_without_a_page_number(built: Path):
    reader = PdfReader(built / "mini-boekje.pdf")
    page = next(p for p in reader.pages if "Tussen haakjes" in p.extract_text())
    internal = [a.get_object() for a in page.get("/Annots", []) if "/Dest" in a.get_object()
                or a.get_object().get("/A", {}).get("/S") == "/GoTo"]
    assert len(internal) >= 6
    assert "(Smith & Jansen, 2020 p." not in page.extract_text()


def test_a_handout_lists_the_works_its_section_cites(built: Path):
    text = _pdf_text(built / "handouts/03-robots-in-de-klas.pdf")
    assert "Robots kunnen veel (Doe, 2019, p. 2)" in text
    assert "Literatuur" in text and "Doe, J. (2019). Robots and Jobs: naïve hopes." in text
    assert "Smith, J." not in text  # only what this section cites
    assert "labor.test/robots" in text  # the entry's URL is in the sheet's link list


def _epub(built: Path, name: str) -> ET.Element:
    with zipfile.ZipFile(built / "mini-boekje.epub") as epub:
        return ET.fromstring(epub.read(f"EPUB/{name}"))


def _opf(built: Path) -> str:
    with zipfile.ZipFile(built / "mini-boekje.epub") as epub:
        return epub.read("EPUB/content.opf").decode()


def test_the_epub_links_each_work_to_its_entry_and_passes_epubcheck(built: Path):
    page = _epub(built, "chapter-03-bronnen.xhtml")
    cites = [(a.get("href"), "".join(a.itertext())) for a in page.iter(f"{XHTML}a") if a.get("class") == "citation"]
    assert cites[:4] == [("chapter-bibliography.xhtml#ref-smith2020", "Smith & Jansen, 2020"),
                         ("chapter-bibliography.xhtml#ref-smith2020", "Smith & Jansen, 2020, p. 33"),
                         ("chapter-bibliography.xhtml#ref-doe2019", "Doe, 2019, pp. 3–4"),
                         ("chapter-bibliography.xhtml#ref-jansen2021", "Jansen & de Vries, 2021")]
    assert cites[4:] == [("chapter-bibliography.xhtml#ref-doe2019", "(2019)"),  # `[-@doe2019]` and `@key` too
                         ("chapter-bibliography.xhtml#ref-jansen2021", "Jansen en de Vries (2021)"),
                         ("chapter-bibliography.xhtml#ref-smith2020", "Smith en Jansen (2020, p. 4)")]
    bibliography = _epub(built, "chapter-bibliography.xhtml")
    section = next(s for s in bibliography.iter(f"{XHTML}section"))
    assert section.get(f"{EPUB_NS}type") == "bibliography" and section.get("role") == "doc-bibliography"
    entries = [p for p in bibliography.iter(f"{XHTML}p") if p.get("class") == "csl-entry"]
    assert [p[0].get("id") for p in entries] == ["ref-doe2019", "ref-jansen2021", "ref-smith2020"]
    hrefs = [a.get("href") for p in entries for a in p.iter(f"{XHTML}a") if a.get("class") == "ext"]
    assert hrefs == ["https://labor.test/robots", "https://doi.org/10.5555/abc.2021", "https://doi.org/10.1000/xyz123"]
    with zipfile.ZipFile(built / "mini-boekje.epub") as epub:
        nav = epub.read("EPUB/nav.xhtml").decode()
    assert 'href="chapter-bibliography.xhtml">Literatuur</a>' in nav
    assert nav.index('href="module-03.xhtml"') < nav.index('href="chapter-bibliography.xhtml"') < \
        nav.index('href="reading-times.xhtml"')
    opf = _opf(built)
    spine = re.findall(r'itemref idref="([^"]+)"', opf)
    assert spine[spine.index("module-03"):] == ["module-03", "chapter-bibliography", "reading-times", "links"]
    assert epubcheck(built / "mini-boekje.epub") == []


def test_the_web_edition_has_the_bibliography_page(built: Path):
    page = (built / "web/chapter-bibliography.html").read_text("utf-8")
    assert 'id="ref-smith2020"' in page and 'href="https://doi.org/10.1000/xyz123"' in page
    chapter = (built / "web/chapter-03-bronnen.html").read_text("utf-8")
    assert 'href="chapter-bibliography.html#ref-doe2019" class="citation"' in chapter
    assert re.search(r'rel="prev"[^>]*href="module-03.html"|href="module-03.html"[^>]*rel="prev"', page)
