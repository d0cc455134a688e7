r"""Which characters a publication prints, and where each is first written.

An output's fonts must have a glyph for every character it prints, or WeasyPrint draws
an empty box (and only logs it, without a position). The loader records the first
place of every character in every file, so the outputs' font check (render.fonts) can
name `file:line:col` before anything is rendered. YAML comments and syntax are not
printed, so in a YAML file only the scalars (keys and values) count.

The check reads what the renderer prints, not the source: an HTML character reference
(`&#1234;`, `&#x4E2D;`, `&eacute;`) counts as the character it stands for (at the place of
its `&`), a backslash-escaped `\&` stays a literal `&`, and a double-quoted YAML scalar's
escapes (`"\u0D06"`) count as the characters they make.
"""

from __future__ import annotations

import html
import re
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


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def decoded(text: str) -> list[tuple[str, int]]:
    """The characters `text` prints, each with the index of the source text it comes from."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _PUNCT:
            out.append((text[i + 1], i + 1))
            i += 2
            continue
        if char == "&" and (match := _ENTITY.match(text, i)):
            value = html.unescape(match.group())
            if value != match.group():
                out += [(c, i) for c in value]
                i = match.end()
                continue
        out.append((char, i))
        i += 1
    return out


def in_text(text: str, path: str, first_line: int = 1) -> list[Glyph]:
    """The first position of each printable character of `text` (a Markdown body)."""
    seen: dict[str, Glyph] = {}
    starts = [0] + [m.end() for m in re.finditer("\n", text)]  # index of each line's start
    line = 0
    for char, index in decoded(text):
        while line + 1 < len(starts) and starts[line + 1] <= index:
            line += 1
        if char not in seen and printable(char):
            seen[char] = Glyph(char, SourceLocation(path, first_line + line, index - starts[line] + 1))
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
            if isinstance(token.value, str):  # what a quoted scalar's escapes make
                for char in token.value:
                    if char not in seen and printable(char):
                        seen[char] = Glyph(char, SourceLocation(path, start.line + 1 + line_offset,
                                                                start.column + 1))
    return list(seen.values())
