"""Markdown, parsed once: markdown-it-py tokens with positions, checked and annotated.

Content is untrusted: raw HTML is refused (with file:line), links may only be http(s),
mailto or internal references, images must be files under `content/`. Nothing is
rendered here: `parse` returns a `Body` whose tokens every output renders (see
`persklaar.render.html`), and the loader's later passes (links, references) annotate
the same tokens.

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
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import Diagnostics, SourceLocation
from .model import RESERVED_IDS, RESERVED_PREFIXES, Asset, Body
from .text import slugify

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
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
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


# ---------------------------------------------------------------- parsing


def parse(text: str, source: SourceLocation, scope: Scope, diags: Diagnostics) -> Body:
    """Parse, check and annotate one text; every problem goes to `diags`."""
    body = Body(text, source, scope.unit)
    tokens = _parse_in_time(text)
    if tokens is None:
        diags.error(source, f"Markdown took more than {PARSE_SECONDS:g} s to read "
                    "(thousands of `[` or `![` in one paragraph?); split or simplify the text")
        return body
    body = Body(text, source, scope.unit, tuple(tokens))
    errors = len(diags.errors)
    for block, token in body.walk():
        _check_token(body, block, token, scope, diags)
    _check_nesting(body, diags)
    if len(diags.errors) == errors:
        _number_headings(body, scope)
    return body


class _TooSlow(Exception):
    pass


def _too_slow(signum, frame):
    raise _TooSlow


def _parse_in_time(text: str) -> list[Token] | None:
    """The tokens of `text`, or None past PARSE_SECONDS.

    markdown-it's inline parser is quadratic on some inputs (`![![![…`, `[[[…`): a few
    hundred KB of them take minutes, which would hang `check` and every build without
    a word. Real chapters parse in milliseconds. A timer needs the main thread, and an
    outer timer (a build worker's time limit) is left alone: there the text is parsed
    without one of our own.
    """
    if (not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):
        return parser().parse(text)
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.setitimer(signal.ITIMER_REAL, PARSE_SECONDS)
    try:
        return parser().parse(text)
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


def is_reference(href: str) -> bool:
    """True for a link inside the publication: `#anchor` (resolved by `core.refs`)."""
    return href.startswith("#")


def is_relative_path(src: str) -> bool:
    """True for `pic.png` or `img/pic.png`; False for URLs, absolute and unparsable paths."""
    try:
        return not urlsplit(src).scheme and not src.startswith(("/", "\\"))
    except ValueError:
        return False


# ---------------------------------------------------------------- checking


def _check_token(body: Body, block: Token, token: Token, scope: Scope, diags: Diagnostics) -> None:
    kind = token.type
    if kind in ("html_block", "html_inline"):
        snippet = token.content.strip().split("\n")[0][:40]
        diags.error(where(body, block, snippet), f"raw HTML is not allowed ({snippet!r}); write Markdown instead")
    elif kind == "link_open":
        _check_link(body, block, str(token.attrGet("href") or ""), diags)
    elif kind == "image":
        _check_image(body, block, token, scope, diags)
    elif kind == "heading_open" and token.tag == "h1":
        diags.error(where(body, block), "use ## and ### in the body; the chapter title comes from the front matter")
    elif kind == "fence" and token.info.strip() == "table":
        _check_table(body, block, token, scope, diags)


def _check_link(body: Body, block: Token, href: str, diags: Diagnostics) -> None:
    if is_reference(href):
        return  # resolved (and reported when unknown) once every text is read: core.refs
    problem = url_problem(href)
    if problem:
        diags.error(where(body, block, href[:20]), f"link {href[:60]!r} {problem}")


def _check_image(body: Body, block: Token, token: Token, scope: Scope, diags: Diagnostics) -> None:
    src = str(token.attrGet("src") or "")
    at = where(body, block, src[:20])
    if not "".join(c.content for c in token.children or ()).strip():
        diags.error(at, "image needs alt text: ![what it shows](file)")
    found = scope.asset(src)
    if isinstance(found, str):
        diags.error(at, f"image {src[:60]!r} {found}")
    else:
        token.meta["asset"] = found


def _check_table(body: Body, block: Token, token: Token, scope: Scope, diags: Diagnostics) -> None:
    table_id = token.content.strip()
    if table_id not in scope.table_ids:
        known = ", ".join(sorted(scope.table_ids)) or "none"
        diags.error(where(body, block), f"unknown data table {table_id!r} (known: {known})")
    token.meta["table"] = table_id


def _check_nesting(body: Body, diags: Diagnostics) -> None:
    """Report the first place nested deeper than MAX_DEPTH (quotes, lists, emphasis)."""
    last_mapped: Token | None = None
    for token in body.tokens:
        last_mapped = token if token.map else last_mapped
        depth = token.level + max((c.level for c in token.children or ()), default=0)
        if depth > MAX_DEPTH:
            diags.error(where(body, last_mapped),
                        f"nesting is too deep (more than {MAX_DEPTH} levels of quotes, lists or emphasis)")
            return


# ---------------------------------------------------------------- headings


def _number_headings(body: Body, scope: Scope) -> None:
    """Give every heading its id (unique in the unit) and its level on the page.

    Levels: the text's top level sits one below the heading the text stands under
    (Pandoc's --shift-heading-level-by), and no level is skipped (`### a` straight
    under the title becomes one level down, not two): screen-reader users navigate by
    level, so a gap reads as a missing section.
    """
    heads = body.headings()
    if not heads:
        return
    stack = [(scope.parent_level, scope.parent_level)]  # (level written, level given)
    for token in heads:
        written = int(token.tag[1])
        while len(stack) > 1 and stack[-1][0] >= written:
            stack.pop()
        level = min(6, stack[-1][1] + 1)
        stack.append((written, level))
        inline = body.tokens[body.tokens.index(token) + 1]
        token.meta.update(level=level, id=_unique_id(inline.content, scope.taken), text=inline_text(inline))


def _unique_id(text: str, taken: set[str]) -> str:
    """`slug`, `slug-2`, …; never an id the templates use (`top` → `top-2`) nor one of the
    forms outputs generate (`table-x` → `h-table-x`)."""
    base = slugify(text)
    if base.startswith(RESERVED_PREFIXES):
        base = f"h-{base}"
    anchor, n = base, 1
    while anchor in taken or anchor in RESERVED_IDS:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


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
                    found.append((token, _link_text(children, i), where(body, block, href[:20])))
    return found


def _link_text(children: list[Token], start: int) -> str:
    parts = []
    for token in children[start + 1:]:
        if token.type == "link_close":
            break
        parts.append(token.content)
    return "".join(parts).strip()
