"""Which characters an output's fonts can draw, and the check that every printed one is.

WeasyPrint draws a character no font has as an empty box and only logs it, without a
position. The shipped fonts are declared with `@font-face` (a file and a
`unicode-range`) in the output's stylesheets; a character is covered when some face's
range holds it and that face's file has a glyph for it (fontTools reads the cmap).
`check_glyphs` reports every character that is not, at the first place it is written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..core.model import Glyph, Publication
from ..errors import Diagnostics, SourceLocation
from .styles import Stylesheet

_RANGE = re.compile(r"U\+([0-9A-F?]{1,6})(?:-([0-9A-F]{1,6}))?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Face:
    """One `@font-face`: its family, its font file and the code points it may serve."""

    family: str
    path: Path
    ranges: tuple[tuple[int, int], ...]

    def may_draw(self, code: int) -> bool:
        return not self.ranges or any(lo <= code <= hi for lo, hi in self.ranges)


def faces(stylesheets: Iterable[Stylesheet], root: Path | None = None) -> list[Face]:
    """Every @font-face of `stylesheets` whose font file exists; with `root`, a face that a
    publication's own stylesheet (one in `root`) points outside `root` is not read (check
    reports it: `csscheck`)."""
    found: list[Face] = []
    inside = root.resolve() if root is not None else None
    for sheet in stylesheets:
        own = inside is not None and sheet.base.resolve().is_relative_to(inside)
        found += [face for face in _faces_in(sheet.text, sheet.base)
                  if not own or face.path.is_relative_to(inside)]  # type: ignore[arg-type]
    return found


def _faces_in(css: str, base: Path) -> list[Face]:
    import tinycss2

    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or rule.content is None:
            continue
        values = {d.lower_name: d.value for d in tinycss2.parse_declaration_list(rule.content)
                  if d.type == "declaration"}
        family = tinycss2.serialize(values.get("font-family", [])).strip().strip("\"'")
        ranges = tuple(_ranges(tinycss2.serialize(values.get("unicode-range", []))))
        for url in css_urls(values.get("src", [])):
            path = (base / unquote(url)).resolve()
            if path.is_file():
                out.append(Face(family, path, ranges))
    return out


def css_urls(tokens) -> list[str]:
    urls = []
    for token in tokens:
        if token.type == "url":
            urls.append(token.value)
        elif token.type == "function" and token.lower_name == "url":
            urls += [t.value for t in token.arguments if t.type == "string"]
    return urls


def used_codes(pub: Publication) -> frozenset[int]:
    """Every character an output may show: the texts' (each file's glyphs), the labels' and
    ASCII. A font is cut down to these (the EPUB) or left out when it has none (the web)."""
    chars = {g.char for g in pub.glyphs} | set("".join(pub.labels.values()))
    return frozenset(ord(c) for c in chars if len(c) == 1) | frozenset(range(0x20, 0x7F))


def subset(root: Path, path: Path, codes: frozenset[int]) -> bytes:
    """The font file `path` cut down to the glyphs of `codes` (and what they need: shaping
    features, ligatures, marks kept), in its own format (a `format()` beside its url stays
    true); made once per font and text, cached."""
    from . import cache

    data = path.read_bytes()

    def make() -> bytes:
        import io

        from fontTools import subset as cut
        from fontTools.ttLib import TTFont

        options = cut.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = TTFont(io.BytesIO(data))
        flavor = font.flavor  # None (TTF/OTF), "woff" or "woff2"
        subsetter = cut.Subsetter(options)
        subsetter.populate(unicodes=sorted(codes))
        subsetter.subset(font)
        out = io.BytesIO()
        font.flavor = flavor
        font.save(out)
        return out.getvalue()

    return cache.cached(root, "font-subset", cache.key_of("subset-2", data, ",".join(map(str, sorted(codes)))), make)


def unused_face(rule: str, used: frozenset[int]) -> bool:
    """Whether the `@font-face { … }` text `rule` has a unicode-range none of `used` is in
    (a face for a script the publication does not write: the web edition leaves it out)."""
    found = re.search(r"unicode-range\s*:([^;}]*)", rule, re.IGNORECASE)
    if not found:
        return False
    ranges = _ranges(found.group(1))
    return bool(ranges) and not any(lo <= code <= hi for code in used for lo, hi in ranges)


def unicode_range(codes: Iterable[int]) -> str:
    """`U+5DE5, U+4EBA-4EBB` for a set of code points (runs written as ranges)."""
    runs: list[list[int]] = []
    for code in sorted(set(codes)):
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return ", ".join(f"U+{lo:X}" if lo == hi else f"U+{lo:X}-{hi:X}" for lo, hi in runs)


def _ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    for start, end in _RANGE.findall(text):
        if "?" in start:
            ranges.append((int(start.replace("?", "0"), 16), int(start.replace("?", "F"), 16)))
        else:
            ranges.append((int(start, 16), int(end or start, 16)))
    return ranges


@functools.lru_cache(maxsize=256)
def cmap(path: Path, stamp: tuple[int, int]) -> frozenset[int]:
    """The code points a font file has glyphs for (`stamp`: size and mtime, for the cache)."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(str(path), lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # not a font (or a damaged one): it draws nothing; csscheck names the file
        return frozenset()


