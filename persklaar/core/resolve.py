"""One resolver for every file a publication uses, so a path works the same in `check`,
the booklet, the EPUB and the handouts.

An image is written relative to the text that shows it (`img/red.png` in
`content/essay/01-x.md` is `content/essay/img/red.png`). It must stay inside
`content/` (no `..`, no absolute path, no link leading out), be a file of a kind every
output can embed, and decode: a broken PNG is reported here with the text's position,
not by a renderer halfway through a build.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path
from urllib.parse import unquote

from . import imagefiles
from .markdown import is_relative_path
from .model import Asset
from .sources import LINK_OUT, inside, link_out

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024


class Resolver:
    """Finds the files a publication's texts refer to, inside its folder only."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.content = self.root / "content"
        self._seen: dict[Path, Asset | str] = {}

    def image(self, src: str, folder: str) -> Asset | str:
        """The image `src` written in a text under `folder` (e.g. `content/essay`), or why not."""
        if not is_relative_path(src) or not src:
            return "must be a relative path to a file under content/ (no URL, no leading /)"
        path = self.root / folder / unquote(src)  # markdown-it percent-encodes: `%2e%2e/` is `../`
        if link_out(path, self.root):
            return LINK_OUT
        if not _under(path, self.content):
            return "leads outside content/: keep images under content/"
        if not path.is_file():
            return self._missing(path, folder)
        path = path.resolve()
        if path not in self._seen:
            self._seen[path] = self._load(path)
        return self._seen[path]

    def _missing(self, path: Path, folder: str) -> str:
        """Where a missing image was looked for, and the closest image file that exists
        (written as the text would name it)."""
        looked = path.resolve().relative_to(self.root).as_posix() if _under(path, self.root) else str(path)
        base = (self.root / folder).resolve()
        names = []
        for found in sorted(self.content.rglob("*")):
            if found.suffix.lower() in IMAGE_TYPES and found.is_file():
                try:
                    names.append(found.resolve().relative_to(base).as_posix())
                except ValueError:
                    names.append(os.path.relpath(found.resolve(), base).replace(os.sep, "/"))
        wanted = os.path.relpath(path.resolve(), base).replace(os.sep, "/")
        close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return (f"is not a file: looked for {looked} (an image's path is relative to the file that names it)"
                + hint)

    def font(self, rel: str) -> str | None:
        """Why the font file `rel` (`fonts/x.woff2`, in the publication) cannot be used, or None."""
        path = self.root / rel
        if link_out(path, self.root):
            return LINK_OUT
        if not inside(path, self.root / "fonts") or not path.is_file():
            return "is not a file under fonts/"
        try:
            from fontTools.ttLib import TTFont

            with TTFont(str(path), lazy=True) as font:
                mapped = font.getBestCmap()
                if not mapped:
                    return "has no character map"
                if 0x20 not in mapped:  # Pango sets the spaces beside a font's letters in that font
                    return "has no space character (U+0020): the spaces beside its letters would print as boxes"
        except Exception as exc:  # fontTools raises many kinds on a damaged file
            return f"does not read as a font ({type(exc).__name__})"
        return None

    def _load(self, path: Path) -> Asset | str:
        media = IMAGE_TYPES.get(path.suffix.lower())
        if media is None:
            return f"is a {path.suffix or 'file without extension'}: use PNG, JPEG, GIF, WebP or SVG"
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return f"is larger than {MAX_IMAGE_BYTES >> 20} MiB"
        data = path.read_bytes()
        problem = imagefiles.problem(data, media, path.name)  # its kind from its bytes; an SVG inert
        if problem:
            return problem
        return Asset(path.relative_to(self.root).as_posix(), media, hashlib.sha256(data).hexdigest())


def _under(path: Path, base: Path) -> bool:
    """`path` lies under `base`: with symlinks resolved if it exists, by its written parts if not."""
    if path.exists():
        return inside(path, base)
    try:
        path.resolve().relative_to(base.resolve())
        return True
    except (OSError, ValueError, RuntimeError):
        return False
