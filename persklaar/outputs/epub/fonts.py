"""Fonts travel into the EPUB: a publication's own `@font-face` (in styles/custom.css)
names a file of its `fonts/`; the file is packed beside the stylesheet (`css/fonts/…`,
declared in the manifest) and the `url()` rewritten to it, so the EPUB is whole (no RSC-007).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from ...core.model import Publication
from ...render.styles import Stylesheet

MEDIA = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}
_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


def packed(sheets: list[Stylesheet], root: Path,
           codes: frozenset[int] | None = None) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """The stylesheets joined, each font `url()` pointing into the package; and the font files
    (name in the package → media type, bytes), cut down to the characters `codes` as WOFF2
    when given. A font outside the publication stays out."""
    from ...render.fonts import subset

    files: dict[str, tuple[str, bytes]] = {}
    texts = []
    for sheet in sheets:
        def swap(match: re.Match[str], sheet: Stylesheet = sheet) -> str:
            target = (sheet.base / unquote(match.group(2))).resolve()
            media = MEDIA.get(target.suffix.lower())
            if media is None or not target.is_file() or not target.is_relative_to(root.resolve()):
                return match.group(0)
            name = f"fonts/{target.name}"
            files[f"css/{name}"] = (media, target.read_bytes() if codes is None else subset(root, target, codes))
            return f'url("{name}")'
        texts.append(_URL.sub(swap, sheet.text))
    return "".join(texts), files


# A language whose script a reading system may lack, and a letter of that script.
LANGUAGE_LETTERS = {"zh": "中", "ja": "あ", "ko": "한", "ar": "ب", "fa": "ب", "ur": "ب", "he": "ש", "yi": "ש",
                    "hi": "क", "mr": "क", "ne": "क", "bn": "ক", "th": "ก", "ta": "த", "ml": "ആ", "kn": "ಕ",
                    "te": "త", "gu": "ક", "pa": "ਕ", "si": "ක", "km": "ក", "lo": "ກ", "my": "က", "am": "አ",
                    "ka": "ა", "hy": "ա", "bo": "ཀ", "dv": "ދ"}

NAMED = {"ja": {"jp", "ja", "japanese"}, "ko": {"kr", "ko", "korean"}, "zh": {"sc", "tc", "hk", "zh", "chinese"}}


def script_fonts(pub: Publication) -> Stylesheet | None:
    """The publication's `theme.fonts.scripts` fonts for the EPUB, packed (by `packed`) and
    used only where the text says it is in a language they write (`:lang(zh)`, from a
    chapter's `language:` or a span's `{lang=…}`): everywhere else the reader's own font
    and its fallbacks win, as the EPUB's stylesheet promises."""
    from fontTools.ttLib import TTFont

    faces: list[str] = []
    stacks: dict[str, list[tuple[bool, str]]] = {}  # language → (not named for it, family), theme order
    for role in pub.settings.fonts:
        if not role.role.startswith("script-") or not role.faces:
            continue
        faces += [f'@font-face {{ font-family: "{role.family}"; src: url("{face.path}"); '
                  f"font-style: {face.style}; font-weight: {face.weight}; }}" for face in role.faces]
        with TTFont(str(pub.root / role.faces[0].path), lazy=True) as font:
            cmap = font.getBestCmap() or {}
        words = set(re.split(r"[^a-z]+", Path(role.faces[0].path).stem.lower()))
        for lang, letter in LANGUAGE_LETTERS.items():
            if ord(letter) in cmap:  # a font named for the language (noto-sans-jp) first, then theme order
                stacks.setdefault(lang, []).append((not words & NAMED.get(lang, set()), f'"{role.family}"'))
    rules = [f":lang({lang}) {{ font-family: {', '.join(family for _, family in sorted(stack, key=lambda x: x[0]))}; }}"
             for lang, stack in stacks.items()]
    if not rules:
        return None
    return Stylesheet("publication.yaml (theme.fonts.scripts)", "\n".join(faces + rules) + "\n", pub.root)
