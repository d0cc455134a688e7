"""A corpus of bad inputs: each one a one-file change to the mini project (plus, for an
image, the file it shows).

Every case runs the real command line twice, in subprocesses, as an author would:
`persklaar check` and a build of every output. Both must exit 1 with a `path:line:col:`
message naming the expected file and line, report exactly the same problems (what
`check` passes, the build renders; what the build refuses, `check` names first), print
no traceback, and leave `dist/` (a real previous build) byte for byte as it was.

Values that YAML would coerce (`NO`, `1.10`, bare dates) are *not* bad input: the last
tests check that they are kept as the author wrote them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from persklaar.core import load as content
from persklaar.core import markdown, sources
from support import FIXTURES, REPO, copy_project


def _cmyk_jpeg() -> bytes:
    """A small CMYK JPEG (Pillow): fine in a PDF, but not in a PDF/A with an sRGB output intent."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("CMYK", (8, 8), (0, 128, 255, 20)).save(out, "JPEG")
    return out.getvalue()


CMYK_JPEG = _cmyk_jpeg()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that says it is `width`×`height` (its header only, a few dozen bytes): decoding
    it would take gigabytes, as a real decompression bomb would."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'

BAD = FIXTURES / "bad"
ESSAY = "content/essay/03-slecht.md"
COURSE = "content/course/03-robots.yaml"
DATA = "content/data/landen.yaml"
PUBLICATION = "content/publication.yaml"
CUSTOM_CSS = "styles/custom.css"
FM = "---\ntitle: Slecht\n---\n"  # front matter: the body starts on line 4
LINK_OUT = "is a link to a file outside the publication"
SECRET = "GEHEIM"  # in the file outside the project a link points at: never in any output
BIB = "content/references.bib"
WORKS = b"@book{smith2020,\n  author = {Smith, Jane},\n  title = {Work},\n  year = 2020,\n}\n"
CITING = (ESSAY, (FM + "Zoals [@smith2020, p. 3] schrijft.\n").encode())
WITH_BIB = (PUBLICATION, ((REPO / "tests/fixtures/projects/mini" / PUBLICATION).read_text("utf-8")
                          + "bibliography: references.bib\n").encode())


@dataclass(frozen=True)
class Replace:
    """Edit the existing file: replace `old` (which must occur) by `new`."""

    old: str
    new: str


@dataclass(frozen=True)
class Symlink:
    """Make the file a symbolic link; `{outside}` is a folder beside the project."""

    target: str


@dataclass(frozen=True)
class Fixture:
    """Copy a file from tests/fixtures/bad/."""

    name: str


@dataclass(frozen=True)
class Bad:
    id: str
    path: str            # the one file that changes, relative to the project
    change: object       # str/bytes (write), None (delete), Replace, Symlink, Fixture
    line: int            # the line the message must point at
    fragment: str        # words the message must contain
    strict: bool = False # run with --strict (warnings become errors)
    files: tuple[tuple[str, bytes], ...] = ()  # other files the change needs (path, bytes)
    env: tuple[tuple[str, str], ...] = ()  # environment of both runs (a short template time limit)


def _font(cut: int | None = None) -> bytes:
    """A real TrueType font (a shipped WOFF2, decoded), or its first `cut` bytes."""
    import io

    from fontTools.ttLib import TTFont

    font = TTFont(str(REPO / "styles/fonts/source-sans-3-latin-400-normal.woff2"))
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()[:cut]


def _corrupt_woff2() -> bytes:
    """A shipped WOFF2 with its compressed body zeroed (header and table directory intact)."""
    data = (REPO / "styles/fonts/source-sans-3-latin-400-normal.woff2").read_bytes()
    return data[:300] + bytes(len(data) - 600) + data[-300:]


BOOKLET_CHAPTER = "templates/booklet/chapter.html"
HANDOUT = "templates/handout/sheet.html"
WEB_BASE = "templates/web/base.html"
EPUB_BASE = "templates/epub/base.xhtml"
OWN_FONT_CSS = '@font-face {\n  font-family: "Eigen";\n  src: url(../fonts/eigen.ttf);\n}\nbody { font-family: "Eigen"; }\n'


def _deep_list(levels: int) -> str:
    return "".join("  " * i + "- punt\n" for i in range(levels))


