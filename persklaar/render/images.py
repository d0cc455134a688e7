"""Photos at the size each output needs, not the size the camera made them.

A raster image wider or taller than an output's limit is scaled down (Lanczos), in its
own format, keeping its colour (ICC) profile; an image within the limit, an SVG and an
animated GIF are used as they are. Print: `PRINT_PX` on the long side (300 dpi across
a 20 cm wide page, more than an A5 or A4 page places); screens (EPUB, web edition):
`SCREEN_PX`. The result is cached by the image's bytes (`render.cache`).
"""

from __future__ import annotations

import io
from pathlib import Path

from . import cache

PRINT_PX = 2400
SCREEN_PX = 1600
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}


def scaled(root: Path, data: bytes, media_type: str, limit: int) -> bytes:
    """`data` with its long side at most `limit` pixels (the same bytes if it already is)."""
    fmt = _FORMATS.get(media_type)
    if fmt is None:
        return data
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if max(image.size) <= limit:
            return data
    return cache.cached(root, "images", cache.key_of(data, str(limit), "1"), lambda: _scale(data, fmt, limit))


def _scale(data: bytes, fmt: str, limit: int) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        icc = image.info.get("icc_profile")
        small = image.copy()
        small.thumbnail((limit, limit), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        options: dict = {"icc_profile": icc} if icc else {}
        if "dpi" in image.info:
            options["dpi"] = image.info["dpi"]
        if fmt == "JPEG":
            options.update(quality=88, optimize=True)
        elif fmt == "PNG":
            options.update(optimize=True)
        small.save(out, fmt, **options)
        return out.getvalue()
