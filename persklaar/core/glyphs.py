"""Which characters a publication prints, and where each is first written.

An output's fonts must have a glyph for every character it prints, or WeasyPrint draws
an empty box (and only logs it, without a position). The loader records the first
place of every character in every file, so the outputs' font check (render.fonts) can
name `file:line:col` before anything is rendered. YAML comments and syntax are not
printed, so in a YAML file only the scalars (keys and values) count.
"""

from __future__ import annotations

import unicodedata

import yaml

from ..errors import SourceLocation
from .model import Glyph

# Characters that are never drawn with a glyph of their own: line breaks and tabs, and
# format characters (joiners, variation selectors, soft hyphens…) that shape others.
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


def printable(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in _INVISIBLE \
        and not 0xFE00 <= ord(char) <= 0xFE0F


def in_text(text: str, path: str, first_line: int = 1) -> list[Glyph]:
    """The first position of each printable character of `text` (a Markdown body)."""
    seen: dict[str, Glyph] = {}
    line, col = first_line, 1
    for char in text:
        if char == "\n":
            line, col = line + 1, 1
            continue
        if char not in seen and printable(char):
            seen[char] = Glyph(char, SourceLocation(path, line, col))
        col += 1
    return list(seen.values())


def in_yaml(text: str, path: str, line_offset: int = 0) -> list[Glyph]:
    """The first position of each printable character in the scalars of a YAML text."""
    seen: dict[str, Glyph] = {}
    try:
        tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return []  # the loader reports the file; nothing of it is printed
    for token in tokens:
        if isinstance(token, yaml.ScalarToken):
            start, end = token.start_mark, token.end_mark
            for glyph in in_text(text[start.index:end.index], path, start.line + 1 + line_offset):
                if glyph.char not in seen:
                    col = glyph.where.col + (start.column if glyph.where.line == start.line + 1 + line_offset else 0)
                    seen[glyph.char] = Glyph(glyph.char, SourceLocation(path, glyph.where.line, col))
    return list(seen.values())