CASES = [
    # -- Markdown: raw HTML, links, images, structure ----------------------------------
    Bad("raw-html-script", ESSAY, FM + "Tekst.\n\nMeer <script>alert(1)</script> tekst.\n", 6, "raw HTML is not allowed"),
    Bad("raw-html-img-file-url", ESSAY, FM + '<img src="file:///etc/passwd">\n', 4, "raw HTML is not allowed"),
    Bad("raw-html-iframe-onload", ESSAY, FM + "a\n\n<iframe src=x onload=alert(1)></iframe>\n", 6, "raw HTML is not allowed"),
    Bad("link-javascript", ESSAY, FM + "Klik [hier](javascript:alert(1)).\n", 4, "'javascript:alert(1)' is not allowed"),
    Bad("link-javascript-mixed-case-entity", ESSAY, FM + "a\n\n[x](JaVa&#115;cript:alert(1))\n", 6, "is not allowed: use http"),
    Bad("link-data", ESSAY, FM + "[x](data:text/html;base64,PHNjcmlwdD4=)\n", 4, "is not allowed: use http"),
    Bad("link-file", ESSAY, FM + "a\n[x](file:///etc/passwd)\n", 5, "'file:///etc/passwd' is not allowed"),
    Bad("link-reference-definition", ESSAY, FM + "[x][r]\n\n[r]: javascript:alert(1)\n", 4, "is not allowed"),
    Bad("link-bad-port", ESSAY, FM + "[x](https://example.org:99999/)\n", 4, "is not a valid URL"),
    Bad("image-dotdot", ESSAY, FM + "![geheim](../../secret.png)\n", 4, "leads outside content/"),
    Bad("image-dotdot-percent-encoded", ESSAY, FM + "![x](%2e%2e/%2e%2e/secret.png)\n", 4, "leads outside content/"),
    Bad("image-absolute", ESSAY, FM + "![x](/etc/passwd)\n", 4, "must be a relative path"),
    Bad("image-remote", ESSAY, FM + "a\n\n![x](https://example.org/x.png)\n", 6, "must be a relative path"),
    Bad("image-without-alt", ESSAY, FM + "![](plaatje.png)\n", 4, "image needs alt text"),
    Bad("nesting-quotes-200", ESSAY, FM + "> " * 200 + "diep\n", 4, "nesting is too deep"),
    # 200 list levels: each level is a list and an item, so the limit (37) is crossed
    # by the inline text of the 19th level, on body line 19 = file line 22.
    Bad("nesting-lists-200", ESSAY, FM + _deep_list(200), 22, "nesting is too deep"),
    Bad("nesting-emphasis-200", ESSAY, FM + "a\n\n" + "**a " * 200 + "x" + "**" * 200 + "\n", 6, "nesting is too deep"),
    Bad("unknown-table", ESSAY, FM + "a\n\n```table\nbestaat-niet\n```\n", 6, "unknown data table 'bestaat-niet'"),
    # -- what a renderer would refuse: check names it first --------------------------------
    Bad("anchor-unknown", ESSAY, FM + "Zie [hier](#nergens).\n", 4, "leads nowhere"),
    Bad("anchor-typo", ESSAY, FM + "Zie [de sectie](#een-sectei).\n", 4, "did you mean #een-sectie"),
    Bad("obsidian-wiki-link", ESSAY, FM + "Zie [[Het begin]].\n", 4, "Obsidian wiki link, which only Obsidian understands: write a link: [Het begin]("),
    Bad("obsidian-embed", ESSAY, FM + "![[vlak.png]]\n", 4, "write an image: ![what it shows](vlak.png)"),
    Bad("callout-unknown-kind", ESSAY, FM + "::: {.callout-danger}\nPas op.\n:::\n", 4, "there is no callout-danger: write one of callout-note"),
    Bad("alert-unknown-kind", ESSAY, FM + "> [!DANGER]\n> Pas op.\n", 4, "[!DANGER] is not a GitHub alert: write [!NOTE]"),
    Bad("attribute-unreadable", ESSAY, FM + "Een [woord]{.a} en `code`{width=\"5}.\n", 4, "cannot be read"),
    Bad("attribute-bad-width", ESSAY, FM + "![Een vlak](../essay/01-begin.md){width=breed}\n", 4, "attribute width='breed' is not a size"),
    Bad("attribute-unknown-key", ESSAY, FM + "Een [woord]{.a style=\"color: red\"}.\n", 4, "attribute 'style' is not used here", strict=True),
    Bad("heading-id-twice", ESSAY, FM + "## Een {#zelfde}\n\n## Twee {#zelfde}\n", 6, "heading id #zelfde is already taken"),
    Bad("div-and-span-id-twice", ESSAY, FM + "::: {#zelfde}\nEen blok.\n:::\n\nEn [een span]{#zelfde}.\n", 8,
        "id #zelfde is already taken (by another heading or element on this page"),
    Bad("heading-id-of-a-div", ESSAY, FM + "::: {#kop}\nEen blok.\n:::\n\n## Kop {#kop}\n", 8,
        "heading id #kop is already taken"),
    Bad("math-bad-formula", ESSAY, FM + "Tekst.\n\nDe breuk $\\frac{a}$ is half.\n", 6, "formula $\\frac{a}$ cannot be set: "
        "frac needs 2 arguments"),
    Bad("math-html-entity", ESSAY, FM + "Dus $x &lt; y$.\n", 4, "&lt; is HTML, not LaTeX: write the character itself"),
    Bad("math-bare-ampersand", ESSAY, FM + "Dus $a & b$.\n", 4, "a bare & outside a matrix"),
    Bad("math-unknown-command", ESSAY, FM + "$$\n\\integral x\n$$\n", 4, "unknown command \\integral"),
    # cross-references (Quarto): an unknown id names the closest; an id given twice is refused
    Bad("xref-unknown", ESSAY, FM + "| a |\n|---|\n| 1 |\n\n: Banen {#tbl-banen}\n\n" + "Zie @tbl-bane.\n", 10, "cross-reference @tbl-bane leads nowhere; "
        "did you mean @tbl-banen?"),
    Bad("xref-unknown-figure", ESSAY, FM + "Tekst.\n\nZoals @fig-nope laat zien.\n", 6, "@fig-nope leads nowhere"),
    Bad("xref-twice-on-a-page", ESSAY, FM + "| a |\n|---|\n| 1 |\n\n: Banen {#tbl-banen}\n\n" + "| a |\n|---|\n| 1 |\n\n: Banen {#tbl-banen}\n\n", 14, "#tbl-banen is already taken"),
    Bad("xref-twice-in-the-book", ESSAY, FM + "Zie @tbl-landen.\n\n| a |\n|---|\n| 1 |\n\n: Land {#tbl-landen}\n",
        10, "id #tbl-landen is already used at content/essay/02-cijfers.md:7:1"),
    Bad("inline-html-unclosed", ESSAY, FM + "H<sub>2 O.\n", 4, "<sub> is never closed"),
    Bad("inline-html-attribute", ESSAY, FM + "Een <kbd class=\"x\">toets</kbd>.\n", 4, "raw HTML is not allowed"),
    Bad("inline-html-span", ESSAY, FM + "Een <span>woord</span>.\n", 4, "raw HTML is not allowed ('<span>')"),
    Bad("image-outside-content", ESSAY, FM + "![Een vlak](../../essay/vlakk.png)\n", 4, "leads outside content/"),
    Bad("image-misspelt", ESSAY, FM + "![Een foto](fto.jpg)\n", 4,
        "is not a file: looked for content/essay/fto.jpg (an image's path is relative to the file that names it); "
        "did you mean 'foto.jpg'?", files=(("content/essay/foto.jpg", CMYK_JPEG),)),
    Bad("span-attributes-unreadable", ESSAY, FM + "Een [woord]{.a title=twee woorden}.\n", 4, "cannot be read"),
    Bad("image-missing", ESSAY, FM + "![Een vlak](vlak.png)\n", 4, "is not a file: looked for content/essay/vlak.png"),
    Bad("image-broken", ESSAY, FM + "a\n\n![Een vlak](vlak.png)\n", 6, "does not decode as an image",
        files=(("content/essay/vlak.png", b"\x89PNG\r\n\x1a\nkapot"),)),
    Bad("image-unsupported-kind", ESSAY, FM + "![Een vlak](vlak.bmp)\n", 4, "use PNG, JPEG, GIF, WebP or SVG",
        files=(("content/essay/vlak.bmp", b"BM" + bytes(60)),)),
    Bad("image-svg-reaches-out", ESSAY, FM + "![Een vlak](vlak.svg)\n", 4, "must not load other files",
        files=(("content/essay/vlak.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>'),)),
    Bad("image-svg-script", ESSAY, FM + "![Een vlak](vlak.svg)\n", 4, "is an SVG whose line 2 has the element <script>",
        files=(("content/essay/vlak.svg", SVG + b"<script>alert(1)</script><rect width='5' height='5'/></svg>"),)),
    Bad("image-svg-onload", ESSAY, FM + "![Een vlak](vlak.svg)\n", 4, "has an event handler (onload= on <rect>)",
        files=(("content/essay/vlak.svg", SVG + b"<rect width='5' height='5' onload='alert(1)'/></svg>"),)),
    Bad("image-svg-javascript-link", ESSAY, FM + "![Een vlak](vlak.svg)\n", 4, "has a javascript: URL (href= on <a>)",
        files=(("content/essay/vlak.svg", SVG + b"<a xlink:href='javascript:alert(1)'><rect/></a></svg>"),)),
    Bad("image-svg-foreign-object", ESSAY, FM + "![Een vlak](vlak.svg)\n", 4, "has the element <foreignObject>, which embeds HTML",
        files=(("content/essay/vlak.svg", SVG + b"<foreignObject><iframe xmlns='http://www.w3.org/1999/xhtml'/>"
                                                 b"</foreignObject></svg>"),)),
    Bad("image-svg-css-url", ESSAY, FM + "![Een vlak](vlak.svg)\n", 4, "loads a file or URL from its <style>",
        files=(("content/essay/vlak.svg", SVG + b"<style>rect { fill: url(https://example.org/x.svg#p) }</style></svg>"),)),
    Bad("image-svg-billion-laughs", ESSAY, FM + "![Een vlak](vlak.svg)\n", 4, "declares a DOCTYPE; remove it",
        files=(("content/essay/vlak.svg", b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "haha">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
                + SVG + b"<text>&c;</text></svg>"),)),
    Bad("image-jpeg-named-png", ESSAY, FM + "![Een foto](foto.png)\n", 4, "is a JPEG file, not PNG: rename it to foto.jpg",
        files=(("content/essay/foto.png", CMYK_JPEG),)),
    Bad("image-text-named-png", ESSAY, FM + "![Een foto](foto.png)\n", 4, "is not a PNG file (its bytes are not an image",
        files=(("content/essay/foto.png", b"Dit is geen foto.\n"),)),
    Bad("image-empty", ESSAY, FM + "![Een foto](foto.png)\n", 4, "is an empty file (0 bytes)",
        files=(("content/essay/foto.png", b""),)),
    Bad("image-decompression-bomb", ESSAY, FM + "![Een vlak](vlak.png)\n", 4,
        "is 900 megapixels when decoded (over 89 megapixels); scale it down",
        files=(("content/essay/vlak.png", _png_header(30000, 30000)),)),
    Bad("image-decompression-bomb-huge", ESSAY, FM + "![Een vlak](vlak.png)\n", 4,
        "is 10000 megapixels when decoded", files=(("content/essay/vlak.png", _png_header(100000, 100000)),)),
    Bad("footnote-defined-twice", ESSAY, FM + "Een noot[^1].\n\n[^1]: Een.\n\n[^1]: Twee.\n", 8,
        "footnote [^1] is defined twice (first on line 6)"),
    Bad("image-cmyk-in-pdf-a", ESSAY, FM + "![Een foto](foto.jpg)\n", 4, "is CMYK: PDF/A-2u (pdf_standard in publication.yaml) needs RGB",
        files=(("content/essay/foto.jpg", CMYK_JPEG),)),
    Bad("glyph-without-font", ESSAY, FM + "In het Malayalam: ആന.\n", 4, "no font for ആ U+0D06"),
    Bad("glyph-without-font-in-course", COURSE, Replace("title: Een lange video", "title: Een lange video ᚠ"), 15,
        "no font for ᚠ U+16A0 (Runic)"),
    # a stylesheet of the publication's own, read as WeasyPrint reads it (a PDF build fails on what it drops)
    Bad("css-unknown-property", CUSTOM_CSS, "p { color: #222; }\n\nh2 {\n  colour: navy;\n}\n", 4,
        "Ignored `colour: navy`: unknown property"),
    Bad("css-calc-crashes-parser", CUSTOM_CSS, "p { color: #222; }\nh1 {\n  color: #333;\n  font-size: calc(1em + );\n}\n",
        4, "WeasyPrint cannot read this declaration"),
    Bad("css-font-file-missing", CUSTOM_CSS, '@font-face {\n  font-family: "Eigen";\n  src: url(../fonts/weg.woff2);\n}\n', 3,
        "font file '../fonts/weg.woff2' not found"),
    Bad("css-font-collection", CUSTOM_CSS, '@font-face {\n  font-family: "Eigen";\n  src: url(../fonts/eigen.ttc);\n}\n',
        3, "font file '../fonts/eigen.ttc' is a font collection (several faces in one file)"),
    Bad("css-font-absolute-path", CUSTOM_CSS,
        '@font-face {\n  font-family: "Eigen";\n  src: url(/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf);\n}\n'
        'body { font-family: "Eigen"; }\n', 3, "is outside the publication: copy it into fonts/"),
    Bad("css-font-file-url", CUSTOM_CSS,
        '@font-face {\n  font-family: "Eigen";\n  src: url(file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf);\n}\n',
        3, "is a URL: a build reaches no network"),
    Bad("css-font-web-url", CUSTOM_CSS,
        '@font-face {\n  font-family: "Eigen";\n  src: url(https://fonts.example.org/eigen.woff2) format("woff2");\n}\n',
        3, "is a URL: a build reaches no network"),
    Bad("css-import-outside", CUSTOM_CSS, '/* mine */\n@import "../../outside.css";\np { color: #222; }\n', 2,
        "refused to read"),
    Bad("css-selector-unsupported", CUSTOM_CSS, "p { color: #222; }\np:bogus(x) { color: red; }\n", 2,
        "Invalid or unsupported selector"),
    # -- a publication's own templates: sandboxed, bounded in time, size and depth ---------
    Bad("template-includes-itself", BOOKLET_CHAPTER, '<p>\n{% include "booklet/chapter.html" %}\n', 2,
        "template: includes, extends or calls itself without end"),
    Bad("template-extends-itself", WEB_BASE, '{% extends "web/base.html" %}\n', 1, "includes, extends or calls itself"),
    Bad("template-recursive-macro", HANDOUT, "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(1) }}\n", 1,
        "calls nest more than 100 deep"),
    Bad("template-huge-range", EPUB_BASE, "<x>\n{% for i in range(10**9) %}{{ i }}{% endfor %}\n", 2,
        "range() of 1,000,000,000 numbers is too long for a template"),
    Bad("template-runaway-loops", BOOKLET_CHAPTER,
        "a\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n", 2,
        "template: still running after 2 s (a loop without end?)", env=(("PERSKLAAR_TEMPLATE_SECONDS", "2"),)),
    Bad("template-huge-string", HANDOUT, "<p>\n\n{{ 'x' * 10**10 }}\n", 3, "a str repeated 10,000,000,000 times"),
    Bad("template-doubling-string", WEB_BASE,
        "{% set ns = namespace(s='xx') %}\n{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n", 2,
        "is too large for a template"),
    Bad("template-huge-width", BOOKLET_CHAPTER, "{{ 'x'|center(10**9) }}\n", 1, "center(1000000000)"),
    Bad("template-divides-by-zero", EPUB_BASE, "<x>\n{{ 1 / 0 }}\n", 2, "template: ZeroDivisionError: division by zero"),
    Bad("template-internals", HANDOUT, "{{ ''.__class__.__mro__ }}\n", 1,
        "template: access to attribute '__class__' of 'str' object is unsafe"),
    Bad("template-undefined-call", BOOKLET_CHAPTER, "<p>\n{{ chapter.nope() }}\n", 2, "has no attribute 'nope'"),
    Bad("template-syntax-error", WEB_BASE, "<p>\n{% if %}\n", 2, "template: Expected an expression"),
    # -- the publication's fonts, opened as the renderer will ------------------------------
    Bad("font-truncated", "fonts/eigen.ttf", _font(1000), 1, "is not a usable font (its hmtx table ends at byte",
        files=((CUSTOM_CSS, OWN_FONT_CSS.encode()),)),
    Bad("font-truncated-unused", "fonts/half.ttf", _font(20_000), 1, "the file is cut short)"),
    Bad("font-woff2-corrupt-body", "fonts/eigen.woff2", _corrupt_woff2(), 1, "is not a usable font (error: brotli"),
    # -- files: names, front matter, encoding, size, links out of content/ ------------------
    Bad("file-name-without-number", "content/essay/begin.md", FM + "a\n", 1, "file name must look like 01-slug.md"),
    Bad("front-matter-unclosed", ESSAY, "---\ntitle: Open\nDe tekst begint hier.\n", 1, "front matter is not closed"),
    Bad("chapter-without-title", ESSAY, "Gewoon tekst, zonder front matter en zonder # kop.\n", 1, "a chapter needs a title"),
    Bad("front-matter-unknown-key", ESSAY, "---\ntitle: T\ntitel: Typo\n---\na\n", 3, "unknown key 'titel'"),
    Bad("front-matter-title-list", ESSAY, "---\ntitle: [a, b]\n---\na\n", 2, "title: expected text, not a list or mapping"),
    Bad("not-utf8", ESSAY, Fixture("latin1-chapter.md"), 4, "not valid UTF-8 (byte 0xeb)"),
    Bad("nul-byte", ESSAY, FM + "a\n\nb\x00c\n", 6, "binary file (NUL byte)"),
    Bad("control-character", ESSAY, FM + "a \x1b[31m rood\n", 4, "control character U+001B"),
    Bad("huge-file", ESSAY, FM + "x" * sources.MAX_FILE_BYTES, 1, "file is larger than"),
    Bad("mojibake-strict", ESSAY, Fixture("mojibake-chapter.md"), 2, "mojibake 'Ã©'", strict=True),
    Bad("symlink-chapter-outside", ESSAY, Symlink("{outside}/secret.md"), 1, LINK_OUT),
    Bad("symlink-loop", ESSAY, Symlink("03-slecht.md"), 1, "resolves outside content/"),
    Bad("symlink-inside-not-content", ESSAY, Symlink("../../styles/booklet.css"), 1, "resolves outside content/"),
    Bad("symlink-data-outside", "content/data/geheim.yaml", Symlink("{outside}/secret.md"), 1, LINK_OUT),
    Bad("symlink-image-outside", "content/essay/img/foto.png", Symlink("{outside}/secret.md"), 1, LINK_OUT),
    Bad("symlink-template-outside", "templates/booklet/chapter.html", Symlink("{outside}/secret.md"), 1, LINK_OUT),
    Bad("symlink-template-folder-outside", "templates/web", Symlink("{outside}"), 1, LINK_OUT),
    Bad("symlink-labels-outside", "templates/labels/nl.yaml", Symlink("{outside}/secret.md"), 1, LINK_OUT),
    Bad("symlink-custom-css-outside", CUSTOM_CSS, Symlink("{outside}/secret.md"), 1, LINK_OUT),
    Bad("symlink-theme-css-outside", "styles/tokens.css", Symlink("{outside}/secret.md"), 1, LINK_OUT),
    Bad("symlink-font-outside", "fonts/eigen.woff2", Symlink("{outside}/secret.md"), 1, LINK_OUT),
    Bad("symlink-broken-outside", "fonts/weg.woff2", Symlink("{outside}/weg.woff2"), 1, LINK_OUT),
    # -- YAML: aliases, nesting, keys, shapes ------------------------------------------------
    Bad("yaml-billion-laughs", "content/data/bom.yaml", Fixture("billion-laughs.yaml"), 3, "anchors (&name) are not allowed"),
    Bad("yaml-alias-only", COURSE, Replace("title: Zonder bronnen", "title: *x"), 20, "aliases (*name) are not allowed"),
    Bad("yaml-nested-10000", "content/data/diep.yaml", "title: diep\nrows: " + "[" * 10000 + "\n", 2, "nested more than 32 levels"),
    Bad("yaml-syntax", COURSE, Replace("title: Robots in de klas\nicon", "title: Robots: in de klas\nicon"), 2,
        'contains ": ", which YAML reads as a new key: put the whole value in quotes: title: "Robots: in de klas"'),
    Bad("yaml-tab", PUBLICATION, Replace("reading_speed: 200", "page:\n\tsize: A5"), 12, "indented with a tab: YAML needs spaces"),
    Bad("yaml-indent", PUBLICATION, Replace("reading_speed: 200", "page:\n  size: A5\n   margin: 3"), 13,
        "indented differently from the lines above it"),
    Bad("yaml-unclosed-quote", PUBLICATION, Replace("title: Mini Boekje", 'title: "Mini Boekje'), 1, 'the quote " opened here is never closed'),
    Bad("yaml-list-item-without-dash", PUBLICATION, Replace("keywords: [test]", "keywords:\n  - test\n  proef"), 12,
        "this line is in a list but does not start with `- `: write - proef"),
    Bad("yaml-missing-colon", PUBLICATION, Replace("licence: CC BY 4.0", "licence CC BY 4.0"), 7, "YAML:"),
    Bad("yaml-duplicate-key", COURSE, Replace("summary:", "title: Nog een titel\nsummary:"), 4, "duplicate key 'title' (first at line 2)"),
    Bad("yaml-not-a-mapping", PUBLICATION, "- title\n- authors\n", 1, "expected a mapping"),
    Bad("publication-missing", PUBLICATION, None, 1, "every project needs content/publication.yaml"),
    Bad("publication-bad-language", PUBLICATION, Replace("language: nl", "language: Nederlands"), 4, "language"),
    Bad("publication-bad-date", PUBLICATION, Replace("date: 2025-01-15", "date: 2025-02-30"), 5, "date"),
    Bad("publication-speed-text", PUBLICATION, Replace("reading_speed: 200", "reading_speed: snel"), 11, "reading_speed"),
    Bad("publication-pdf-standard", PUBLICATION, Replace("reading_speed: 200", "reading_speed: 200\npdf_standard: a-4u"), 12,
        "pdf_standard: expected one of 'ua-1+a-2u', 'ua-1', 'a-2u' or 'a-3u', got 'a-4u'"),
    # -- course modules -------------------------------------------------------------------------
    Bad("resource-unknown-kind", COURSE, Replace("kind: video", "kind: film"), 17, "got 'film'"),
    Bad("resource-negative-minutes", COURSE, Replace("minutes: 15", "minutes: -15"), 18, "sections[1].resources[2].minutes: must be at least 0"),
    Bad("resource-minutes-with-unit", COURSE, Replace("minutes: 4", "minutes: 4 min"), 14, "sections[1].resources[1].minutes: expected a whole number of minutes, got '4 min'"),
    Bad("resource-minutes-typo", COURSE, Replace("minutes: 4", "minuts: 4"), 14, "unknown key 'minuts' in sections[1].resources[1]; did you mean 'minutes'?"),
    Bad("publication-key-typo", PUBLICATION, Replace("reading_speed: 200", "reading_sped: 200"), 11, "did you mean 'reading_speed'? (known keys: title, subtitle"),
    Bad("publication-page-size", PUBLICATION, Replace("reading_speed: 200", "reading_speed: 200\npage:\n  size: A6"), 13, "expected A5, A4, B5, letter"),
    Bad("publication-accent", PUBLICATION, Replace("reading_speed: 200", "reading_speed: 200\ntheme:\n  accent: blauwig"), 13, "expected a CSS colour"),
    Bad("publication-language-unknown", PUBLICATION, Replace("language: nl", "language: sv"), 4, "no labels for language 'sv' (supported: de, en, fr, nl)"),
    Bad("publication-cover-image-missing", PUBLICATION, Replace("reading_speed: 200", "reading_speed: 200\ncover:\n  image: omslag.jpg\n  alt: Een omslag"), 13, "cover image 'omslag.jpg' is not a file: looked for content/omslag.jpg"),
    Bad("publication-label-typo", PUBLICATION, Replace("reading_speed: 200", "reading_speed: 200\nlabels:\n  contnets: Inhoudsopgave"), 13, "unknown label 'contnets'; did you mean 'contents'?"),
    Bad("resource-url-ftp", COURSE, Replace("url: https://waymo.com/", "url: ftp://waymo.com/"), 12, "is not allowed: use http or https"),
    Bad("resource-url-javascript", COURSE, Replace("url: https://waymo.com/", "url: javascript:alert(1)"), 12, "resource URL 'javascript:alert(1)'"),
    Bad("resource-url-unparsable", COURSE, Replace("url: https://waymo.com/", 'url: "http://[::1"'), 12, "is not a valid URL"),
    Bad("section-of-other-module", COURSE, Replace('number: "3.1"', "number: 8.1"), 19, "section 8.1 does not belong to module 3"),
    Bad("course-not-utf8", COURSE, Replace("Een korte module", "Een korte modul\udceb"), 4, "not valid UTF-8"),
    # -- data tables -----------------------------------------------------------------------------
    Bad("data-unknown-column", DATA, Replace("    vacatures: 900", "    vacatures: 900\n    banen: 12"), 21, "unknown column 'banen'"),
    Bad("data-number-column-text", DATA, Replace("werkloosheid: 3.8", "werkloosheid: 3,8"), 19, "holds numbers; got '3,8'"),
    # -- citations (Pandoc's syntax; core.citations) ----------------------------------------------
    Bad("cite-unknown-key", ESSAY, FM + "Tekst.\n\nZoals [zie @smith2021, p. 3] schrijft.\n", 6,
        "no reference @smith2021 in the bibliography; did you mean @smith2020?", files=(WITH_BIB, (BIB, WORKS))),
    Bad("cite-without-bibliography", ESSAY, FM + "Zoals [@smith2020] schrijft.\n", 4,
        "names no bibliography: add `bibliography: references.bib`"),
    Bad("bib-unclosed-brace", BIB, "@book{a,\n  title = {Werk,\n  year = 2020\n}\n\n@book{b, title={B}}\n", 6,
        "BibTeX: '}' expected (perhaps a brace or quote opened earlier is not closed)", files=(WITH_BIB, CITING)),
    Bad("bib-entry-twice", BIB, WORKS.decode() + "\n@article{smith2020,\n  title = {Again},\n}\n", 7,
        "repeated bibliography entry: smith2020", files=(WITH_BIB, CITING)),
    Bad("bib-unknown-entry-type", BIB, WORKS.decode() + "@blogpost{x,\n  title = {B},\n}\n", 6,
        "BibTeX entry type @blogpost is not one persklaar knows", files=(WITH_BIB, CITING)),
    Bad("bib-missing", PUBLICATION, Replace("reading_speed: 200", "reading_speed: 200\nbibliography: bronnen.bib"), 12,
        "bibliography 'bronnen.bib' is not there", files=(CITING,)),
    Bad("csl-json-syntax", "content/references.json", '[\n  {"id": "smith2020", "type": "book",}\n]\n', 2,
        "JSON: Expecting property name", files=((PUBLICATION, WITH_BIB[1].replace(b".bib", b".json")), CITING)),
    Bad("csl-yaml-no-type", "content/references.yaml", "- id: smith2020\n  title: Werk\n- id: doe\n  type: boek\n", 3,
        "`type` must be a CSL type such as book", files=((PUBLICATION, WITH_BIB[1].replace(b".bib", b".yaml")), CITING)),
    Bad("csl-unknown-style", PUBLICATION, Replace("reading_speed: 200", "reading_speed: 200\nbibliography: references.bib"
                                                  "\ncsl: chicago-autor-date"), 13,
        "did you mean chicago-author-date", files=((BIB, WORKS), CITING)),
    Bad("csl-file-with-entities", "content/stijl.csl",
        '<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<style>&x;</style>\n', 1,
        "may not hold a DOCTYPE or entities", files=((PUBLICATION, WITH_BIB[1] + b"csl: stijl.csl\n"), (BIB, WORKS),
                                                     CITING)),
    Bad("csl-file-not-xml", "content/stijl.csl", "dit is geen <xml", 1, "the CSL style 'stijl.csl' cannot be used",
        files=((PUBLICATION, WITH_BIB[1] + b"csl: stijl.csl\n"), (BIB, WORKS), CITING)),
    Bad("csl-file-no-citation", "content/stijl.csl",
        '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><info/></style>\n', 1,
        "it has no <citation> element", files=((PUBLICATION, WITH_BIB[1] + b"csl: stijl.csl\n"), (BIB, WORKS), CITING)),
    Bad("bib-placement-typo", PUBLICATION, Replace("reading_speed: 200", "reading_speed: 200\nbibliography: references.bib"
                                                   "\nbibliography_placement: chapter"), 13,
        "bibliography_placement: expected one of 'end', 'chapters' or 'both', got 'chapter'",
        files=((BIB, WORKS), CITING)),
    Bad("data-chart-text-column", DATA, Replace("chart: [werkloosheid, vacatures]", "chart: [land]"), 24, "chart column 'land' is not a number column"),
]


# ------------------------------------------------------------------ running the CLI


@pytest.fixture(scope="session")
def previous_build(tmp_path_factory) -> Path:
    """The mini project with a real build of every output in dist/ (the 'previous good')."""
    root = copy_project(tmp_path_factory.mktemp("previous"))
    result = cli(root)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "dist/handouts").glob("*.pdf")), "no handouts were built"
    assert (root / "dist/mini-boekje.pdf").is_file() and (root / "dist/mini-boekje.epub").is_file()
    return root


def start(root: Path, *args: str, env: tuple[tuple[str, str], ...] = ()) -> subprocess.Popen:
    """`python build.py ARGS --root ROOT`, as an author types it, without waiting."""
    environ = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **dict(env)}
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), *args, "--root", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return finish(start(root, *args))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def apply(case: Bad, root: Path) -> None:
    """Make the one-file change of `case` in the project at `root`."""
    path = root / case.path
    change = case.change
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.md").write_text(f"---\ntitle: Geheim\n---\n{SECRET}\n")
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for extra, data in case.files:
        (root / extra).write_bytes(data)
    if change is None:
        return
    if isinstance(change, Replace):
        text = (REPO / "tests/fixtures/projects/mini" / case.path).read_text("utf-8")
        assert change.old in text, f"{case.id}: {change.old!r} not in {case.path}"
        data = text.replace(change.old, change.new).encode("utf-8", "surrogateescape")
    elif isinstance(change, Symlink):
        path.symlink_to(change.target.format(outside=outside))
        return
    elif isinstance(change, Fixture):
        data = (BAD / change.name).read_bytes()
    else:
        data = change.encode("utf-8") if isinstance(change, str) else change
    path.write_bytes(data)


