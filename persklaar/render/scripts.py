"""Which script a character belongs to, what shaping it needs, and how to get a font for it.

The fonts check (render.fonts) names the script of a character no font draws, and says in
its own words what to do. A script whose letters change shape with their neighbours
(Arabic joins, Devanagari forms conjuncts) prints wrong, silently, from a font that has its
letters but not the OpenType substitutions (GSUB features) that shape them: `shapes`
tells whether a font file has them.
"""

from __future__ import annotations

import functools
from pathlib import Path

# Scripts (ISO 15924) whose text HarfBuzz shapes with GSUB features a font must have; a font
# with at least one of the features listed can shape the script.
NEEDS_SHAPING: dict[str, frozenset[str]] = {
    "Arab": frozenset({"init", "medi", "fina"}),
    "Syrc": frozenset({"init", "medi", "fina"}),
    "Nkoo": frozenset({"init", "medi", "fina"}),
    "Mong": frozenset({"init", "medi", "fina"}),
    **{script: frozenset({"akhn", "half", "pres", "blwf", "pstf"})
       for script in ("Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh")},
    **{script: frozenset({"pres", "abvs", "blws", "pref"}) for script in ("Mymr", "Khmr", "Tibt")},
}

# What the reader calls a script, where Unicode's name says less (Han is Chinese…).
_NAMES = {"Hani": "Chinese", "Hira": "Japanese", "Kana": "Japanese", "Hang": "Korean",
          "Zyyy": "symbol", "Zinh": "combining mark", "Zzzz": "unassigned"}

# Fonts for scripts the package does not ship: (package to name in the message).
_FETCH = {"Hani": "noto-sans-sc", "Hira": "noto-sans-jp", "Kana": "noto-sans-jp", "Hang": "noto-sans-kr"}


def script(char: str) -> str:
    """The script of `char`; a sign shared by scripts counts with Han if it is CJK punctuation
    (full-width ，。) or used with Han, or with its one script."""
    from fontTools import unicodedata

    code = str(unicodedata.script(char))
    if code in ("Zyyy", "Zinh"):
        used = unicodedata.script_extension(char)
        if "Hani" in used or 0x3000 <= ord(char) <= 0x303F or 0xFF00 <= ord(char) <= 0xFFEF:  # CJK punctuation
            return "Hani"
        if len(used) == 1 and not used & {"Zyyy", "Zinh"}:
            return str(next(iter(used)))
    return code


def name(code: str) -> str:
    from fontTools import unicodedata

    return _NAMES.get(code) or str(unicodedata.script_name(code, default=code))


def group(code: str) -> str:
    """The script a reader names for `code`: hiragana and katakana are both Japanese."""
    return "Hira" if code == "Kana" else code


def grouped(code: str) -> bool:
    """Whether the characters of this script are reported together (one finding a file)."""
    return code not in ("Zyyy", "Zinh", "Zzzz")


def remedy(code: str) -> str:
    """What to do about a character of script `code` that no font draws."""
    if code in _FETCH:
        family = _FETCH[code].replace("-", " ").title().replace("Sc", "SC").replace("Jp", "JP") \
            .replace("Kr", "KR")
        return (f"run `persklaar fonts add {_FETCH[code]}` (it fetches the free font {family} into fonts/ and "
                "names it in theme.fonts.scripts), or add a font of your own to fonts/ (theme.fonts)")
    return "add a font that has it to the publication's fonts/ and name it in theme.fonts in publication.yaml"


@functools.lru_cache(maxsize=256)
def features(path: Path, stamp: tuple[int, int]) -> frozenset[str]:
    """The GSUB feature tags of a font file (`stamp`: size and mtime, for the cache)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        if "GSUB" not in font or font["GSUB"].table.FeatureList is None:
            return frozenset()
        return frozenset(record.FeatureTag for record in font["GSUB"].table.FeatureList.FeatureRecord)


def shapes(path: Path, code: str) -> bool:
    """Whether the font file at `path` can shape script `code` (always, if it needs no shaping)."""
    needed = NEEDS_SHAPING.get(code)
    if not needed:
        return True
    st = path.stat()
    return bool(needed & features(path, (st.st_size, st.st_mtime_ns)))
