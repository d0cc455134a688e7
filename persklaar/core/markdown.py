"""Markdown, parsed once: markdown-it-py with CommonMark, tables, strikethrough, footnotes,
definition lists and task lists; tokens keep their positions.

Nothing is rendered here: `core.bodies.read_body` parses a text (this module), checks it
(`core.checks`) and numbers its headings and notes (`core.headings`); every output
renders the same tokens (see `persklaar.render.html`).

Why refuse raw HTML rather than sanitize it: a sanitizer silently changes the text
(drops a `<span>`, an attribute, a whole `<iframe>` and what it stood for), and the
author finds out in print, if at all. A refusal names the exact file:line:col and asks
for Markdown, which every output can render; nothing an author wrote is lost unseen.
Deep nesting is refused for the same reason: markdown-it's `maxNesting` would silently
flatten it, and WeasyPrint fails on HTML nested ~130 levels deep.
"""

from __future__ import annotations

import functools
import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import SourceLocation
from . import citesyntax, syntax
from .model import Asset, Body

ALLOWED_SCHEMES = ("http", "https", "mailto")
MAX_NESTING = 40
# Deepest element nesting (blocks + inline) a text may have; markdown-it stops nesting
# blocks at MAX_NESTING, so anything near that is reported before it is flattened.
MAX_DEPTH = MAX_NESTING - 3
PARSE_SECONDS = 20.0  # see _parse_in_time
_HOST = re.compile(r"[\w.:-]+")  # a host name (IDN or punycode), IPv4 or IPv6 address


@functools.lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark + tables + strikethrough, typographic quotes and dashes, XHTML output.

    `html` stays on only so raw HTML is *seen* (as html_block/html_inline tokens) and
    reported; it never reaches an output.
    """
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin).use(syntax.extend).use(citesyntax.register)
    md.core.ruler.before("footnote_tail", "footnotes_twice", _footnotes_twice)
    md.options["maxNesting"] = MAX_NESTING
    # Let every link through the parser so the checks can *report* a javascript:/data:/file:
    # link instead of markdown-it silently turning it into plain text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@dataclass(frozen=True)
class Scope:
    """What a text may refer to while it is parsed: the page unit that owns its heading ids,
    the level of the heading it sits under, the ids already taken in the unit, the data
    tables that exist, and how to find an image (`asset(src)` → Asset, or a problem)."""

    unit: str
    parent_level: int
    taken: set[str]
    table_ids: frozenset[str]
    asset: Callable[[str], Asset | str]
    notes: list[int] = field(default_factory=lambda: [0])  # footnotes numbered so far in the unit


# ---------------------------------------------------------------- parsing


def _footnotes_twice(state) -> None:
    """Note each footnote label defined more than once (the plugin keeps the last one
    without a word): `env["footnotes"]["twice"]` lists (label, first line, this line),
    lines counted from 0 in the text, for the checks to report."""
    first: dict[str, int] = {}
    for token in state.tokens:
        if token.type == "footnote_reference_open" and token.map:
            label = token.meta["label"]
            if label in first:
                state.env["footnotes"].setdefault("twice", []).append((label, first[label], token.map[0]))
            else:
                first[label] = token.map[0]


class _TooSlow(Exception):
    pass


def _too_slow(signum, frame):
    raise _TooSlow


def tokens_of(text: str) -> tuple[list[Token], dict] | None:
    """The tokens of `text` and the parser's env (its footnotes), or None past PARSE_SECONDS.

    markdown-it's inline parser is quadratic on some inputs (`![![![…`, `[[[…`): a few
    hundred KB of them take minutes, which would hang `check` and every build without
    a word. Real chapters parse in milliseconds. A timer needs the main thread, and an
    outer timer (a build worker's time limit) is left alone: there the text is parsed
    without one of our own.
    """
    env: dict = {}
    if (not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):
        return parser().parse(text, env), env
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.setitimer(signal.ITIMER_REAL, PARSE_SECONDS)
    try:
        return parser().parse(text, env), env
    except _TooSlow:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- positions


def where(body: Body, token: Token | None, needle: str = "") -> SourceLocation:
    """The file position of a block token (and of `needle` on its lines, if found)."""
    line0 = token.map[0] if token is not None and token.map else 0
    line = body.source.line + line0
    if needle and token is not None and token.map:
        for offset, text in enumerate(_lines(body.text)[token.map[0]: token.map[1]]):
            if needle in text:
                return SourceLocation(body.source.path, line + offset, text.index(needle) + 1)
    return SourceLocation(body.source.path, line, 1)


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> list[str]:
    """A text's lines, split once: a file with thousands of errors stays linear."""
    return text.split("\n")


# ---------------------------------------------------------------- URLs


def is_external(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in ALLOWED_SCHEMES
    except ValueError:  # e.g. "http://[::1": not a URL at all, so not a link either
        return False


def url_problem(url: str, schemes: tuple[str, ...] = ALLOWED_SCHEMES) -> str | None:
    """Why `url` may not be printed as a link ("… is not allowed"), or None if it may."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return f"is not allowed: use {', '.join(schemes[:-1])} or {schemes[-1]} links"
    if scheme == "mailto":
        return None if "@" in parts.path else "has no e-mail address"
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        return "has no valid host"
    return None


_CHAPTER_FILE = re.compile(r"^(?:\.{0,2}/)*(?:essay/)?(\d{2,}-[a-z0-9][a-z0-9-]*)\.md(?:#(.*))?$")


def is_reference(href: str) -> bool:
    """True for a link inside the publication: `#anchor`, `02-chapter.md`, `02-chapter.md#kop`."""
    return href.startswith("#") or _CHAPTER_FILE.match(href) is not None


def reference_parts(href: str) -> tuple[str | None, str]:
    """(chapter slug or None, anchor) of an internal link (`02-x.md#kop` → ("02-x", "kop"))."""
    if href.startswith("#"):
        return None, unquote(href[1:])  # markdown-it percent-encodes `#café` as `#caf%C3%A9`
    match = _CHAPTER_FILE.match(href)
    assert match is not None
    return match.group(1), unquote(match.group(2) or "")


def is_relative_path(src: str) -> bool:
    """True for `pic.png` or `img/pic.png`; False for URLs, absolute and unparsable paths."""
    try:
        return not urlsplit(src).scheme and not src.startswith(("/", "\\"))
    except ValueError:
        return False


# ---------------------------------------------------------------- reading


def inline_text(inline: Token, start: int = 0, stop: str = "") -> str:
    """The words of an inline token (from child `start` up to a child of type `stop`)."""
    parts = []
    for child in (inline.children or [])[start:]:
        if child.type == stop:
            break
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(inline_text(child))
    return "".join(parts).strip()


def plain_text(body: Body) -> str:
    """The words a reader reads (for word counts), without Markdown syntax."""
    parts = []
    for _, token in body.walk():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak", "paragraph_close", "heading_close"):
            parts.append("\n")
    return "".join(parts)


def links_in(body: Body) -> list[tuple[Token, str, SourceLocation]]:
    """(link_open token, link text, position) of every external link, in reading order."""
    found = []
    for block in body.tokens:
        children = block.children or []
        for i, token in enumerate(children):
            if token.type == "link_open":
                href = str(token.attrGet("href") or "")
                if is_external(href):
                    at = token.meta.get("at") or where(body, block, href[:20])  # a bibliography entry's: its file's
                    found.append((token, _link_text(children, i), at))
    return found


def _link_text(children: list[Token], start: int) -> str:
    parts = []
    for token in children[start + 1:]:
        if token.type == "link_close":
            break
        parts.append(token.content)
    return "".join(parts).strip()