def drawing(found: list[Face], char: str) -> list[Face]:
    """The faces that may draw `char` and have a glyph for it."""
    code = ord(char)
    out = []
    for face in found:
        if face.may_draw(code):
            st = face.path.stat()
            if code in cmap(face.path, (st.st_size, st.st_mtime_ns)):
                out.append(face)
    return out


def covers(found: list[Face], char: str) -> bool:
    return bool(drawing(found, char))


def check_glyphs(pub: Publication, stylesheets: list[Stylesheet], glyphs: Iterable[Glyph],
                 diags: Diagnostics) -> None:
    """Report the characters in `glyphs` that no font of `stylesheets` can draw, or shape.

    One finding per character and file (`glyphs` holds the first place of each); the
    characters of one script missing in one file are one finding, at the first of them,
    counted: a Chinese paragraph is one line, not hundreds.
    """
    from . import scripts

    found = faces(stylesheets, pub.root)
    check_font_files(pub, [face.path for face in found], diags)
    verdict: dict[str, str | None] = {}
    missing: dict[tuple[str, str, str, str], list[Glyph]] = {}  # (path, problem, script, char if not grouped)
    reported: set[tuple[str, str]] = set()
    for glyph in glyphs:
        if (glyph.where.path, glyph.char) in reported:
            continue
        reported.add((glyph.where.path, glyph.char))
        if glyph.char not in verdict:
            verdict[glyph.char] = _verdict(found, glyph.char)
        problem = verdict[glyph.char]
        if problem:
            code = scripts.group(scripts.script(glyph.char))
            key = (glyph.where.path, problem, code, "" if scripts.grouped(code) else glyph.char)
            missing.setdefault(key, []).append(glyph)
    for path, problem, code, _ in list(missing):  # kanji among kana: Japanese text
        if code == "Hani" and (path, problem, "Hira", "") in missing:
            missing[(path, problem, "Hira", "")] += missing.pop((path, problem, code, ""))
    for (_, problem, code, _), group in missing.items():
        first = min(group, key=lambda g: (g.where.line, g.where.col))
        count = f", {len(group)} characters in this file" if len(group) > 1 else ""
        what = f"{first.char} U+{ord(first.char):04X} ({scripts.name(code)}{count})"
        if problem == "no font":
            diags.error(first.where, f"no font for {what}: {scripts.remedy(code)}")
        else:
            diags.error(first.where, f"{what} {problem}")


