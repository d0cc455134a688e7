"""Pandoc's citation syntax, parsed into `cite` tokens (formatted by `core.citations`).

    [@smith2020]                    (Smith, 2020)
    [@smith2020, p. 33]             (Smith, 2020, p. 33)          a locator after the comma
    [see @smith2020, ch. 2; @doe]   (see Smith, 2020, ch. 2; Doe, 2019)
    [-@smith2020]                   (2020)                         the author left out
    @smith2020 says                 Smith (2020) says              in the text
    @smith2020 [p. 33] says         Smith (2020, p. 33) says

A key starts with a letter, digit or `_` and may hold `:.#$%&-+?<>~/` inside it (so the
full stop after `@smith2020.` ends the sentence). A bare `@key` is not a citation after a
letter, digit or `[-_.+@/\\` (`me@smith.nl` is an address); `\\@` is always an at sign.
`@fig-…`, `@tbl-…` and `@eq-…` are cross-references (`core.syntax`), never citations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.rules_inline import StateInline

from .syntax import XREF_PREFIXES, at_reference

KEY = r"[\w](?:[\w]|[:.#$%&+?<>~/-](?=\w))*"
_BARE = re.compile(r"@(" + KEY + r")")
_ITEM = re.compile(r"^(?P<prefix>(?:.*\s)?)(?P<minus>-?)@(?P<key>" + KEY + r")(?P<rest>.*)$", re.DOTALL)
_AFTER_BARE = re.compile(r" ?\[([^\[\]@]*)\]")
# locator terms as authors write them (English and Dutch) → the CSL locator label
LOCATORS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page", "pag": "page", "blz": "page", "bl": "page",
    "ch": "chapter", "chap": "chapter", "chapter": "chapter", "hfst": "chapter", "hoofdstuk": "chapter",
    "sec": "section", "section": "section", "§": "section", "§§": "section", "par": "paragraph",
    "para": "paragraph", "¶": "paragraph", "fig": "figure", "figure": "figure", "vol": "volume",
    "volume": "volume", "no": "issue", "nr": "issue", "l": "line", "line": "line", "ll": "line",
    "n": "note", "note": "note", "col": "column", "bk": "book", "art": "chapter", "v": "verse", "vv": "verse",
}
_LOCATOR = re.compile(r"^\s*(?:(?P<term>[A-Za-z§¶]+)\.?\s*)?(?P<value>\d[\w–-]*(?:\s*[-–,&]\s*\d[\w]*)*)"
                      r"(?P<suffix>.*)$", re.DOTALL)


@dataclass(frozen=True)
class CiteItem:
    """One work in a citation: its key, the words around it, and what part of it is meant."""

    key: str
    prefix: str = ""
    suffix: str = ""
    label: str = ""  # a CSL locator label ("page", "chapter"); empty: no locator
    locator: str = ""
    suppress_author: bool = False


def register(md) -> None:
    md.inline.ruler.before("link", "cite_bracket", _bracket)
    md.inline.ruler.after("xref", "cite_bare", _bare)


def _is_xref(key: str) -> bool:
    return key.split("-", 1)[0] in XREF_PREFIXES and "-" in key


def _bracket(state: StateInline, silent: bool) -> bool:
    """`[see @a, p. 3; @b]`: a citation, unless it is a link's text (`](`, `][`) or holds no key."""
    start = state.pos
    if state.src[start] != "[":
        return False
    end = state.src.find("]", start + 1)
    if end < 0 or "[" in state.src[start + 1:end] or state.src[end + 1: end + 2] in ("(", "[", "{"):
        return False
    items = parse_items(state.src[start + 1:end])
    if items is None:
        return False
    if not silent:
        token = state.push("cite", "", 0)
        token.content = state.src[start:end + 1]
        token.meta.update(items=tuple(items), in_text=False)
    state.pos = end + 1
    return True


def _bare(state: StateInline, silent: bool) -> bool:
    """`@smith2020` in the text, perhaps followed by ` [p. 33]`."""
    start = state.pos
    if not at_reference(state.src, start):
        return False
    match = _BARE.match(state.src, start)
    if match is None or _is_xref(match.group(1)):
        return False
    end, item = match.end(), CiteItem(match.group(1))
    after = _AFTER_BARE.match(state.src, end)
    if after is not None and state.src[after.end(): after.end() + 1] not in ("(", "[", "{"):
        item = _with_locator(item, after.group(1))
        end = after.end()
    if not silent:
        token = state.push("cite", "", 0)
        token.content = state.src[start:end]
        token.meta.update(items=(item,), in_text=True)
    state.pos = end
    return True


def parse_items(text: str) -> list[CiteItem] | None:
    """The items of `see @a, p. 3; @b`, or None when it is not a citation (an item without a key)."""
    items = []
    for part in text.split(";"):
        match = _ITEM.match(part.strip())
        if match is None or _is_xref(match.group("key")):
            return None
        prefix = match.group("prefix")
        if prefix and not prefix[-1].isspace():
            return None  # `a@b`: an address in brackets
        item = CiteItem(match.group("key"), prefix.strip(), suppress_author=bool(match.group("minus")))
        items.append(_with_locator(item, match.group("rest")))
    return items


def _with_locator(item: CiteItem, rest: str) -> CiteItem:
    """`, p. 33, for the numbers` → locator page 33 and the suffix `, for the numbers`."""
    raw = rest.strip()
    text = raw[1:].strip() if raw.startswith(",") else raw
    if not text:
        return item
    match = _LOCATOR.match(text)
    term = (match.group("term") or "").lower() if match else ""
    if match is None or (term and term not in LOCATORS):
        return CiteItem(item.key, item.prefix, raw, suppress_author=item.suppress_author)
    return CiteItem(item.key, item.prefix, match.group("suffix").strip(), LOCATORS.get(term, "page"),
                    match.group("value").strip(), item.suppress_author)
