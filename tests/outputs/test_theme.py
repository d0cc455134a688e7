"""A publication's own look and language: page size, custom.css, templates, labels, fonts.

Each test starts from `persklaar new` (what an author starts from) and builds with the
real command line; the changes that can live together share one build (`styled`).
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


def red_pixels(pdf: Path, page: int = 0) -> int:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        image = document[page].render(scale=0.5).to_pil().convert("RGB")
    finally:
        document.close()
    return sum(1 for pixel in image.get_flattened_data() if pixel[0] > 170 and pixel[1] < 60 and pixel[2] < 60)


def test_a4_pages_and_an_a3_print_version(tmp_path: Path):
    dist = build(new(tmp_path, **{"size: A5": "size: A4"}), "booklet")
    for page in PdfReader(dist / "my-publication.pdf").pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    imposed = PdfReader(dist / "my-publication-imposed.pdf")
    for side in imposed.pages:
        assert (float(side.mediabox.width), float(side.mediabox.height)) == pytest.approx(A3_LANDSCAPE, abs=0.5)
    assert "A4 booklet on A3" in imposed.metadata["/Subject"]


def test_a_custom_page_size_imposes_on_a_sheet_twice_as_wide(tmp_path: Path):
    dist = build(new(tmp_path, **{"size: A5": 'size: "120 180"'}), "booklet")
    first = PdfReader(dist / "my-publication.pdf").pages[0]
    assert float(first.mediabox.width) == pytest.approx(120 * 72 / 25.4, abs=0.5)
    side = PdfReader(dist / "my-publication-imposed.pdf").pages[0]
    assert float(side.mediabox.width) == pytest.approx(240 * 72 / 25.4, abs=0.5)


# One publication carries every change that can live together (custom.css, a template of
# its own, a label, a body font, a cover image): one full build, asserted on by several tests.
RULE = "h1, .cover-title, .book-title { color: rgb(200, 0, 0); }\n"


@pytest.fixture(scope="module")
def styled(tmp_path_factory) -> tuple[Path, bytes]:
    from fontTools.ttLib import TTFont
    from PIL import Image

    label = {"chapters:\n": "labels:\n  contents: Table of contents\nchapters:\n"}
    book = new(tmp_path_factory.mktemp("styled"), **label)
    (book / "styles").mkdir()
    (book / "styles/custom.css").write_text(RULE, "utf-8")
    (book / "templates/booklet").mkdir(parents=True)
    theme = Path(__file__).resolve().parents[2] / "templates/booklet/chapter.html"
    own = theme.read_text("utf-8").replace('<div class="body">', '<div class="body"><p>EIGEN SJABLOON</p>')
    (book / "templates/booklet/chapter.html").write_text(own, "utf-8")
    (book / "fonts").mkdir()
    font = TTFont(str(Path(__file__).resolve().parents[2] / "styles/fonts/source-sans-3-latin-400-normal.woff2"))
    for record in font["name"].names:
        if record.nameID in (1, 4, 6, 16):
            record.string = "PersklaarTestSans"
    font.flavor = None
    font.save(str(book / "fonts/test-sans.ttf"))
    (book / "content/img").mkdir()
    cover = io.BytesIO()
    Image.new("RGB", (300, 400), RED).save(cover, "JPEG", quality=95)
    (book / "content/img/cover.jpg").write_bytes(cover.getvalue())
    path = book / "content/publication.yaml"
    body = 'accent: "#2f5d8a"\n  fonts:\n    body: fonts/test-sans.ttf'
    text = path.read_text("utf-8").replace('accent: "#2f5d8a"', body)
    path.write_text(text + "cover:\n  image: img/cover.jpg\n  alt: A red field\n", "utf-8")
    return build(book), cover.getvalue()


def test_custom_css_restyles_every_output(styled: tuple[Path, bytes]):
    dist, _ = styled
    assert red_pixels(dist / "my-publication.pdf", 5) > 50  # a chapter's title (the cover is the image)
    assert red_pixels(dist / "handouts/01-getting-started.pdf", 0) > 50  # the sheet's h1
    with zipfile.ZipFile(dist / "my-publication.epub") as epub:
        assert epub.read("EPUB/css/epub.css").decode().endswith(RULE)
    assert epubcheck(dist / "my-publication.epub") == []


def test_a_template_of_the_publication_replaces_the_themes(styled: tuple[Path, bytes]):
    text = PdfReader(styled[0] / "my-publication.pdf").pages[5].extract_text()
    assert "EIGEN SJABLOON" in text


def test_labels_in_publication_yaml_change_single_words(styled: tuple[Path, bytes]):
    assert "Table of contents" in PdfReader(styled[0] / "my-publication.pdf").pages[4].extract_text()


def test_a_font_of_the_publication_is_embedded(styled: tuple[Path, bytes]):
    embedded = set()
    for page in PdfReader(styled[0] / "my-publication.pdf").pages:
        for font_ref in (page.get("/Resources") or {}).get("/Font", {}).values():
            embedded.add(str(font_ref.get_object()["/BaseFont"]))
    assert any("Publication-Body" in name for name in embedded), embedded  # the family theme.fonts names


def test_a_cover_image_is_the_pdf_and_epub_cover(styled: tuple[Path, bytes]):
    dist, cover = styled
    assert red_pixels(dist / "my-publication.pdf", 0) > 500
    with zipfile.ZipFile(dist / "my-publication.epub") as epub:
        assert epub.read("EPUB/images/cover.jpg") == cover
        assert 'alt="A red field"' in epub.read("EPUB/cover.xhtml").decode()


def test_accent_colour_from_publication_yaml(tmp_path: Path):
    book = new(tmp_path, **{'accent: "#2f5d8a"': 'accent: "#c80000"'})
    dist = build(book, "booklet")
    assert red_pixels(dist / "my-publication.pdf", 0) > 50  # the cover's rule takes the accent


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


def test_a_language_of_the_publications_own(tmp_path: Path):
    book = new(tmp_path, **{"language: en": "language: sv"})
    (book / "templates/labels").mkdir(parents=True)
    swedish = dict(labels("en"), contents="Innehåll", reading_times="Lästider")
    (book / "templates/labels/sv.yaml").write_text("".join(f"{k}: {v!r}\n" for k, v in swedish.items()), "utf-8")
    dist = build(book, "booklet")
    text = " ".join(p.extract_text() for p in PdfReader(dist / "my-publication.pdf").pages)
    assert "Innehåll" in text and "Lästider" in text


def test_a_language_file_with_keys_missing_says_which(tmp_path: Path):
    book = new(tmp_path, **{"language: en": "language: sv"})
    (book / "templates/labels").mkdir(parents=True)
    (book / "templates/labels/sv.yaml").write_text("contents: Innehåll\n", "utf-8")
    result = cli("check", cwd=book)
    assert result.returncode == 1
    assert "content/publication.yaml:7:11: labels for 'sv' lack" in result.stderr and "colophon" in result.stderr


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
