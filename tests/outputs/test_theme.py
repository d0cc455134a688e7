"""A publication's own look and language: page size, custom.css, templates, labels, fonts.

Each test starts from `persklaar new` (what an author starts from) and builds with the
real command line. Settings that do not conflict share one build (module-scoped, each on one
xdist worker): `styled` carries custom.css (red titles), a green accent, a template, labels and
a body font of its own; `swedish` a language of its own on a custom page size; `covered` a
cover image on A4. Each setting's test still looks only at what that setting changes, in a
colour or a word no other setting of its build makes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from support import cli, epubcheck, labels

A4 = (595.28, 841.89)
A3_LANDSCAPE = (1190.55, 841.89)
RED = (200, 0, 0)
SWEDISH = {"contents": "Innehåll", "reading_times": "Lästider"}


def new(tmp_path: Path, language: str = "en", **settings: str) -> Path:
    book = tmp_path / "book"
    result = cli("new", str(book), "--language", language, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    if settings:
        path = book / "content/publication.yaml"
        text = path.read_text("utf-8")
        for old, new_text in settings.items():
            assert old in text, old
            text = text.replace(old, new_text)
        path.write_text(text, "utf-8")
    return book


def build(book: Path, *args: str) -> Path:
    result = cli(*args, cwd=book)
    assert result.returncode == 0, result.stderr + result.stdout
    return book / "dist"


def pixels(pdf: Path, page: int = 0, channel: int = 0) -> int:
    """How many pixels of `page` are strongly red (`channel` 0) or green (1): that channel over
    170, the other two under 60."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        image = document[page].render(scale=0.5).to_pil().convert("RGB")
    finally:
        document.close()
    return sum(1 for pixel in image.get_flattened_data()
               if pixel[channel] > 170 and all(pixel[c] < 60 for c in range(3) if c != channel))


def red_pixels(pdf: Path, page: int = 0) -> int:
    return pixels(pdf, page, channel=0)


def green_pixels(pdf: Path, page: int = 0) -> int:
    return pixels(pdf, page, channel=1)


def own_font(path: Path) -> None:
    """The theme's body font renamed PersklaarTestSans, as a TTF at `path`."""
    from fontTools.ttLib import TTFont

    theme_font = Path(__file__).resolve().parents[2] / "styles/fonts/source-sans-3-latin-400-normal.woff2"
    font = TTFont(str(theme_font))
    for record in font["name"].names:
        if record.nameID in (1, 4, 6, 16):
            record.string = "PersklaarTestSans"
    font.flavor = None
    font.save(str(path))


CUSTOM_CSS = "h1, .cover-title, .book-title { color: rgb(200, 0, 0); }\n"


@pytest.fixture(scope="module")
def styled(tmp_path_factory) -> Path:
    """Every output of a publication with custom.css (red titles), a green accent, a chapter
    template, a label and a body font of its own: its dist/."""
    book = new(tmp_path_factory.mktemp("styled"), **{
        'accent: "#2f5d8a"': 'accent: "#00c800"\n  fonts:\n    body: fonts/test-sans.ttf',
        "chapters:\n": "labels:\n  contents: Table of contents\nchapters:\n"})
    (book / "styles").mkdir()
    (book / "styles/custom.css").write_text(CUSTOM_CSS, "utf-8")
    (book / "templates/booklet").mkdir(parents=True)
    theme = Path(__file__).resolve().parents[2] / "templates/booklet/chapter.html"
    own = theme.read_text("utf-8").replace('<div class="body">', '<div class="body"><p>EIGEN SJABLOON</p>')
    (book / "templates/booklet/chapter.html").write_text(own, "utf-8")
    (book / "fonts").mkdir()
    own_font(book / "fonts/test-sans.ttf")
    return build(book)


@pytest.fixture(scope="module")
def swedish(tmp_path_factory) -> Path:
    """The booklet of a publication in Swedish (labels of its own) on a page of 120 × 180 mm."""
    book = new(tmp_path_factory.mktemp("swedish"), **{"language: en": "language: sv", "size: A5": 'size: "120 180"'})
    (book / "templates/labels").mkdir(parents=True)
    own = dict(labels("en"), **SWEDISH)
    (book / "templates/labels/sv.yaml").write_text("".join(f"{k}: {v!r}\n" for k, v in own.items()), "utf-8")
    return build(book, "booklet")


def red_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 400), RED).save(out, "JPEG", quality=95)
    return out.getvalue()


COVER = red_jpeg()


@pytest.fixture(scope="module")
def covered(tmp_path_factory) -> Path:
    """The booklet and EPUB of an A4 publication with a cover image (a red JPEG, `COVER`)."""
    book = new(tmp_path_factory.mktemp("covered"), **{"size: A5": "size: A4"})
    (book / "content/img").mkdir()
    (book / "content/img/cover.jpg").write_bytes(COVER)
    path = book / "content/publication.yaml"
    path.write_text(path.read_text("utf-8") + "cover:\n  image: img/cover.jpg\n  alt: A red field\n", "utf-8")
    return build(book, "booklet", "epub")


STYLED = pytest.mark.xdist_group("theme-styled")  # the tests of one shared build on one worker: built once
SWEDISH_BUILD = pytest.mark.xdist_group("theme-swedish")
COVERED = pytest.mark.xdist_group("theme-covered")


