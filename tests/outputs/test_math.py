"""Formulas in every output: MathML in the EPUB (declared, epubcheck-clean) and on the web,
pictures on the text baseline in the booklet and the handouts, numbered equations.

One chapter holds inline and display math, money and an escaped dollar; the publication is
built once through the real command line and every test reads that build.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from pypdf import PdfReader

from support import FIXTURES, cli, epubcheck, structure_elements

CHAPTER = (FIXTURES / "math-chapter.md").read_text("utf-8")
MATHML = "{http://www.w3.org/1998/Math/MathML}"
XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from support import copy_project

    root = copy_project(tmp_path_factory.mktemp("math"))
    (root / "content/essay/03-wiskunde.md").write_text(CHAPTER, "utf-8")
    course = root / "content/course/03-robots.yaml"
    course.write_text(course.read_text("utf-8").replace(
        "intro: Deze paragraaf heeft geen bronnen.",
        'intro: "Een robot tilt $m = 20$ kg.\\n\\n$$F = m \\\\cdot a$$ {#eq-kracht}\\n"'), "utf-8")
    result = cli("--root", str(root))
    assert result.returncode == 0, result.stderr + result.stdout
    return root / "dist"


def _epub_page(dist: Path, name: str) -> ET.Element:
    with zipfile.ZipFile(dist / "mini-boekje.epub") as epub:
        return ET.fromstring(epub.read(f"EPUB/{name}"))


def test_the_epub_has_mathml_with_alttext_and_declares_it(built: Path):
    page = _epub_page(built, "chapter-03-wiskunde.xhtml")
    maths = list(page.iter(f"{MATHML}math"))
    assert [m.get("display") for m in maths] == ["inline"] * 3 + ["block"] * 3
    assert maths[0].get("alttext") == "E = mc^2"
    assert any(m.tag == f"{MATHML}mfrac" for m in maths[3].iter())
    text = "".join(page.itertext())
    assert "$5 en een ander $10" in text and "schrijf je als $." in text and "mc^2" not in text
    with zipfile.ZipFile(built / "mini-boekje.epub") as epub:
        opf = ET.fromstring(epub.read("EPUB/content.opf"))
    props = {i.get("href"): i.get("properties", "") for i in opf.iter(f"{OPF}item")}
    assert "mathml" in props["chapter-03-wiskunde.xhtml"].split()
    assert "mathml" not in props["chapter-01-begin.xhtml"].split()
    assert epubcheck(built / "mini-boekje.epub") == []


def test_numbered_equations_carry_their_number_and_id(built: Path):
    page = _epub_page(built, "chapter-03-wiskunde.xhtml")
    numbered = [el for el in page.iter() if "numbered" in (el.get("class") or "").split()]
    assert [el.get("id") for el in numbered] == ["eq-integraal", "eq-basel"]
    numbers = ["".join(s.itertext()) for el in numbered for s in el if s.get("class") == "equation-number"]
    assert numbers == ["(3.1)", "(3.2)"]
    links = [a.get("href") for a in page.iter(f"{XHTML}a") if a.get("href", "").endswith("#eq-integraal")]
    assert links


def test_the_web_edition_has_mathml(built: Path):
    page = (built / "web" / "chapter-03-wiskunde.html").read_text("utf-8")
    assert len(re.findall(r'<math xmlns="http://www.w3.org/1998/Math/MathML"', page)) == 6
    assert 'id="eq-basel"' in page


def _figure_alts(reader: PdfReader) -> list[str]:
    return [str(e["/Alt"]) for e in structure_elements(reader) if e["/S"] == "/Figure"]


def _page_with(reader: PdfReader, words: str) -> int:
    return next(i for i, page in enumerate(reader.pages) if words in page.extract_text())


def test_the_booklet_sets_formulas_as_pictures_with_the_latex_as_alt_text(built: Path):
    reader = PdfReader(built / "mini-boekje.pdf")
    text = reader.pages[_page_with(reader, "Een getal kost")].extract_text()
    assert "$5 en een ander $10" in text and "schrijf je als $." in text
    for source in ("mc^2", "\\frac", "\\int", "\\sum", "$$", "eq-integraal"):
        assert source not in text
    assert "(3.1)" in text and "(3.2)" in text
    alts = _figure_alts(reader)
    for latex in ("E = mc^2", "\\alpha + \\beta = \\gamma", "\\int_0^1 x\\,dx = \\frac{1}{2}",
                  "\\sum_{k=1}^{\\infty} \\frac{1}{k^2} = \\frac{\\pi^2}{6}"):
        assert latex in alts


def test_a_handout_sets_its_formulas_too(built: Path):
    reader = PdfReader(built / "handouts" / "03-1-zonder-bronnen.pdf")
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "m = 20" not in text and "\\cdot" not in text and "(3.1)" in text
    assert {"m = 20", "F = m \\cdot a"} <= set(_figure_alts(reader))
