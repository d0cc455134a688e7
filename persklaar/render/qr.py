"""QR codes as vector SVG (segno), sized for phones reading paper."""

from __future__ import annotations

import base64
import functools
import html
import io

import segno


@functools.lru_cache(maxsize=1024)
def svg(url: str, title: str = "") -> str:
    """An SVG QR code of `url` (quiet zone of 4 modules, error correction M).

    The SVG has a viewBox and no fixed size, so CSS decides how large it prints
    (about 2 cm on a handout is comfortably scannable).
    """
    code = segno.make(url, error="m", micro=False)
    # segno's svg_inline() forces svgns=False (and fails when given it); save() keeps the
    # xmlns that XHTML (EPUB) needs.
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=1, border=4,
              omitsize=True, title=title or None, dark="#000", light="#fff", svgclass="qr",
              lineclass=None)
    return buffer.getvalue().decode("utf-8")


def img(url: str, alt: str) -> str:
    """The QR code of `url` as an `<img>` with alternate text, for a PDF.

    WeasyPrint tags it as a Figure with `alt` as its alternate text (PDF/UA 7.3-1: a
    Figure without one fails); inline SVG would get only its `<title>`. The SVG travels
    in a `data:` URL, which the restricted URL fetcher serves without reading a file.
    """
    data = base64.b64encode(svg(url).encode("utf-8")).decode("ascii")
    return f'<img class="qr" src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" />'
