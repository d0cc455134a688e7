"""What an author may write in `{…}` attributes and as inline HTML, checked with positions.

Attributes (`{#id .class key=value}`, parsed by `core.syntax`) are kept only for a safe
set of keys; an unknown key is a warning and is dropped, a malformed value an error.
The checked attributes land in `meta["html"]` (name → value, unescaped: the renderer
escapes them), the only attributes any output writes.

Inline HTML: only `<sub> <sup> <kbd> <br> <mark> <small>` and `<abbr title="…">`, with no
other attributes, balanced within their paragraph. `<!-- comments -->` are dropped
silently, as a block and inline. Everything else stays refused (`core.checks`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

from markdown_it.token import Token

from ..errors import Diagnostics
from .direction import direction
from .markdown import where
from .model import Body
from .syntax import CALLOUT_KINDS

KEYS = ("id", "class", "width", "height", "lang", "title")
_ID = re.compile(r"[A-Za-z][\w.:-]*")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)(%|px|cm|mm|in)?")
_ATTRIBUTED = ("heading_open", "image", "link_open", "span_open", "container_div_open", "callout_open",
               "math_block", "math_inline_double", "table_open")
INLINE_TAGS = ("sub", "sup", "kbd", "br", "mark", "small", "abbr")
_TAG = re.compile(r"<(/?)([a-z]+)((?:\s+title=(?:\"[^\"<>]*\"|'[^'<>]*'))?)\s*(/?)>\Z", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->\s*\Z", re.DOTALL)
_SPAN_LEFT = re.compile(r"\]\{[^{}\n]*\}")  # `[text]{…}` that the span rule could not read
_ALERT = re.compile(r"\[!([A-Za-z]+)\]")
_WIKI = re.compile(r"(!?)\[\[([^\]\n]+)\]\]")


def check_attributes(body: Body, block: Token, token: Token, diags: Diagnostics) -> None:
    """Check a token's `{…}` attributes into `meta["html"]`."""
    if token.type not in _ATTRIBUTED:
        return
    written = dict(token.meta.get("attrs", {}))
    if token.type == "span_open":
        written.update(token.attrs)  # mdit_py_plugins' span rule sets them on the token
        token.attrs = {}
    if "bad_attrs" in token.meta:
        diags.error(where(body, block, "{"), f"attributes {token.meta['bad_attrs'][:40]!r} cannot be read: "
                                             "write {#id .class key=value} (quote values with spaces)")
    checked: dict[str, str] = {}
    for key, value in written.items():
        at = where(body, block, key)
        if key not in KEYS or (key in ("width", "height") and token.type != "image"):
            diags.warn(at, f"attribute {key!r} is not used here and is left out (persklaar reads "
                           f"{', '.join(KEYS[:-1])} and {KEYS[-1]}; width and height on images)")
        elif problem := _problem(key, value):
            diags.error(at, f"attribute {key}={value[:30]!r} {problem}")
        else:
            checked[key] = value
    if token.type == "callout_open" and token.meta["kind"] not in CALLOUT_KINDS:
        diags.error(where(body, block, "callout-"), f"there is no callout-{token.meta['kind']}: write one of "
                    + ", ".join(f"callout-{k}" for k in CALLOUT_KINDS))
        token.meta["kind"] = "note"
    if token.type == "heading_open" and "id" in checked:
        token.meta["explicit_id"] = checked.pop("id")
    token.meta["html"] = checked


def _problem(key: str, value: str) -> str | None:
    if key == "id" and not _ID.fullmatch(value):
        return "is not an id: start with a letter, then letters, digits, - or _"
    if key == "lang" and not _LANG.fullmatch(value):
        return "is not a language tag (write e.g. lang=en or lang=nl-BE)"
    if key in ("width", "height") and not _LENGTH.fullmatch(value):
        return "is not a size: write e.g. 50%, 300px, 8cm, 60mm or 3in"
    return None


def css_size(value: str) -> str:
    """`50%`, `8cm`, `300px`; a bare number is pixels (Pandoc)."""
    match = _LENGTH.fullmatch(value)
    assert match is not None
    return match.group(1) + (match.group(2) or "px")


def size_class(key: str, value: str) -> str:
    """`size-width-40pct`, `size-height-3-5cm`: the class that sizes an image where no
    `style` attribute may (the web edition's Content-Security-Policy)."""
    return f"size-{key}-" + css_size(value).replace("%", "pct").replace(".", "-")


def size_rules(bodies: Iterable[Body]) -> str:
    """A CSS rule for every image size the texts use (`img.size-width-40pct { width: 40% }`)."""
    rules = {}
    for body in bodies:
        for _, token in body.walk():
            for key in ("width", "height"):
                if token.type == "image" and key in token.meta.get("html", {}):
                    value = token.meta["html"][key]
                    rules[size_class(key, value)] = f"img.{size_class(key, value)} {{ {key}: {css_size(value)}; }}"
    return "\n".join(rules[k] for k in sorted(rules))


