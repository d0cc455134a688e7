"""An image works the same in every output: one resolver finds it, each output embeds it.

A chapter's image appears in the booklet and the EPUB; an image in a course section's
intro appears in all three outputs (booklet, EPUB, handout).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from support import cli, copy_project, epubcheck

RED, BLUE = (200, 30, 30), (30, 60, 200)


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("images"))
    (root / "content/essay/img").mkdir()
    (root / "content/essay/img/vlak.png").write_bytes(png(RED))
    chapter = root / "content/essay/01-begin.md"
    chapter.write_text(chapter.read_text("utf-8") + "\n![Een rood vlak](img/vlak.png)\n", "utf-8")
    (root / "content/course/beeld").mkdir()
    (root / "content/course/beeld/blauw.png").write_bytes(png(BLUE))
    course = root / "content/course/03-robots.yaml"
    course.write_text(course.read_text("utf-8").replace(
        "Robots kunnen veel.", "Robots kunnen veel.\n\n      ![Een blauw vlak](beeld/blauw.png)\n\n     "), "utf-8")
    result = cli("--root", str(root))
    assert result.returncode == 0, result.stderr
    return root / "dist"


def colours(pdf: Path) -> list[tuple[int, tuple[int, int, int]]]:
    """(page, colour of its middle pixel) of every raster image in a PDF."""
    found = []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        for image in page.images:
            picture = image.image.convert("RGB")
            found.append((number, picture.getpixel((picture.width // 2, picture.height // 2))))
    return found


def test_the_booklet_shows_both_images(built: Path):
    shown = {colour for _, colour in colours(built / "mini-boekje.pdf")}
    assert {RED, BLUE} <= shown


def test_the_handout_shows_the_intros_image(built: Path):
    assert [colour for _, colour in colours(built / "handouts/03-robots-in-de-klas.pdf")] == [BLUE]
    assert colours(built / "handouts/03-1-zonder-bronnen.pdf") == []


def test_the_epub_carries_both_images_with_their_alt_text(built: Path):
    book = built / "mini-boekje.epub"
    with zipfile.ZipFile(book) as z:
        chapter = z.read("EPUB/chapter-01-begin.xhtml").decode()
        module = z.read("EPUB/module-03.xhtml").decode()
        assert z.read("EPUB/images/essay-img-vlak.png") == png(RED)
        assert z.read("EPUB/images/course-beeld-blauw.png") == png(BLUE)
    assert '<img src="images/essay-img-vlak.png" alt="Een rood vlak" />' in chapter
    assert '<img src="images/course-beeld-blauw.png" alt="Een blauw vlak" />' in module
    assert epubcheck(book) == []
