"""Imposition: the booklet's A5 pages, two to an A4 landscape side, in saddle-stitch order.

Print the result double-sided, flipping on the short edge, stack the sheets as they
come out, fold them in the middle and staple on the fold: the pages read in order.
The page count is padded with blank pages to a multiple of 4 (one sheet holds four
pages: two on the front, two on the back).

Each source page is placed once as a Form XObject (`/P Do`), by pikepdf (qpdf): the
booklet is read once, in C++, and its fonts and images are copied over once. (pypdf
took 2 s for a 74-page booklet and 8 s for a 213-page one, nearly all of it reading
the page tree back.)

The imposed PDF is for the printer only: a page placed as a form cannot carry its tags,
so it has no tags, no outline and no links. The booklet PDF itself is the accessible
(tagged) version; the imposed file says so in its subject line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pikepdf

A4_LANDSCAPE = (841.89, 595.28)  # points: the sheet of an A5 booklet
Side = tuple[int | None, int | None]
Sheet = tuple[float, float]


def sheet_points(width_mm: float, height_mm: float) -> Sheet:
    """A sheet's size in points, rounded as the A4 constant is (so A5 booklets stay the same bytes)."""
    return (round(width_mm * 72 / 25.4, 2), round(height_mm * 72 / 25.4, 2))


def padded(n_pages: int) -> int:
    """The page count rounded up to a whole number of sheets (4 pages each)."""
    return -(-n_pages // 4) * 4


def sheet_order(n_pages: int) -> list[Side]:
    """(left, right) source page indexes (0-based) of every sheet side, in print order.

    Sides alternate front and back: sheet s has front (last-2s, 2s) and back
    (2s+1, last-2s-1), so 8 pages give (8,1), (2,7), (6,3), (4,5) in page numbers.
    Indexes past the real pages are padding and come back as None (a blank half).
    """
    total = padded(n_pages)
    sides: list[tuple[int, int]] = []
    for sheet in range(total // 4):
        front = (total - 1 - 2 * sheet, 2 * sheet)
        back = (2 * sheet + 1, total - 2 - 2 * sheet)
        sides.extend([front, back])
    return [(_real(left, n_pages), _real(right, n_pages)) for left, right in sides]


def _real(index: int | None, n_pages: int) -> int | None:
    return index if index is not None and index < n_pages else None


def impose(pdf_bytes: bytes, subject: str = "", sheet: Sheet = A4_LANDSCAPE) -> bytes:
    """The pages of `pdf_bytes` imposed two-up on `sheet` (landscape) for a saddle-stitched booklet."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as source, pikepdf.new() as out:
        forms = [out.copy_foreign(page.as_form_xobject()) for page in source.pages]
        sizes = [(float(page.mediabox[2] - page.mediabox[0]), float(page.mediabox[3] - page.mediabox[1]))
                 for page in source.pages]
        for left, right in sheet_order(len(forms)):
            _add_side(out, [(0, left), (1, right)], forms, sizes, sheet)
        _copy_metadata(source, out, subject)
        buffer = io.BytesIO()
        # deterministic_id: the file identifier is a hash of the content, never random
        out.save(buffer, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return buffer.getvalue()


def _add_side(out: pikepdf.Pdf, halves: Sequence[tuple[int, int | None]],
              forms: list[pikepdf.Object], sizes: list[tuple[float, float]], sheet: Sheet) -> None:
    """One sheet side: each half gets its page scaled to fit and centred; None stays blank."""
    width, height = sheet
    xobjects = pikepdf.Dictionary()
    ops = []
    for slot, index in halves:
        if index is None:
            continue
        name = f"/P{index + 1}"
        xobjects[name] = forms[index]
        ops.append(_placement(name, slot, sizes[index], sheet))
    side = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array([0, 0, width, height]),
        Resources=pikepdf.Dictionary(XObject=xobjects),
        Contents=pikepdf.Stream(out, "\n".join(ops).encode()),
    )
    out.pages.append(pikepdf.Page(side))


def _placement(name: str, slot: int, size: tuple[float, float], sheet: Sheet = A4_LANDSCAPE) -> str:
    """`q a 0 0 d x y cm /Pn Do Q`: the page fitted into half `slot` (0 left, 1 right).

    Pages meet at the fold (the sheet's centre line), so the inner margins the booklet
    was designed with are exactly what the reader sees.
    """
    half_w, height = sheet[0] / 2, sheet[1]
    w, h = size
    scale = min(half_w / w, height / h, 1.0)
    x = half_w - w * scale if slot == 0 else half_w
    y = (height - h * scale) / 2
    return f"q {scale:.5f} 0 0 {scale:.5f} {x:.3f} {y:.3f} cm {name} Do Q"


def _copy_metadata(source: pikepdf.Pdf, out: pikepdf.Pdf, subject: str) -> None:
    """Title, author and language of the source; no dates (so output stays reproducible)."""
    info = source.docinfo
    for key in ("/Title", "/Author", "/Keywords"):
        if key in info:
            out.docinfo[key] = pikepdf.String(str(info[key]))
    if subject:
        out.docinfo["/Subject"] = pikepdf.String(subject)
    if "/Lang" in source.Root:
        out.Root.Lang = pikepdf.String(str(source.Root.Lang))
