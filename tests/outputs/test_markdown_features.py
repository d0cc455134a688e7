"""Markdown as authors write it elsewhere, in every output: footnotes, any heading level,
cross-references, code, figures, task and definition lists, every script and emoji.

One chapter uses all of it (plus a section intro with a footnote); the publication is
built once through the real command line and every test reads that build.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from pypdf import PdfReader

from support import FIXTURES, cli, epubcheck

CHAPTER = (FIXTURES / "features-chapter.md").read_text("utf-8")  # every Markdown feature in one chapter
INTRO = ("Robots kunnen veel.[^n] Lees [dit artikel](https://www.axios.com/2025/04/23/texas-driverless-trucks).\n\n"
         "      [^n]: Een noot in de inleiding.\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from PIL import Image

    from support import copy_project

    root = copy_project(tmp_path_factory.mktemp("features"))
    (root / "content/essay/03-alles.md").write_text(CHAPTER, "utf-8")
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, "PNG")
    (root / "content/essay/vlak.png").write_bytes(out.getvalue())
    course = root / "content/course/03-robots.yaml"
    text = course.read_text("utf-8")
    course.write_text(text.replace("Robots kunnen veel. Lees [dit artikel](https://www.axios.com/2025/04/23/texas-driverless-trucks).\n",
                                   INTRO), "utf-8")
    result = cli("--root", str(root))
    assert result.returncode == 0, result.stderr + result.stdout
    return root / "dist"


def booklet_text(dist: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(dist / "mini-boekje.pdf").pages)


def chapter_page(dist: Path) -> str:
    with zipfile.ZipFile(dist / "mini-boekje.epub") as epub:
        return epub.read("EPUB/chapter-03-alles.xhtml").decode()


def test_the_leading_heading_is_the_title_and_the_others_sit_below_it(built: Path):
    xhtml = chapter_page(built)
    assert '<h1 id="title">Alles wat Markdown kan</h1>' in xhtml
    assert '<h2 id="code">Code</h2>' in xhtml and '<h3 id="lijsten">Lijsten</h3>' in xhtml
    reader = PdfReader(built / "mini-boekje.pdf")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Alles wat Markdown kan" in titles


def test_footnotes_sit_at_the_foot_of_the_booklet_page(built: Path):
    reader = PdfReader(built / "mini-boekje.pdf")
    page = next(p for p in reader.pages if "Een zin met een voetnoot" in p.extract_text())
    lines = [line.strip() for line in page.extract_text().split("\n") if line.strip()]
    foot = lines[-6:]
    assert any(line.startswith("1.") and "Een bron." in line for line in foot), foot
    assert any("Een langere voetnoot" in line for line in foot), foot
    body = "\n".join(lines[:-6])
    assert "Een bron." not in body


def test_footnotes_are_epub3_notes_with_back_links(built: Path):
    xhtml = chapter_page(built)
    assert '<a href="#fn-1" id="fnref-1" epub:type="noteref" role="doc-noteref">1</a>' in xhtml
    root = ET.fromstring(xhtml)
    asides = root.findall(".//{http://www.w3.org/1999/xhtml}aside")
    assert [a.get("id") for a in asides] == ["fn-1", "fn-2"]
    assert all(a.get("{http://www.idpf.org/2007/ops}type") == "footnote" and a.get("role") == "doc-footnote"
               for a in asides)
    assert 'href="#fnref-2" class="backlink" role="doc-backlink"' in xhtml


def test_a_note_in_a_section_intro_is_on_the_handout(built: Path):
    sheet = PdfReader(built / "handouts/03-robots-in-de-klas.pdf").pages[0].extract_text()
    assert "Een noot in de inleiding." in sheet


def test_cross_references_lead_to_their_targets(built: Path):
    xhtml = chapter_page(built)
    assert 'href="chapter-01-begin.xhtml#top"' in xhtml and 'href="chapter-01-begin.xhtml#een-sectie"' in xhtml
    assert 'href="#code"' in xhtml
    text = booklet_text(built)
    assert re.search(r"het begin \(p\.\s?\d+\)", text), "the booklet says on which page"
    reader = PdfReader(built / "mini-boekje.pdf")
    names = set(reader.named_destinations)
    assert {"chapter-01-begin", "01-begin--een-sectie", "03-alles--code"} <= names


def test_code_is_highlighted_in_a_monospace_font_and_long_lines_are_marked(built: Path):
    xhtml = chapter_page(built)
    assert '<span class="k">def</span>' in xhtml and '<span class="c1">' in xhtml
    reader = PdfReader(built / "mini-boekje.pdf")
    page = next(p for p in reader.pages if "groet" in p.extract_text())
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("Source-Code-Pro" in name for name in fonts), fonts
    assert "↳" in page.extract_text()  # the continuation mark of the broken line


def test_every_character_is_drawn_from_a_font_that_has_it(built: Path):
    """The glyph each font program draws is the character the text says (no borrowed glyphs:
    subsets of one family sharing a name once drew Greek with Latin glyphs)."""
    from fontTools.ttLib import TTFont

    reader = PdfReader(built / "mini-boekje.pdf")
    seen = set()
    for page in reader.pages:
        for ref in (page.get("/Resources") or {}).get("/Font", {}).values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).get_object().get_data()
            cmap = TTFont(io.BytesIO(program)).getBestCmap() or {}
            mapping = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            pairs = re.findall(r"<([0-9A-F]{4})>\s*<([0-9A-F]{4,8})>", mapping, re.I)
            chars = {bytes.fromhex(u).decode("utf-16-be", "replace") for _, u in pairs}
            drawn = {c for c in chars if len(c) == 1 and c not in "\uffff\ufffd" and not c.isspace()}
            assert all(ord(c) in cmap for c in drawn), (font["/BaseFont"], [c for c in drawn if ord(c) not in cmap])
            seen |= drawn
    assert {"α", "Ж", "ł", "→", "✓", "🌍"} <= seen


def test_figures_tasks_definitions_and_tables(built: Path):
    xhtml = chapter_page(built)
    assert "<figcaption>Figuur 1: een rood vlak</figcaption>" in xhtml
    assert 'class="task done" role="img" aria-label="gedaan"' in xhtml
    assert "<dt>Term</dt>" in xhtml and '<td style="text-align:right">1,5</td>' in xhtml
    assert "<blockquote>" in xhtml and "<br />" in xhtml and "©" in xhtml


def test_the_epub_passes_epubcheck(built: Path):
    assert epubcheck(built / "mini-boekje.epub") == []


# ---------------------------------------------------------------- what check reports


@pytest.mark.parametrize("body, line, message", [
    ("Tekst.[^weg]\n", 4, "footnote reference [^weg] has no note"),
    ("Tekst.\n\n[^over]: Een noot die niemand noemt.\n", 6, "footnote [^over] is never referred to"),
    ("Zie [daar](02-cijfres.md).\n", 4, "there is no chapter 02-cijfres.md; did you mean 02-cijfers.md?"),
    ("Zie [daar](02-cijfers.md#nergens).\n", 4, "leads nowhere"),
    ("Zie [de docs](/docs/intro).\n", 4, "is relative to some website"),
    ("![Een plaatje](https://example.org/x.png)\n", 4, "download it into content/"),
    ("Tekst met ആ.\n", 4, "no font for ആ U+0D06"),
])
def test_check_reports_with_positions(tmp_path: Path, body: str, line: int, message: str):
    from support import copy_project

    root = copy_project(tmp_path)
    (root / "content/essay/03-fout.md").write_text("---\ntitle: Fout\n---\n" + body, "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    assert re.search(rf"^content/essay/03-fout\.md:{line}:\d+: .*{re.escape(message)}", result.stderr, re.M), \
        result.stderr


def test_a_chapter_without_any_title_is_an_error(tmp_path: Path):
    from support import copy_project

    root = copy_project(tmp_path)
    (root / "content/essay/03-los.md").write_text("Alleen tekst, geen titel.\n", "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1 and "content/essay/03-los.md:1:1: a chapter needs a title" in result.stderr
