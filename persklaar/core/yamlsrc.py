"""YAML without surprises: safe, position-aware, no type guessing, no aliases.

PyYAML silently keeps the last of two duplicate keys, reads `NO` as False and `1.10`
as 1.1. We compose the node tree instead and keep every scalar as the text the author
wrote; the schema decides what it means. Each value's position is kept so a schema
error can name `file:line:col`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import ContentError, Diagnostic, SourceLocation

Path_ = tuple[Any, ...]
_NULLS = {"", "~", "null", "Null", "NULL"}
# Our formats nest four levels at most; PyYAML's composer recurses once per level, so
# `[[[[…` ten thousand deep would end in a RecursionError instead of a message.
MAX_DEPTH = 32


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer refuses anchors and aliases (alias bombs) and deep nesting."""

    depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed", event.start_mark
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                None, None, "anchors (&name) are not allowed", event.start_mark
            )
        if self.depth >= MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class Positions:
    """Where each value (and each mapping key) of a document was written."""

    def __init__(self, shown: str, line_offset: int = 0) -> None:
        self.shown = shown
        self.offset = line_offset
        self.values: dict[Path_, SourceLocation] = {}
        self.keys: dict[Path_, SourceLocation] = {}

    def mark(self, mark: yaml.Mark) -> SourceLocation:
        return SourceLocation(self.shown, mark.line + 1 + self.offset, mark.column + 1)

    def of(self, path: Path_, key: bool = False) -> SourceLocation:
        """The position of `path`, or of its nearest ancestor that exists."""
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, SourceLocation(self.shown, 1 + self.offset, 1))


def load(text: str, shown: str, line_offset: int = 0) -> tuple[Any, Positions]:
    """Parse one YAML document into plain dicts/lists/strings plus their positions."""
    pos = Positions(shown, line_offset)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark, problem = _mistake(exc, text)
        where = pos.mark(mark) if mark else SourceLocation(shown, 1 + line_offset, 1)
        raise ContentError.at(where, f"YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ContentError.at(SourceLocation(shown, 1 + line_offset, 1), f"YAML: {exc}") from None
    if node is None:
        return {}, pos
    errors: list[Diagnostic] = []
    value = _convert(node, (), pos, errors)
    if errors:
        raise ContentError(errors)
    return value, pos


# Where PyYAML notices a mistake only on the next line, it marks where the mistaken key or
# quote began (the context): that is the line to point an author at.
_BEGAN_HERE = {
    "while scanning a simple key": "this line needs `key: value` (a colon and a space after the key)",
    "while scanning a quoted scalar": "a quote opened here is never closed",
    "while scanning a block scalar": "this block (`|` or `>`) is not indented as expected",
}


def _mistake(exc: yaml.MarkedYAMLError, text: str = "") -> tuple[yaml.Mark | None, str]:
    """The position and words for a YAML syntax error: in plain words, with the fix, for
    the mistakes people make (a colon in a value, an indent, a tab, a quote left open, a
    list item without `- `); PyYAML's own words otherwise."""
    plain = _in_plain_words(exc, text.split("\n"))
    if plain is not None:
        return plain
    if exc.context in _BEGAN_HERE and exc.context_mark is not None:
        return exc.context_mark, f"{_BEGAN_HERE[exc.context]} ({exc.problem})"
    return exc.problem_mark or exc.context_mark, exc.problem or exc.context or "invalid YAML"


def _in_plain_words(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[yaml.Mark, str] | None:
    mark, problem = exc.problem_mark, exc.problem or ""
    if mark is None:
        return None
    line = lines[mark.line] if mark.line < len(lines) else ""
    if problem == "mapping values are not allowed here":
        first = line.find(": ") if ": " in line else line.find(":")
        key = line[:first].strip().removeprefix("- ")
        if 0 <= first < mark.column and key:
            value = line[first + 1:].strip().replace('"', '\\"')
            return mark, (f'the value of {key!r} contains ": ", which YAML reads as a new key: put the whole value '
                          f'in quotes: {key}: "{value}"')
        start = yaml.Mark(mark.name, mark.index, mark.line, len(line) - len(line.lstrip()), None, None)  # type: ignore[arg-type]
        return start, ("this line is indented differently from the lines above it: keys of one level start "
                      "in the same column (indent with spaces, two per level)")
    if "found character '\\t'" in problem:
        return mark, "this line is indented with a tab: YAML needs spaces (replace the tab with two spaces)"
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        quote = lines[exc.context_mark.line][exc.context_mark.column:][:1] or '"'
        return exc.context_mark, (f"the quote {quote} opened here is never closed: end the value with {quote} "
                                  "on the same line")
    if exc.context == "while scanning a simple key" and exc.context_mark is not None:
        above = next((t for t in reversed(lines[:exc.context_mark.line]) if t.strip()), "")
        written = lines[exc.context_mark.line].strip()
        if above.lstrip().startswith("- "):
            return exc.context_mark, f"this line is in a list but does not start with `- `: write - {written}"
        return exc.context_mark, f"this line needs `key: value` (a colon and a space after the key): {written}:"
    if problem.startswith("expected <block end>") or problem.startswith("expected <block mapping start>"):
        opened = _open_quote(lines, mark.line)
        if opened is not None:
            number, column, quote = opened
            return (yaml.Mark(mark.name, 0, number, column, None, None),  # type: ignore[arg-type]
                    f"the quote {quote} opened here is never closed: end the value with {quote} on the same line")
        return mark, ("this line is not lined up with the lines above it: keys of one level start in the same "
                      "column, and a list's items each start with `- ` in one column")
    return None


_QUOTE_OPENED = re.compile(r"""^\s*(?:- )?[^\s:#][^:#]*:\s+(["'])""")


def _open_quote(lines: list[str], upto: int) -> tuple[int, int, str] | None:
    """The first line before `upto` whose quoted value is not closed on that line."""
    for number, line in enumerate(lines[:upto + 1]):
        match = _QUOTE_OPENED.match(line)
        if match is None:
            continue
        quote, rest = match.group(1), line[match.end():]
        if quote not in rest.replace("\\" + quote, "").replace(quote * 2, ""):
            return number, match.start(1), quote
    return None


def _convert(node: yaml.Node, path: Path_, pos: Positions, errors: list[Diagnostic]) -> Any:
    pos.values[path] = pos.mark(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, path, pos, errors)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), pos, errors) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.style is None and node.value in _NULLS:
        return None
    return node.value


def _mapping(node: yaml.MappingNode, path: Path_, pos: Positions, errors: list[Diagnostic]) -> dict:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        where = pos.mark(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            errors.append(Diagnostic(where, "a key must be plain text"))
            continue
        key = key_node.value
        if key in result:
            first = pos.keys[path + (key,)]
            errors.append(Diagnostic(where, f"duplicate key {key!r} (first at line {first.line}): a key may "
                                            "appear once, so remove one of them or merge them"))
            continue
        pos.keys[path + (key,)] = where
        result[key] = _convert(value_node, path + (key,), pos, errors)
    return result