@COVERED
def test_a4_pages_and_an_a3_print_version(covered: Path):
    for page in PdfReader(covered / "my-publication.pdf").pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    imposed = PdfReader(covered / "my-publication-imposed.pdf")
    for side in imposed.pages:
        assert (float(side.mediabox.width), float(side.mediabox.height)) == pytest.approx(A3_LANDSCAPE, abs=0.5)
    assert "A4 booklet on A3" in imposed.metadata["/Subject"]


@SWEDISH_BUILD
def test_a_custom_page_size_imposes_on_a_sheet_twice_as_wide(swedish: Path):
    first = PdfReader(swedish / "my-publication.pdf").pages[0]
    assert float(first.mediabox.width) == pytest.approx(120 * 72 / 25.4, abs=0.5)
    side = PdfReader(swedish / "my-publication-imposed.pdf").pages[0]
    assert float(side.mediabox.width) == pytest.approx(240 * 72 / 25.4, abs=0.5)


@STYLED
def test_custom_css_restyles_every_output(styled: Path):
    assert red_pixels(styled / "my-publication.pdf", 0) > 50  # the cover's title
    assert red_pixels(styled / "handouts/01-getting-started.pdf", 0) > 50  # the sheet's h1
    with zipfile.ZipFile(styled / "my-publication.epub") as epub:
        assert epub.read("EPUB/css/epub.css").decode().endswith(CUSTOM_CSS)
    assert epubcheck(styled / "my-publication.epub") == []


@STYLED
def test_accent_colour_from_publication_yaml(styled: Path):
    assert green_pixels(styled / "my-publication.pdf", 0) > 50  # the cover's rule takes the accent (#00c800)


@STYLED
def test_a_template_of_the_publication_replaces_the_themes(styled: Path):
    text = PdfReader(styled / "my-publication.pdf").pages[5].extract_text()
    assert "EIGEN SJABLOON" in text


def test_a_broken_template_is_reported_at_its_line_by_check_and_build_alike(tmp_path: Path):
    book = new(tmp_path)
    (book / "templates/handout").mkdir(parents=True)
    (book / "templates/handout/sheet.html").write_text("<html>\n<body>\n{{ no_such_thing.title }}\n</body>\n</html>\n")
    checked = cli("check", cwd=book)
    built = cli(cwd=book)
    for result in (checked, built):
        assert result.returncode == 1
        assert "templates/handout/sheet.html:3:1: template: 'no_such_thing' is undefined" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (book / "dist").exists()


def test_a_template_cannot_reach_outside_its_sandbox(tmp_path: Path):
    book = new(tmp_path)
    (book / "templates/handout").mkdir(parents=True)
    (book / "templates/handout/sheet.html").write_text("{{ pub.__class__.__mro__ }}\n")
    result = cli("check", cwd=book)
    assert result.returncode == 1 and "templates/handout/sheet.html:1:1: template:" in result.stderr


@SWEDISH_BUILD
def test_a_language_of_the_publications_own(swedish: Path):
    text = " ".join(p.extract_text() for p in PdfReader(swedish / "my-publication.pdf").pages)
    assert SWEDISH["contents"] in text and SWEDISH["reading_times"] in text


def test_a_language_file_with_keys_missing_says_which(tmp_path: Path):
    book = new(tmp_path, **{"language: en": "language: sv"})
    (book / "templates/labels").mkdir(parents=True)
    (book / "templates/labels/sv.yaml").write_text("contents: Innehåll\n", "utf-8")
    result = cli("check", cwd=book)
    assert result.returncode == 1
    assert "content/publication.yaml:7:11: labels for 'sv' lack" in result.stderr and "colophon" in result.stderr


@STYLED
def test_labels_in_publication_yaml_change_single_words(styled: Path):
    assert "Table of contents" in PdfReader(styled / "my-publication.pdf").pages[4].extract_text()


@STYLED
def test_a_font_of_the_publication_is_embedded(styled: Path):
    embedded = set()
    for page in PdfReader(styled / "my-publication.pdf").pages:
        for font_ref in (page.get("/Resources") or {}).get("/Font", {}).values():
            embedded.add(str(font_ref.get_object()["/BaseFont"]))
    assert any("Publication-Body" in name for name in embedded), embedded  # the family theme.fonts names


@COVERED
def test_a_cover_image_is_the_pdf_and_epub_cover(covered: Path):
    assert red_pixels(covered / "my-publication.pdf", 0) > 500
    with zipfile.ZipFile(covered / "my-publication.epub") as epub:
        assert epub.read("EPUB/images/cover.jpg") == COVER
        assert 'alt="A red field"' in epub.read("EPUB/cover.xhtml").decode()
    assert epubcheck(covered / "my-publication.epub") == []


def test_french_labels_in_every_output(tmp_path: Path):
    french = labels("fr")
    dist = build(new(tmp_path, language="fr"))
    booklet = " ".join(p.extract_text() for p in PdfReader(dist / "ma-publication.pdf").pages)
    for key in ("contents", "reading_times", "link_appendix", "colophon", "chapter"):
        assert french[key] in booklet, key
    sheet = PdfReader(dist / "handouts/01-premiers-pas.pdf").pages[0].extract_text()
    assert french["reading_times"] in sheet and french["qr_code"] in sheet
    assert (dist / f"handouts/{french['file_all_handouts']}.pdf").is_file()
    with zipfile.ZipFile(dist / "ma-publication.epub") as epub:
        nav = epub.read("EPUB/nav.xhtml").decode()
        times = epub.read("EPUB/reading-times.xhtml").decode()
    assert f">{french['contents']}<" in nav and f">{french['reading_times']}<" in times
    assert epubcheck(dist / "ma-publication.epub") == []
