"""A formula's picture for the PDFs: on the text's baseline, sized with the text, cached."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from persklaar.core.math import to_mathml
from persklaar.render.math import math_img, math_svg


def _ink_bottom(image, left: int, right: int) -> int:
    """The lowest row with ink between columns `left` and `right`."""
    rows = [y for y in range(image.height) if min(image.getpixel((x, y)) for x in range(left, right)) < 128]
    assert rows, "no ink"
    return rows[-1]


@pytest.mark.parametrize("size", [16, 40])
def test_a_formula_sits_on_the_baseline_and_scales_with_the_text(tmp_path: Path, size: int):
    """`x` as text and `$x$` as a picture, side by side at two text sizes: their feet end on
    the same pixel row (no descender in either), and the picture's `x` is as tall as the text's."""
    import pypdfium2 as pdfium
    import weasyprint

    img = math_img(tmp_path, to_mathml("x"), "x")
    page = (f'<html><style>@page {{ margin: 0 }}</style><body style="margin:0;font-family:serif;font-size:{size}px">'
            f'<p style="margin:20px">x<span style="padding-left:100px"></span>{img}</p></body></html>')
    weasyprint.HTML(string=page).write_pdf(tmp_path / "x.pdf")
    image = pdfium.PdfDocument(tmp_path / "x.pdf")[0].render(scale=144 / 72).to_pil().convert("L")  # 144 dpi
    scale = 144 / 96  # CSS px to pixels at 144 dpi
    text_right = int((20 + size) * scale)
    picture_left = int((20 + size * 0.5 + 100) * scale)
    text, picture = _ink_bottom(image, 0, text_right), _ink_bottom(image, picture_left, image.width)
    assert abs(text - picture) <= 2, (text, picture)


def test_sizes_are_in_em_and_the_depth_lowers_the_picture(tmp_path: Path):
    _, width, height, depth = math_svg(to_mathml(r"\sum_{i=1}^{n} x_i", display=True))
    assert 0.5 < height < 4 and width > 0.5 and depth > 0.2  # the limits hang below the baseline
    img = math_img(tmp_path, to_mathml("y_i"), "y_i")
    style = re.search(r'style="([^"]+)"', img).group(1)
    assert re.fullmatch(r"width: [\d.]+em; height: [\d.]+em; vertical-align: -[\d.]+em", style)
    assert 'alt="y_i"' in img
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", img).group(1)).decode()
    assert svg.startswith("<svg") and "<path" in svg and "<use" not in svg


def test_a_picture_is_drawn_once_and_kept_in_the_cache(tmp_path: Path):
    mathml = to_mathml(r"\frac{a}{b}")
    first = math_img(tmp_path, mathml, "a/b")
    assert len(list((tmp_path / ".persklaar/cache/math").glob("*.bin"))) == 1
    assert math_img(tmp_path, mathml, "a/b") == first
