"""Saddle-stitch imposition: the order of pages on the sheets, read back from real PDFs.

Synthetic booklets are made with WeasyPrint: every page says `PAGE-NN`, so the text
found on each half of an imposed side tells which page was placed there.
"""

from __future__ import annotations

import io
import re

import pypdf
import pypdfium2 as pdfium
import pytest
from hypothesis import given
from hypothesis import strategies as st

from persklaar.outputs.booklet.impose import A4_LANDSCAPE, impose, padded, sheet_order

# ---------------------------------------------------------------- the order


def one_based(sides):
    return [tuple(None if i is None else i + 1 for i in side) for side in sides]


def test_four_pages_make_one_sheet() -> None:
    assert one_based(sheet_order(4)) == [(4, 1), (2, 3)]


def test_eight_pages_make_two_sheets_in_the_classic_order() -> None:
    assert one_based(sheet_order(8)) == [(8, 1), (2, 7), (6, 3), (4, 5)]


def test_an_odd_count_is_padded_with_blanks_at_the_end() -> None:
    # 5 pages → 8: pages 6, 7 and 8 are blank (the back cover stays empty)
    assert one_based(sheet_order(5)) == [(None, 1), (2, None), (None, 3), (4, 5)]


@given(st.integers(min_value=1, max_value=400))
def test_every_page_is_placed_once_and_facing_pages_add_up(n: int) -> None:
    sides = sheet_order(n)
    total = padded(n)
    assert total % 4 == 0 and total - n < 4
    assert len(sides) == total // 2
    placed = [i for side in sides for i in side if i is not None]
    assert sorted(placed) == list(range(n))
    for left, right in sides:  # halves of a side are page i and page total-1-i
        if left is not None and right is not None:
            assert left + right == total - 1
        else:  # the missing partner is padding
            present = right if left is None else left
            assert present is None or total - 1 - present >= n
    # sheet s (front side 2s) carries the outermost pages still free: 1 and last first
    for sheet in range(total // 4):
        front = sides[2 * sheet]
        assert front[1] == 2 * sheet


# ---------------------------------------------------------------- imposed PDFs


def synthetic(n: int, size: str = "A5") -> bytes:
    from weasyprint import HTML

    pages = "".join(f'<p style="break-after: page">PAGE-{i:02d}</p>' for i in range(1, n + 1))
    css = f"<style>@page {{ size: {size}; margin: 20mm }} p {{ font-size: 30pt }}</style>"
    return HTML(string=css + pages).write_pdf()


@pytest.fixture(scope="module")
def sources() -> dict[int, bytes]:
    return {n: synthetic(n) for n in (4, 5, 8)}


def halves(imposed: bytes) -> list[tuple[int | None, int | None]]:
    """(left, right) page numbers printed on each side, read with pdfium by region."""
    document = pdfium.PdfDocument(imposed)
    width = A4_LANDSCAPE[0]
    found = []
    for page in document:
        text = page.get_textpage()
        left = text.get_text_bounded(right=width / 2)
        right = text.get_text_bounded(left=width / 2)
        found.append((_number(left), _number(right)))
    return found


def _number(text: str) -> int | None:
    numbers = re.findall(r"PAGE-(\d+)", text)
    assert len(numbers) <= 1, f"two pages on one half: {numbers}"
    return int(numbers[0]) if numbers else None


@pytest.mark.parametrize("n", [4, 5, 8])
def test_imposed_pdf_puts_the_right_page_on_each_half(n: int, sources: dict[int, bytes]) -> None:
    imposed = impose(sources[n])
    assert halves(imposed) == one_based(sheet_order(n))


@pytest.mark.parametrize("n", [4, 5, 8])
def test_imposed_sides_are_a4_landscape_built_from_form_xobjects(n: int, sources: dict[int, bytes]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(impose(sources[n])))
    assert len(reader.pages) == padded(n) // 2
    for page, side in zip(reader.pages, sheet_order(n), strict=False):
        assert float(page.mediabox.width) == pytest.approx(A4_LANDSCAPE[0], abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(A4_LANDSCAPE[1], abs=0.5)
        xobjects = page["/Resources"]["/XObject"]
        assert sorted(xobjects) == sorted(f"/P{i + 1}" for i in side if i is not None)
        for ref in xobjects.values():
            assert ref.get_object()["/Subtype"] == "/Form"
        drawn = re.findall(rb"/P(\d+) Do", page.get_contents().get_data())
        assert [int(d) for d in drawn] == [i + 1 for i in side if i is not None]


def test_pages_meet_at_the_fold(sources: dict[int, bytes]) -> None:
    """An A5 page fills its half exactly, so the inner margins stay as designed."""
    page = pypdf.PdfReader(io.BytesIO(impose(sources[4]))).pages[0]
    ops = page.get_contents().get_data().decode().splitlines()
    left, right = (list(map(float, op.split()[1:7])) for op in ops)
    a5_width = float(pypdf.PdfReader(io.BytesIO(sources[4])).pages[0].mediabox.width)
    assert left[0] == pytest.approx(1.0) and right[0] == pytest.approx(1.0)
    assert left[4] + a5_width == pytest.approx(A4_LANDSCAPE[0] / 2, abs=0.01)
    assert right[4] == pytest.approx(A4_LANDSCAPE[0] / 2, abs=0.01)


def test_a_larger_page_is_scaled_down_to_fit_its_half() -> None:
    imposed = impose(synthetic(2, size="A4"))
    assert halves(imposed) == [(None, 1), (2, None)]
    ops = pypdf.PdfReader(io.BytesIO(imposed)).pages[0].get_contents().get_data().decode()
    scale = float(ops.split()[1])
    assert scale == pytest.approx(A4_LANDSCAPE[1] / 841.89, abs=0.01)


def test_imposition_is_reproducible_and_keeps_title_and_language(sources: dict[int, bytes]) -> None:
    first, second = impose(sources[8], "druk"), impose(sources[8], "druk")
    assert first == second
    reader = pypdf.PdfReader(io.BytesIO(first))
    assert reader.metadata["/Subject"] == "druk"
    assert "/StructTreeRoot" not in reader.trailer["/Root"]  # documented: the print file is untagged
