"""Markdown as authors bring it from GitHub, Pandoc and Quarto, in every output.

One chapter (tests/fixtures/authors/04-readme.md) holds GitHub-style links to headings
with punctuation, both kinds of callout, attributes, sub/sup, highlight, the allowed
inline HTML, comments, a wrapped footnote and a large photo with a width; a section intro
holds a callout for the handouts. The publication is built once through the real
command line; each test reads that build. What is refused instead is in
tests/cli/test_bad_inputs.py.
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

pytestmark = pytest.mark.slow
X = "{http://www.w3.org/1999/xhtml}"
CHAPTER = (FIXTURES / "authors/04-readme.md").read_text("utf-8")
NESTED = ("---\ntitle: Genest\n---\n- Een punt\n\n  > [!NOTE]\n  > Een opmerking in een lijst.\n\n"
          "> [!WARNING]\n> Buiten.\n>\n> > [!TIP]\n> > Binnen.\n\n"
          "::: {.callout-tip #blok}\nEen blok met\n\n> [!NOTE]\n> een opmerking erin.\n:::\n\nZie [het blok](#blok).\n")
INTRO_CALLOUT = "      > [!TIP]\n      > Een tip op het werkblad.\n"
# What would show that a construct came out as its source text
LITERAL = re.compile(r"\{[#.]|\{width|\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]|:::|~2~|\^2\^|==|<!--"
                     r"|<(kbd|sub|sup|abbr|br)")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    from PIL import Image, ImageCms

    from support import copy_project

    root = copy_project(tmp_path_factory.mktemp("authors"))
    essay = root / "content/essay"
    (essay / "04-readme.md").write_text(CHAPTER, "utf-8")
    Image.new("RGB", (600, 400), (200, 30, 30)).save(essay / "vlak.png")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (4000, 3000), (90, 140, 60)).save(essay / "foto.jpg", quality=95, icc_profile=srgb)
    (essay / "06-genest.md").write_text(NESTED, "utf-8")
    (essay / "05-dubbel.md").write_text("---\ntitle: Dubbele titel\n---\n# Een andere titel\n\nTekst.\n", "utf-8")
    course = root / "content/course/03-robots.yaml"
    text = course.read_text("utf-8")
    marker = "Robots kunnen veel. Lees [dit artikel](https://www.axios.com/2025/04/23/texas-driverless-trucks).\n"
    course.write_text(text.replace(marker, marker + "\n" + INTRO_CALLOUT), "utf-8")
    result = cli("--root", str(root))
    assert result.returncode == 0, result.stderr + result.stdout
    return root / "dist", result.stdout + result.stderr


def epub_page(dist: Path, name: str = "chapter-04-readme.xhtml") -> str:
    with zipfile.ZipFile(dist / "mini-boekje.epub") as epub:
        return epub.read(f"EPUB/{name}").decode()


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_headings_get_github_ids_and_github_links_reach_them(built):
    root = ET.fromstring(epub_page(built[0]))
    ids = [h.get("id") for h in root.iter() if h.tag in (X + "h2", X + "h3")]
    assert ids == ["whats-new", "booting--live-usbs", "eg", "whats-new-1", "eigen-id", "café-terras"]
    hrefs = [a.get("href") for a in root.iter(X + "a") if a.get("href")]
    for anchor in ("#whats-new", "#booting--live-usbs", "#eg", "#whats-new-1", "#eigen-id", "#café-terras",
                   "chapter-01-begin.xhtml#een-sectie"):
        assert anchor in hrefs
    own = next(h for h in root.iter(X + "h2") if h.get("id") == "eigen-id")
    assert own.get("class") == "speciaal" and "".join(own.itertext()) == "Met eigen id"


def test_callouts_of_both_kinds_are_labelled_asides(built):
    root = ET.fromstring(epub_page(built[0]))
    callouts = [a for a in root.iter(X + "aside") if "callout" in (a.get("class") or "").split()]
    kinds = [a.get("class").split()[1] for a in callouts]
    assert kinds == ["callout-note", "callout-tip", "callout-important", "callout-warning", "callout-caution",
                     "callout-warning", "callout-tip"]
    assert all(a.get("role") == "note" for a in callouts)
    titles = ["".join(a.find(X + "p").itertext()).split(maxsplit=1)[1] for a in callouts]
    assert titles == ["Opmerking", "Tip", "Belangrijk", "Waarschuwing", "Let op", "Quarto-waarschuwing", "Tip"]
    divs = [d.get("class") for d in root.iter(X + "div")]
    assert "samenvatting" in divs


def test_callouts_nest_and_sit_in_lists(built):
    root = ET.fromstring(epub_page(built[0], "chapter-06-genest.xhtml"))

    def tree(element) -> list:
        return [[a.get("class").split()[1], tree(a)] for a in element.findall(f"{X}aside")]

    section = root.find(f".//{X}section")
    assert tree(section) == [["callout-warning", [["callout-tip", []]]], ["callout-tip", [["callout-note", []]]]]
    assert tree(section.find(f"{X}ul/{X}li")) == [["callout-note", []]]
    assert next(a for a in section.iter(f"{X}a") if "".join(a.itertext()) == "het blok").get("href") == "#blok"
    assert [a.get("id") for a in section.iter(f"{X}aside") if a.get("id")] == ["blok"]


def test_inline_extras_are_elements(built):
    root = ET.fromstring(epub_page(built[0]))
    tags = {el.tag.removeprefix(X) for el in root.iter()}
    assert {"sub", "sup", "mark", "kbd", "abbr", "small", "br"} <= tags
    abbr = next(root.iter(X + "abbr"))
    assert abbr.get("title") == "HyperText Markup Language" and abbr.text == "HTML"
    span = next(s for s in root.iter(X + "span") if s.get("lang"))
    assert (span.get("lang"), span.get("class"), span.text) == ("en", "term", "span in English")
    link = next(a for a in root.iter(X + "a") if a.get("href") == "https://www.w3.org/")
    assert link.get("class") == "ext external-site"
    widths = [img.get("style") for img in root.iter(X + "img")]
    assert widths == ["width: 40%", "width: 3cm; height: 2cm"]


def test_the_web_edition_sizes_images_by_class_under_its_csp(built):
    dist = built[0]
    page = (dist / "web/chapter-04-readme.html").read_text("utf-8")
    assert "style=" not in page
    assert 'class="size-width-40pct"' in page and 'class="size-width-3cm size-height-2cm smal"' in page
    css = (dist / "web/style.css").read_text("utf-8")
    assert "img.size-width-40pct { width: 40%; }" in css and "img.size-height-2cm { height: 2cm; }" in css


def test_nothing_comes_out_as_its_source_text(built):
    dist = built[0]
    words = " ".join(ET.fromstring(epub_page(dist)).itertext())
    assert not LITERAL.search(words), LITERAL.search(words)
    booklet = pdf_text(dist / "mini-boekje.pdf")
    assert "Quarto-waarschuwing" in booklet and "Waarschuwing" in booklet and "this is marked" in booklet
    assert not LITERAL.search(booklet), LITERAL.search(booklet)
    web = (dist / "web/chapter-04-readme.html").read_text("utf-8")
    assert 'class="callout callout-caution" role="note"' in web and "<mark>this is marked</mark>" in web
    assert "comment" not in words and "comment" not in booklet


def test_a_wrapped_footnote_is_one_line_at_the_foot(built):
    booklet = pdf_text(built[0] / "mini-boekje.pdf")
    assert "This note is written on three source lines, as every editor wraps it." in booklet


def test_a_callout_in_a_section_intro_is_on_the_handout(built):
    sheet = pdf_text(built[0] / "handouts/03-robots-in-de-klas.pdf")
    assert "Tip" in sheet and "Een tip op het werkblad." in sheet and "[!TIP]" not in sheet


def test_a_title_given_twice_is_printed_once_with_a_warning(built):
    dist, output = built
    assert "the title is given twice: 'Dubbele titel' in the front matter and '# Een andere titel'" in output
    page = epub_page(dist, "chapter-05-dubbel.xhtml")
    assert "Dubbele titel" in page and "Een andere titel" not in page


def test_a_large_photo_is_scaled_down_per_output_keeping_its_profile(built):
    from PIL import Image

    dist = built[0]
    with zipfile.ZipFile(dist / "mini-boekje.epub") as epub:
        photo = Image.open(io.BytesIO(epub.read("EPUB/images/essay-foto.jpg")))
    assert max(photo.size) == 1600 and photo.info.get("icc_profile")
    sizes = []
    for page in PdfReader(dist / "mini-boekje.pdf").pages:
        sizes += [max(image.image.size) for image in page.images]
    assert max(sizes) == 2400  # print: 2400 px on the long side, not the camera's 4000


def test_the_epub_is_valid(built):
    assert epubcheck(built[0] / "mini-boekje.epub") == []
