"""Markdown → safe XHTML fragments, with markdown-it-py.

Content is untrusted: raw HTML is refused (with file:line), links may only be http(s),
mailto or in-document anchors, images must be files under `content/`. Rendering is
shared by every output; what differs (where a link's reference number points, how a
data table is drawn) comes in through a `RenderContext`.

Why refuse raw HTML rather than sanitize it: a sanitizer silently changes the text
(drops a `<span>`, an attribute, a whole `<iframe>` and what it stood for), and the
author finds out in print, if at all. A refusal names the exact file:line:col and asks
for Markdown, which every output can render; nothing an author wrote is lost unseen.
Deep nesting is refused for the same reason: markdown-it's `maxNesting` would silently
flatten it, and WeasyPrint fails on HTML nested ~130 levels deep.
"""

from __future__ import annotations

import functools
import html
import re
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import Diagnostics, SourceLocation
from .model import Markdown
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
    # Let every link through the parser so check() can *report* a javascript:/data:/file:
    # link instead of markdown-it silently turning it into plain text.
    md.validateLink = lambda url: True
    return md


def parse(doc: Markdown) -> list[Token]:
    return parser().parse(doc.text)


def where(doc: Markdown, token: Token | None, needle: str = "") -> SourceLocation:
    """The file position of a token (and of `needle` on its first line, if found)."""
    line0 = token.map[0] if token is not None and token.map else 0
    line = doc.source.line + line0
    lines = _lines(doc.text)
    col = 1
    if needle and token is not None and token.map:
        for offset, text in enumerate(lines[token.map[0] : token.map[1]]):
            if needle in text:
                return SourceLocation(doc.source.path, line + offset, text.index(needle) + 1)
    return SourceLocation(doc.source.path, line, col)


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> list[str]:
    """A text's lines, split once: a file with thousands of errors stays linear."""
    return text.split("\n")