def render_attrs(token: Token, extra_class: str = "", drop: tuple[str, ...] = (), styles: bool = True,
                 anchor: Callable[[str], str] | None = None) -> str:
    """The checked attributes of a token as escaped HTML (` class="a" lang="en"`); an image's
    size as a `style` attribute, and as a class (`size_class`) for outputs without `styles`;
    the id as the output names it (`anchor`: the booklet, one document, prefixes its unit)."""
    attrs = {k: v for k, v in token.meta.get("html", {}).items() if k not in drop}
    if anchor is not None and "id" in attrs:
        attrs["id"] = anchor(attrs["id"])
    sizes = [size_class(k, attrs[k]) for k in ("width", "height") if k in attrs]
    style = "; ".join(f"{k}: {css_size(attrs.pop(k))}" for k in ("width", "height") if k in attrs)
    if not styles:
        style, extra_class = "", " ".join([extra_class, *sizes]).strip()
    if extra_class:
        attrs["class"] = " ".join(dict.fromkeys(f"{extra_class} {attrs.get('class', '')}".split()))
    if style:
        attrs["style"] = style
    if "lang" in attrs:  # the direction comes from the language (`[שלום]{lang=he}`), never typed
        attrs["dir"] = direction(attrs["lang"])
    return "".join(f' {k}="{html.escape(v)}"' for k, v in attrs.items())


# ---------------------------------------------------------------- inline HTML, comments


def allowed_html(block: Token, token: Token) -> bool:
    """True for a comment (dropped: the token becomes `comment`) or an allowed inline tag
    (the token becomes `html_tag`, with `meta` tag/closing/title for the renderer)."""
    content = token.content.strip()
    if _COMMENT.fullmatch(content) and content.count("<!--") == 1:
        token.type = "comment"
        return True
    match = _TAG.match(content) if token.type == "html_inline" else None
    if match is None or match.group(2).lower() not in INLINE_TAGS:
        return False
    closing, tag, title, selfclose = match.group(1), match.group(2).lower(), match.group(3), match.group(4)
    if (title and tag != "abbr") or (closing and (title or selfclose)) or (selfclose and tag != "br"):
        return False
    token.type = "html_tag"
    token.meta.update(tag=tag, closing=bool(closing),
                      title=html.unescape(title.split("=", 1)[1].strip()[1:-1]) if title else "")
    return True


def check_balance(body: Body, block: Token, diags: Diagnostics) -> None:
    """Every allowed inline tag but `<br>` closes in its paragraph, in order."""
    open_tags: list[str] = []
    for token in block.children or []:
        if token.type != "html_tag" or token.meta["tag"] == "br":
            continue
        tag = token.meta["tag"]
        if not token.meta["closing"]:
            open_tags.append(tag)
        elif open_tags and open_tags[-1] == tag:
            open_tags.pop()
        else:
            diags.error(where(body, block, f"</{tag}"), f"</{tag}> closes nothing: write <{tag}>…</{tag}>")
            return
    if open_tags:
        diags.error(where(body, block, f"<{open_tags[-1]}"),
                    f"<{open_tags[-1]}> is never closed: add </{open_tags[-1]}> in the same paragraph")


def check_wiki_links(body: Body, block: Token, token: Token, diags: Diagnostics) -> None:
    """Obsidian's `[[Page]]` and `![[image.png]]` mean nothing outside Obsidian: refused."""
    for match in _WIKI.finditer(token.content):
        target = match.group(2).split("|")[0].strip()
        if match.group(1):
            hint = f"write an image: ![what it shows]({target})"
        else:
            hint = f"write a link: [{target}](NN-chapter.md) or [{target}](#heading)"
        diags.error(where(body, block, match.group()[:20]),
                    f"{match.group()[:40]!r} is an Obsidian wiki link, which only Obsidian understands: {hint}")


def check_leftovers(body: Body, block: Token, diags: Diagnostics, opens_quote: bool = False) -> None:
    """`{…}` after an image, link or span that could not be read, and `> [!KIND]` of a kind
    GitHub does not have, would be printed as their source: refused."""
    previous = ""
    for token in block.children or []:
        if token.type == "text" and previous in ("image", "link_close", "span_close", "code_inline") and \
                token.content.startswith("{") and "}" in token.content:
            written = token.content[: token.content.index("}") + 1]
            diags.error(where(body, block, written[:20]), f"attributes {written[:40]!r} cannot be read: write "
                        "{#id .class key=value}, quoting a value with spaces (title=\"a b\")")
        elif token.type == "text" and (span := _SPAN_LEFT.search(token.content)):
            diags.error(where(body, block, span.group()[:20]), f"attributes {span.group()[1:41]!r} cannot be read: "
                        "write [text]{.class key=value}, quoting a value with spaces (title=\"a b\")")
        previous = token.type
    children = block.children or []
    if children and children[0].type == "text" and (match := _ALERT.match(children[0].content)) \
            and opens_quote:
        diags.error(where(body, block, match.group()), f"{match.group()} is not a GitHub alert: write [!NOTE], "
                    "[!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION]")