def assert_reported(case: Bad, result: subprocess.CompletedProcess, command: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"{command}: exit {result.returncode}\n{output}"
    assert "Traceback" not in output and "internal error" not in output, output
    assert SECRET not in output, output
    pattern = rf"^{re.escape(case.path)}:{case.line}:\d+: (warning: )?.*{re.escape(case.fragment)}"
    assert re.search(pattern, result.stderr, re.M), f"{command}: no {case.path}:{case.line}: …{case.fragment}…\n{result.stderr}"


def located(stderr: str) -> list[str]:
    """The `path:line:col: message` lines of a run."""
    return [line for line in stderr.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]


# Known gaps outside the files this corpus may fix, kept visible (strict: when fixed,
# the xfail fails and should be removed).
KNOWN_GAPS: dict[str, pytest.MarkDecorator] = {}
PARAMS = [pytest.param(c, id=c.id, marks=KNOWN_GAPS.get(c.id, ())) for c in CASES]


@pytest.mark.parametrize("case", PARAMS)
def test_bad_input_is_reported_and_nothing_changes(case: Bad, previous_build: Path, tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(previous_build, root, symlinks=True)
    apply(case, root)
    before = snapshot(root / "dist")
    flags = ("--strict",) if case.strict else ()
    # Both commands at once: they only read the project (a content error stops the build
    # before anything is staged), and this halves the wall time of the corpus.
    running = {name: start(root, name, *flags, env=case.env) for name in ("check", "build")}
    results = {name: finish(process) for name, process in running.items()}
    for name, result in results.items():
        assert_reported(case, result, name)
    assert "nothing was built or changed" in results["build"].stderr
    assert located(results["check"].stderr) == located(results["build"].stderr), "check and build disagree"
    assert snapshot(root / "dist") == before
    assert not (root / ".persklaar").exists() or not any((root / ".persklaar").glob("staging-*/*"))


def test_corpus_is_big_and_ids_unique():
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


def test_alias_bomb_fails_fast(tmp_path: Path):
    """The first anchor stops the load: nothing is expanded (milliseconds, not minutes)."""
    root = copy_project(tmp_path)
    shutil.copy(BAD / "billion-laughs.yaml", root / "content/data/bom.yaml")
    start = time.perf_counter()
    with pytest.raises(content.ContentError) as caught:
        content.load(root)
    assert time.perf_counter() - start < 5
    assert [str(d.where) for d in caught.value.diagnostics] == ["content/data/bom.yaml:3:8"]


def test_every_problem_is_reported_at_once(tmp_path: Path):
    """Three bad files: three messages, in one run (MkDocs' habit), sorted by file."""
    root = copy_project(tmp_path)
    for case_id in ("link-javascript", "resource-negative-minutes", "data-unknown-column"):
        apply(next(c for c in CASES if c.id == case_id), root)
    result = cli(root, "check")
    assert result.returncode == 1
    located = re.findall(r"^(content/\S+?):(\d+):\d+: ", result.stderr, re.M)
    assert located == [(COURSE, "18"), (DATA, "21"), (ESSAY, "4")]
    assert "3 problem(s)" in result.stderr


# ------------------------------------------------------------------ look-alikes that are fine


def test_yaml_values_are_kept_as_written(mini: Path):
    """`NO`, a bare date, `3.10` and `1.10` stay text where text is expected (no coercion)."""
    course = mini / COURSE
    text = course.read_text().replace("title: Zonder bronnen", "title: NO")
    text = text.replace("title: Een kort artikel", "title: 2024-02-15")
    text = text.replace('number: "3.1"', "number: 3.10")
    course.write_text(text)
    publication = mini / PUBLICATION
    publication.write_text(publication.read_text().replace('edition: "2"', "edition: 1.10"))
    pub, warnings = content.load(mini)
    section = pub.modules[0].sections[1]
    assert (section.number, section.title) == ("3.10", "NO")
    assert pub.modules[0].sections[0].resources[0].title == "2024-02-15"
    assert pub.meta.edition == "1.10"
    assert warnings == []


def test_bom_and_crlf_are_accepted_as_if_absent(mini: Path):
    chapter = mini / "content/essay/01-begin.md"
    original = chapter.read_bytes()
    chapter.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    course = mini / COURSE
    course.write_bytes(b"\xef\xbb\xbf" + course.read_bytes().replace(b"\n", b"\r\n"))
    pub, warnings = content.load(mini)
    assert pub.chapters[0].title == "Het begin" and "\r" not in pub.chapters[0].body.text
    assert pub.chapters[0].body.source.line == 5
    assert pub.modules[0].sections[1].resources == ()
    assert warnings == []


def test_mojibake_is_a_warning_without_strict(tmp_path: Path):
    root = copy_project(tmp_path)
    shutil.copy(BAD / "mojibake-chapter.md", root / ESSAY)
    result = cli(root, "check")
    assert result.returncode == 0, result.stderr
    assert re.search(rf"^{ESSAY}:2:\d+: warning: looks double-encoded", result.stderr, re.M)


def test_pathological_markdown_is_stopped_in_time(mini: Path, monkeypatch):
    """markdown-it is quadratic on `![![![…`: past the time limit that is an error, not a hang."""
    monkeypatch.setattr(markdown, "PARSE_SECONDS", 0.5)
    (mini / ESSAY).write_text(FM + "Gewoon begin.\n\n" + "![" * 400_000 + "\n")
    start = time.perf_counter()
    with pytest.raises(content.ContentError) as caught:
        content.load(mini)
    assert time.perf_counter() - start < 15  # unlimited, this takes minutes
    assert [str(d) for d in caught.value.diagnostics] == [
        f"{ESSAY}:4:1: Markdown took more than 0.5 s to read (thousands of `[` or `![` in one "
        "paragraph?); split or simplify the text"]