def is_external(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in ALLOWED_SCHEMES
    except ValueError:  # e.g. "http://[::1": not a URL at all, so not a link either
        return False


def url_problem(url: str, schemes: tuple[str, ...] = ALLOWED_SCHEMES) -> str | None:
    """Why `url` may not be printed as a link ("… is not allowed"), or None if it may."""
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError for a port out of range
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


def walk(tokens: list[Token]):
    """Every (block token, token) pair, inline children included."""
    for block in tokens:
        yield block, block
        for child in block.children or ():
            yield block, child


# ---------------------------------------------------------------- checking


def check(doc: Markdown, diags: Diagnostics, table_ids: set[str], content_dir: Path) -> None:
    """Report every problem in one Markdown text (nothing is rendered here)."""
    tokens = _parse_in_time(doc)
    if tokens is None:
        diags.error(where(doc, None), f"Markdown took more than {PARSE_SECONDS:g} s to read "
                    "(thousands of `[` or `![` in one paragraph?); split or simplify the text")
        return
    for block, token in walk(tokens):
        _check_token(doc, block, token, diags, table_ids, content_dir)
    _check_nesting(doc, tokens, diags)


class _TooSlow(Exception):
    pass


def _too_slow(signum, frame):
    raise _TooSlow


def _parse_in_time(doc: Markdown) -> list[Token] | None:
    """parse(doc), or None past PARSE_SECONDS.

    markdown-it's inline parser is quadratic on some inputs (`![![![…`, `[[[…`): a few
    hundred KB of them take minutes, which would hang `check` and every build without
    a word. Real chapters parse in milliseconds. A timer needs the main thread, and an
    outer timer (a build worker's time limit) is left alone: there the text is parsed
    without one of our own.
    """
    if (not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):
        return parse(doc)
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.setitimer(signal.ITIMER_REAL, PARSE_SECONDS)
    try:
        return parse(doc)
    except _TooSlow:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _check_token(doc, block, token, diags, table_ids, content_dir) -> None:
    kind = token.type
    if kind in ("html_block", "html_inline"):
        snippet = token.content.strip().split("\n")[0][:40]
        diags.error(where(doc, block, snippet), f"raw HTML is not allowed ({snippet!r}); write Markdown instead")
    elif kind == "link_open":
        _check_link(doc, block, str(token.attrGet("href") or ""), diags)
    elif kind == "image":
        _check_image(doc, block, token, diags, content_dir)
    elif kind == "heading_open" and token.tag == "h1":
        diags.error(where(doc, block), "use ## and ### in the body; the chapter title comes from the front matter")
    elif kind == "fence" and token.info.strip() == "table":
        table_id = token.content.strip()
        if table_id not in table_ids:
            known = ", ".join(sorted(table_ids)) or "none"
            diags.error(where(doc, block), f"unknown data table {table_id!r} (known: {known})")


def _check_link(doc: Markdown, block: Token, href: str, diags: Diagnostics) -> None:
    if href.startswith("#"):
        return
    problem = url_problem(href)
    if problem:
        diags.error(where(doc, block, href[:20]), f"link {href[:60]!r} {problem}")


def _check_image(doc: Markdown, block: Token, token: Token, diags: Diagnostics, content_dir: Path) -> None:
    src = str(token.attrGet("src") or "")
    at = where(doc, block, src[:20])
    if not token.children or not "".join(c.content for c in token.children).strip():
        diags.error(at, "image needs alt text: ![what it shows](file)")
    if not is_relative_path(src):
        diags.error(at, f"image {src[:60]!r} must be a relative path to a file under content/")
        return
    base = content_dir / Path(doc.source.path).parent.relative_to("content") if doc.source.path.startswith("content/") else content_dir
    target = base / unquote(src)  # markdown-it percent-encodes: `%2e%2e/` is `../`
    from .sources import inside

    if not inside(target, content_dir) or not target.is_file():
        diags.error(at, f"image {src[:60]!r} is not a file under content/")


def is_relative_path(src: str) -> bool:
    """True for `pic.png` or `img/pic.png`; False for URLs, absolute and unparsable paths."""
    try:
        return not urlsplit(src).scheme and not src.startswith(("/", "\\"))
    except ValueError:
        return False


def _check_nesting(doc: Markdown, tokens: list[Token], diags: Diagnostics) -> None:
    """Report the first place nested deeper than MAX_DEPTH (quotes, lists, emphasis)."""
    last_mapped: Token | None = None
    for token in tokens:
        last_mapped = token if token.map else last_mapped
        depth = token.level + max((c.level for c in token.children or ()), default=0)
        if depth > MAX_DEPTH:
            diags.error(where(doc, last_mapped), f"nesting is too deep (more than {MAX_DEPTH} levels of quotes, lists or emphasis)")
            return


# ---------------------------------------------------------------- reading


def links_in(doc: Markdown) -> list[tuple[str, str, SourceLocation]]:
    """(url, link text, position) of every external link, in reading order."""
    found = []
    for block in parse(doc):
        children = block.children or []
        for i, token in enumerate(children):
            if token.type == "link_open":
                href = str(token.attrGet("href") or "")
                if is_external(href):
                    found.append((href, _link_text(children, i), where(doc, block, href[:20])))
    return found


def _link_text(children: list[Token], start: int) -> str:
    parts = []
    for token in children[start + 1 :]:
        if token.type == "link_close":
            break
        parts.append(token.content)
    return "".join(parts).strip()


def plain_text(doc: Markdown) -> str:
    """The words a reader reads (for word counts), without Markdown syntax."""
    parts = []
    for block, token in walk(parse(doc)):
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak", "paragraph_close", "heading_close"):
            parts.append("\n")
    return "".join(parts)


# ---------------------------------------------------------------- rendering


@dataclass
class RenderContext:
    """What one output decides about rendering Markdown."""

    link_number: Callable[[str], int | None]
    ref_href: Callable[[int], str]
    figure_html: Callable[[str], str]
    id_prefix: str = ""
    image_src: Callable[[str], str] = lambda src: src
    cites: list[tuple[int, str]] = field(default_factory=list)
    heading_ids: set[str] = field(default_factory=set)
    heading_shift: int = 0

    def cite(self, number: int) -> str:
        """A unique anchor for this citation of link `number` (for back links)."""
        count = sum(1 for n, _ in self.cites if n == number) + 1
        anchor = f"cite-{number}-{self.id_prefix}{count}"
        self.cites.append((number, anchor))
        return anchor

    def heading_id(self, text: str) -> str:
        base = f"{self.id_prefix}{slugify(text)}"
        anchor, n = base, 1
        while anchor in self.heading_ids:
            n += 1
            anchor = f"{base}-{n}"
        self.heading_ids.add(anchor)
        return anchor


def render(doc: Markdown, ctx: RenderContext) -> str:
    """The XHTML fragment of one Markdown text."""
    md = parser()
    tokens = parse(doc)
    env = {"ctx": ctx}
    return _renderer(md).render(tokens, md.options, env)


@functools.lru_cache(maxsize=1)
def _renderer(md: MarkdownIt):
    renderer = type(md.renderer)(md)
    renderer.rules["link_open"] = _link_open
    renderer.rules["link_close"] = _link_close
    renderer.rules["heading_open"] = _heading_open
    renderer.rules["heading_close"] = _heading_close
    renderer.rules["fence"] = _fence
    renderer.rules["image"] = _image
    renderer.rules["html_block"] = lambda *a: ""  # refused by check(); never rendered
    renderer.rules["html_inline"] = lambda *a: ""
    return renderer


def _link_open(tokens, idx, options, env):
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if href.startswith("#") or is_external(href):
        cls = ' class="ext"' if is_external(href) else ""
        return f'<a href="{html.escape(href)}"{cls}>'
    return "<a>"  # refused by check(); keep the text, drop the target


def _link_close(tokens, idx, options, env):
    opener = next(t for t in reversed(tokens[:idx]) if t.type == "link_open")
    href = str(opener.attrGet("href") or "")
    ctx: RenderContext = env["ctx"]
    number = ctx.link_number(href) if is_external(href) else None
    if number is None:
        return "</a>"
    anchor = ctx.cite(number)
    ref = html.escape(ctx.ref_href(number))
    return f'</a><sup class="ref" id="{anchor}"><a href="{ref}" title="link {number}">{number}</a></sup>'


def _heading_open(tokens, idx, options, env):
    ctx: RenderContext = env["ctx"]
    text = tokens[idx + 1].content
    level = min(6, int(tokens[idx].tag[1]) + ctx.heading_shift)
    return f'<h{level} id="{ctx.heading_id(text)}">'


def _heading_close(tokens, idx, options, env):
    ctx: RenderContext = env["ctx"]
    return f"</h{min(6, int(tokens[idx].tag[1]) + ctx.heading_shift)}>\n"


def _fence(tokens, idx, options, env):
    token = tokens[idx]
    if token.info.strip() == "table":
        return env["ctx"].figure_html(token.content.strip())
    return f"<pre><code>{html.escape(token.content)}</code></pre>\n"


def _image(tokens, idx, options, env):
    token = tokens[idx]
    alt = html.escape("".join(c.content for c in token.children or ()))
    src = html.escape(env["ctx"].image_src(str(token.attrGet("src") or "")))
    return f'<img src="{src}" alt="{alt}" />'


_WS = re.compile(r"\s+")