def _verdict(found: list[Face], char: str) -> str | None:
    """None when some font draws (and shapes) `char`; else what is wrong."""
    from . import scripts

    able = drawing(found, char)
    if not able:
        return "no font"
    code = scripts.script(char)
    if any(scripts.shapes(face.path, code) for face in able):
        return None
    names = ", ".join(sorted({face.family for face in able}))
    return (f"would print unshaped (letters not joined or combined): its only font ({names}) has the "
            f"letters but not the {scripts.name(code)} shaping features; add a font for the script to the "
            "publication's fonts/ and name it in theme.fonts in publication.yaml")


# ---------------------------------------------------------------- fonts opened as the renderer will

_VERDICT = "1"  # bump when `_problem` changes: cached verdicts of the old one are not reused


def check_font_files(pub: Publication, paths: Iterable[Path], diags: Diagnostics) -> None:
    """Report every font file of the publication among `paths` that the renderer could not use.

    A font is read whole, as WeasyPrint and the EPUB will: a WOFF2 decoded (the cached
    decoding the PDF jobs use), every table decompiled, every glyph expanded. A file cut
    short, or with a damaged body, fails here with its path, not half-way through a booklet.
    Files outside the publication are not ours to judge; an unchanged copy of one of the
    default theme's fonts is the theme's (shipped and tested). The verdict is cached by the
    file's bytes."""
    root = pub.theme.root
    for path in sorted(set(paths)):
        try:
            rel = path.resolve().relative_to(root)
        except ValueError:
            continue
        if not path.is_file() or rel.suffix.lower() not in (".ttf", ".otf", ".woff", ".woff2"):
            continue
        problem = font_problem(root, path, pub.theme.default / rel)
        if problem:
            diags.error(SourceLocation(rel.as_posix()), f"is not a usable font ({problem})")


def font_problem(root: Path, path: Path, shipped: Path | None = None) -> str | None:
    """Why the font file at `path` cannot be used (None if it can)."""
    import fontTools

    from . import cache

    data = path.read_bytes()
    if shipped is not None and shipped.is_file() and shipped != path and shipped.read_bytes() == data:
        return None
    key = cache.key_of(data, fontTools.version, _VERDICT)
    verdict = cache.cached(root, "font-verdicts", key, lambda: (_problem(root, data) or "").encode())
    return verdict.decode() or None


def _problem(root: Path, data: bytes) -> str | None:
    import io
    import logging

    from fontTools.ttLib import TTFont

    from .pdf import decoded_woff2

    logged: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage())

    handler = Collect(logging.ERROR)
    logger = logging.getLogger("fontTools")
    logger.addHandler(handler)
    try:
        if data[:4] == b"wOF2":
            data = decoded_woff2(root, data)
        with TTFont(io.BytesIO(data)) as font:
            cut = _cut_off(font, len(data))
            if cut:
                return cut
            for tag in font.keys():  # noqa: SIM118 (a TTFont is no dict: iterating it fails)
                font[tag]  # decompiles the table
            if "glyf" in font:
                glyf = font["glyf"]
                for name in font.getGlyphOrder():
                    glyf[name]  # expands the glyph
            if "CFF " in font:
                for charstring in font["CFF "].cff[0].CharStrings.values():
                    charstring.decompile()
            if not font.getBestCmap():
                return "it has no character map"
    except Exception as exc:  # fontTools raises many kinds on a damaged file
        return _short(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    finally:
        logger.removeHandler(handler)
    return _short(logged[0]) if logged else None


def _cut_off(font, size: int) -> str | None:
    """A table the directory places past the end of the file (a file cut short)."""
    reader = getattr(font, "reader", None)
    if reader is None or getattr(reader, "flavor", None):  # WOFF: offsets into the compressed file
        return None
    for tag, entry in sorted(reader.tables.items(), key=lambda t: t[1].offset):
        if entry.offset + entry.length > size:
            return f"its {tag.strip()} table ends at byte {entry.offset + entry.length:,}, the file at {size:,}: " \
                   "the file is cut short"
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:157] + "..."
