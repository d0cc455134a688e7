"""Fonts travel into the EPUB: a publication's own `@font-face` (in styles/custom.css)
names a file of its `fonts/`; the file is packed beside the stylesheet (`css/fonts/…`,
declared in the manifest) and the `url()` rewritten to it, so the EPUB is whole (no RSC-007).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from ...render.styles import Stylesheet

MEDIA = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}
_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


def packed(sheets: list[Stylesheet], root: Path) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """The stylesheets joined, each font `url()` pointing into the package; and the font files
    (name in the package → media type, bytes). A font outside the publication stays out."""
    files: dict[str, tuple[str, bytes]] = {}
    texts = []
    for sheet in sheets:
        def swap(match: re.Match[str], sheet: Stylesheet = sheet) -> str:
            target = (sheet.base / unquote(match.group(2))).resolve()
            media = MEDIA.get(target.suffix.lower())
            if media is None or not target.is_file() or not target.is_relative_to(root.resolve()):
                return match.group(0)
            name = f"fonts/{target.name}"
            files[f"css/{name}"] = (media, target.read_bytes())
            return f'url("{name}")'
        texts.append(_URL.sub(swap, sheet.text))
    return "".join(texts), files
