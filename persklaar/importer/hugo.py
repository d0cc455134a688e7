"""Import course modules from Hugo/Wowchemy pages (issue 7).

A Hugo course page is YAML front matter plus a Markdown body in which each resource is
one line of raw HTML (a Material icon, a link and a "~9 min" badge). `import_page` turns
such a page into a course-module dict in our format (docs/content-format.md, "Course
modules") and lists every problem it met; `dump_module` writes that dict as readable
YAML; `run_import` does both for a list of pages and writes `NN-slug.yaml` files.

The importer never guesses: a resource without a reading time is an error, an unknown
icon becomes kind "other" with a warning, and every line it does not understand is
reported with its line number rather than dropped silently.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import ftfy
import yaml

__all__ = ["ImportIssue", "import_page", "dump_module", "run_import", "module_filename"]


@dataclass(frozen=True)
class ImportIssue:
    """One problem found while importing a page; lines and columns count from 1."""

    path: str
    line: int
    col: int
    message: str
    severity: str  # "warning" | "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"


class _Issues:
    """Collects the issues of one page so that all of them are reported at once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[ImportIssue] = []

    def warn(self, line: int, col: int, message: str) -> None:
        self.items.append(ImportIssue(self.path, line, col, message, "warning"))

    def error(self, line: int, col: int, message: str) -> None:
        self.items.append(ImportIssue(self.path, line, col, message, "error"))

    def sorted(self) -> list[ImportIssue]:
        # Stable sort: issues on one line keep the order in which they were found.
        return sorted(self.items, key=lambda i: (i.line, i.col))


# --------------------------------------------------------------------------- text

# Only the encoding repairs: ftfy's other fixes (straight quotes, NFC, ligatures, HTML
# unescaping) would silently change correct text, and the warning we give says
# "double-encoded UTF-8", so that must be all that changed.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def _split_lines(text: str) -> list[str]:
    """Lines of the page with a BOM dropped and CRLF/CR line endings accepted."""
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _repair_mojibake(lines: list[str], issues: _Issues) -> list[str]:
    """Undo double-encoded UTF-8 ("gecreÃ«erd") line by line; report it once."""
    fixed = [ftfy.fix_text(line, _FTFY_CONFIG) for line in lines]
    changed = [n for n, (old, new) in enumerate(zip(lines, fixed), start=1) if old != new]
    if changed:
        count = len(changed)
        issues.warn(
            changed[0], 1,
            f"repaired double-encoded UTF-8 on {count} line{'s' if count > 1 else ''} "
            f"(first on line {changed[0]})",
        )
    return fixed


def _split_icon(title: str) -> tuple[str | None, str]:
    """Split a leading emoji ("🔮 Het werk …") off a title: (icon, rest)."""
    end = 0
    # Emoji are symbols (So) possibly joined by ZWJ (Cf), variation selectors (Mn)
    # and skin-tone modifiers (Sk); anything else ends the icon.
    while end < len(title) and unicodedata.category(title[end]) in {"So", "Sk", "Mn", "Me", "Cf"}:
        end += 1
    icon = title[:end]
    if not any(unicodedata.category(ch) == "So" for ch in icon):
        return None, title.strip()
    return icon, title[end:].strip()


def slugify(title: str) -> str:
    """An ASCII file-name slug: "Het werk van de toekomst" -> "het-werk-van-de-toekomst"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "module"


def module_filename(module: dict[str, Any]) -> str:
    """The file name a module is written to: `08-het-werk-van-de-toekomst.yaml`."""
    return f"{int(module['number']):02d}-{slugify(str(module['title']))}.yaml"


# -------------------------------------------------------------------- front matter

_FRONT_MATTER_KEYS = ("title", "summary", "date", "authors", "tags")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})([T ].*)?$")


def _split_front_matter(lines: list[str], issues: _Issues) -> tuple[list[str], int]:
    """The front-matter lines and the index of the first body line."""
    first = lines[0].strip() if lines else ""
    if first == "+++":
        issues.error(1, 1, "TOML front matter (+++) is not supported; convert it to YAML (---)")
        return [], len(lines)
    if first != "---":
        issues.warn(1, 1, "page has no YAML front matter (---)")
        return [], 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return lines[1:index], index + 1
    issues.error(1, 1, "front matter is not closed by a --- line")
    return [], len(lines)


def _compose_front_matter(fm_lines: list[str], issues: _Issues) -> yaml.Node | None:
    """The front matter's YAML node tree; BaseLoader so nothing is type-guessed."""
    try:
        return yaml.compose("\n".join(fm_lines), Loader=yaml.BaseLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        issues.error(line, col, f"front matter: {exc.problem or exc.context or 'invalid YAML'}")
    except yaml.YAMLError as exc:
        issues.error(2, 1, f"front matter: {exc}")
    return None


def _node_value(node: yaml.Node) -> str | list[str] | None:
    """A scalar as its text, a list of scalars as a list of texts, else None."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode) and all(isinstance(n, yaml.ScalarNode) for n in node.value):
        return [n.value for n in node.value]
    return None


def _read_front_matter(fm_lines: list[str], issues: _Issues) -> dict[str, tuple[Any, int]]:
    """The known front-matter keys as {key: (value, line)}; other keys are reported."""
    node = _compose_front_matter(fm_lines, issues)
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        issues.error(2, 1, "front matter is not a mapping of keys to values")
        return {}
    meta: dict[str, tuple[Any, int]] = {}
    for key_node, value_node in node.value:
        line, col = key_node.start_mark.line + 2, key_node.start_mark.column + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key in meta:
            issues.error(line, col, f"duplicate front matter key {key!r}")
        elif key not in _FRONT_MATTER_KEYS:
            issues.warn(line, col, f"front matter key {key!r} is not imported")
        else:
            meta[key] = (_node_value(value_node), line)
    return meta


def _text_field(meta: dict[str, tuple[Any, int]], key: str, issues: _Issues) -> str | None:
    """A front-matter value that must be one line of text."""
    value, line = meta.get(key, (None, 1))
    if key in meta and not isinstance(value, str):
        issues.error(line, 1, f"front matter {key!r} must be text")
        return None
    return " ".join(value.split()) if value else None


def _list_field(meta: dict[str, tuple[Any, int]], key: str, issues: _Issues) -> list[str] | None:
    """A front-matter list of texts (a single text counts as a list of one)."""
    value, line = meta.get(key, (None, 1))
    if isinstance(value, str):
        value = [value]
    if value is None:
        if key in meta:
            issues.error(line, 1, f"front matter {key!r} must be a list of texts")
        return None
    # An empty list is left out, like a missing key: both mean "none given".
    return [v.strip() for v in value if v.strip()] or None


def _date_field(meta: dict[str, tuple[Any, int]], issues: _Issues) -> str | None:
    """The page date as the text "YYYY-MM-DD"; a time of day is dropped with a warning."""
    value = _text_field(meta, "date", issues)
    if value is None:
        return None
    line = meta["date"][1]
    match = _DATE.match(value)
    if not match:
        issues.error(line, 1, f"front matter date {value!r} is not YYYY-MM-DD")
        return None
    if match.group(2):
        issues.warn(line, 1, f"time of day {match.group(2).strip()!r} of the date is not imported")
    return match.group(1)


# ---------------------------------------------------------------------------- body

_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MODULE_HEADING = re.compile(r"^ {0,3}#[ \t]+(\d+)\.?[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SECTION_HEADING = re.compile(r"^ {0,3}##[ \t]+(\d+(?:\.\d+)+)\.?[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_OTHER_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_ICON_SPAN = re.compile(
    r'^\s*<span\s+class="material-(?:symbols-outlined|icons)[^"]*"[^>]*>\s*'
    r"([A-Za-z0-9_]+)\s*</span>\s*(.*)$"
)
# [title](url): the URL may be <bracketed> or hold one level of parentheses (Wikipedia).
_LINK = re.compile(
    r"\[((?:[^\[\]\\]|\\.)+)\]\(\s*(<[^<>]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\s*\)\s*(.*)$"
)
_TIME_SPAN = re.compile(
    r"^<span\b[^>]*>\s*~\s*(\d+)\s*min\.?\s*"
    r"(?:<i\b[^>]*>\s*hourglass_\w+\s*</i>\s*)?</span>\s*$"
)
_LOOSE_MINUTES = re.compile(r"~\s*(\d+)\s*min\b")
_SHORTCODE = re.compile(r"^\s*\{\{[<%]")
_HTML_LINE = re.compile(r"^\s*<(?:!--|/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$))")
_INLINE_HTML = re.compile(r"<(?:!--|/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ALLOWED_URL = re.compile(r"^https?://", re.IGNORECASE)  # resources must be web links

_KIND_BY_ICON = {
    **dict.fromkeys(("article", "description", "newspaper"), "article"),
    **dict.fromkeys(("videocam", "movie", "smart_display", "play_circle", "ondemand_video"), "video"),
    **dict.fromkeys(("podcasts", "mic", "headphones"), "podcast"),
    **dict.fromkeys(("menu_book", "book", "auto_stories"), "book"),
    **dict.fromkeys(("language", "public", "link", "web"), "website"),
}


@dataclass
class _Section:
    """A section being read: its paragraphs so far and its resources."""

    number: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # lines of the open paragraph
    pending_line: int = 0

    def is_empty(self) -> bool:
        return not (self.paragraphs or self.resources or self.pending)

    def as_dict(self) -> dict[str, Any]:
        intro = "\n\n".join(self.paragraphs)
        # A trailing newline makes the intro a clean `|` block, as in the format spec.
        return {"number": self.number, "title": self.title,
                "intro": intro + "\n" if intro else "", "resources": self.resources}


class _BodyParser:
    """Reads the Markdown body line by line into a module heading and its sections."""

    def __init__(self, issues: _Issues) -> None:
        self.issues = issues
        self.number: int | None = None
        self.title: str | None = None
        self.sections: list[_Section] = []

    def feed(self, lines: list[str], first_line: int) -> None:
        """Read `lines`, the first of which is line `first_line` of the page."""
        for lineno, line in enumerate(lines, start=first_line):
            self._line(lineno, line)
        self._end_paragraph()

    def _line(self, lineno: int, line: str) -> None:
        """Hand one line to the first rule that matches it; anything else is prose."""
        if not line.strip():
            self._end_paragraph()
            return
        for pattern, handler in self._RULES:
            match = pattern.match(line)
            if match:
                handler(self, lineno, match)
                return
        self._prose(lineno, line)

    # -- the line kinds, in the order they are tried (see _RULES below)

    def _rule(self, lineno: int, match: re.Match[str]) -> None:
        # Wowchemy pages put a --- under every heading; it is layout, not content.
        self._end_paragraph()

    def _module_heading(self, lineno: int, match: re.Match[str]) -> None:
        """`# 8. Title`: module number and title, and the start of section "8"."""
        if self.number is not None:
            self.issues.error(lineno, 1, "a second module heading (# N. Title); one module per page")
            return
        self._end_paragraph()
        self.number, self.title = int(match.group(1)), match.group(2).strip()
        self.sections.append(_Section(str(self.number), self.title))

    def _section_heading(self, lineno: int, match: re.Match[str]) -> None:
        """`## 8.1 Title`: the start of a new section."""
        number, title = match.group(1), match.group(2).strip()
        if self.number is None:
            self.issues.error(lineno, 1, f"section {number} comes before the module heading (# N. Title)")
            return
        if not number.startswith(f"{self.number}."):
            self.issues.warn(lineno, 1, f"section {number} is not numbered under module {self.number}")
        if any(s.number == number for s in self.sections):
            self.issues.error(lineno, 1, f"section {number} appears twice")
            return
        self._end_paragraph()
        self.sections.append(_Section(number, title))

    def _other_heading(self, lineno: int, match: re.Match[str]) -> None:
        """Any other heading: reported, its text kept so no prose is lost."""
        text = (match.group(1) or "").strip()
        self.issues.warn(lineno, 1, f"heading {text!r} is not a module (# N.) or section "
                                    "(## N.M) heading; its text is kept as a paragraph")
        self._end_paragraph()
        if text:
            self._prose(lineno, text)
            self._end_paragraph()

    def _resource(self, lineno: int, match: re.Match[str]) -> None:
        """An icon + link + reading-time line: one resource of the current section."""
        section = self._section_for(lineno)
        if section is None:
            return
        self._end_paragraph()
        resource = self._parse_resource(lineno, match)
        if resource is not None:
            section.resources.append(resource)

    def _shortcode(self, lineno: int, match: re.Match[str]) -> None:
        self._end_paragraph()
        self.issues.warn(lineno, 1, f"Hugo shortcode not imported: {_excerpt(match.string)}")

    def _html(self, lineno: int, match: re.Match[str]) -> None:
        self._end_paragraph()
        self.issues.warn(lineno, 1, f"raw HTML not imported: {_excerpt(match.string)}")

    _RULES: list[tuple[re.Pattern[str], Callable[["_BodyParser", int, re.Match[str]], None]]] = [
        (_RULE, _rule),
        (_MODULE_HEADING, _module_heading),
        (_SECTION_HEADING, _section_heading),
        (_OTHER_HEADING, _other_heading),
        (_ICON_SPAN, _resource),
        (_SHORTCODE, _shortcode),
        (_HTML_LINE, _html),
    ]

    # -- prose

    def _prose(self, lineno: int, line: str) -> None:
        """A line of Markdown prose: part of the open paragraph of the intro."""
        section = self._section_for(lineno)
        if section is None:
            return
        inline = _INLINE_HTML.search(line)
        if inline:
            self.issues.warn(lineno, inline.start() + 1,
                             f"inline HTML {inline.group()!r} kept in the intro; rewrite it as Markdown")
        if not section.pending:
            section.pending_line = lineno
        # Trailing blanks are dropped: they would stop YAML from writing a `|` block.
        section.pending.append(line.rstrip())

    def _end_paragraph(self) -> None:
        """Close the open paragraph (at a blank line, heading, rule, resource or HTML)."""
        section = self.sections[-1] if self.sections else None
        if section is None or not section.pending:
            return
        if section.resources:
            self.issues.warn(section.pending_line, 1, "paragraph after the resources of section "
                                                      f"{section.number} is moved into its intro")
        section.paragraphs.append("\n".join(section.pending))
        section.pending.clear()

    def _section_for(self, lineno: int) -> _Section | None:
        """The section being read, or None (with a warning) before the module heading."""
        if self.sections:
            return self.sections[-1]
        self.issues.warn(lineno, 1, "text before the module heading (# N. Title) is not imported")
        return None

    # -- resources

    def _parse_resource(self, lineno: int, match: re.Match[str]) -> dict[str, Any] | None:
        """{title, url, kind, minutes} from an icon-link-badge line, or None on error."""
        rest_col = match.start(2) + 1
        link = _LINK.match(match.group(2))
        if link is None:
            self.issues.error(lineno, rest_col, "resource line has no [title](url) link after its icon")
            return None
        minutes = self._minutes(lineno, rest_col + link.start(3), link.group(3))
        if minutes is None:
            return None
        url = link.group(2).removeprefix("<").removesuffix(">")
        if not _ALLOWED_URL.match(url):
            self.issues.warn(lineno, rest_col, f"link {url!r} is not an http(s) URL; the build will refuse it")
        return {"title": _link_text(link.group(1)), "url": url,
                "kind": self._kind(lineno, match.start(1) + 1, match.group(1)), "minutes": minutes}

    def _minutes(self, lineno: int, col: int, tail: str) -> int | None:
        """The "~N min" reading time after the link; never guessed when it is missing."""
        timed = _TIME_SPAN.match(tail) or _LOOSE_MINUTES.search(tail)
        if timed is None:
            self.issues.error(lineno, col, "resource has no reading time (~N min); add it to the page")
            return None
        if not _TIME_SPAN.match(tail):
            self.issues.warn(lineno, col, f"text around the reading time not understood: {_excerpt(tail)}")
        minutes = int(timed.group(1))
        if minutes < 1:
            self.issues.error(lineno, col, "reading time must be at least 1 minute")
            return None
        return minutes

    def _kind(self, lineno: int, col: int, icon: str) -> str:
        """The resource kind for a Material icon name; unknown icons are "other"."""
        kind = _KIND_BY_ICON.get(icon)
        if kind is None:
            self.issues.warn(lineno, col, f"unknown resource icon {icon!r}; imported as kind 'other'")
        return kind or "other"


def _link_text(text: str) -> str:
    """Markdown link text as plain text: backslash escapes and HTML entities resolved."""
    return html.unescape(_MD_ESCAPE.sub(r"\1", text)).strip()


def _excerpt(text: str, limit: int = 60) -> str:
    """A short quoted piece of a line for a message."""
    text = text.strip()
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# -------------------------------------------------------------------------- import


def import_page(text: str, path: str) -> tuple[dict[str, Any], list[ImportIssue]]:
    """Convert one Hugo page into a course-module dict plus the issues found.

    Pure: `path` only names the page in issues. When an issue is an error the dict is
    a best effort and must not be written.
    """
    issues = _Issues(path)
    lines = _repair_mojibake(_split_lines(text), issues)
    fm_lines, body_start = _split_front_matter(lines, issues)
    meta = _read_front_matter(fm_lines, issues)
    body = _BodyParser(issues)
    body.feed(lines[body_start:], first_line=body_start + 1)
    return _assemble(meta, body, issues), issues.sorted()


def _assemble(meta: dict[str, tuple[Any, int]], body: _BodyParser, issues: _Issues) -> dict[str, Any]:
    """The module dict in the key order of the content format."""
    icon, fm_title = _split_icon(_text_field(meta, "title", issues) or "")
    _check_titles(fm_title, body, meta, issues)
    module: dict[str, Any] = {"number": body.number, "title": body.title or fm_title}
    if icon:
        module["icon"] = icon
    module["summary"] = _summary(meta, issues)
    optional = {"date": _date_field(meta, issues), "authors": _list_field(meta, "authors", issues),
                "tags": _list_field(meta, "tags", issues)}
    module.update({k: v for k, v in optional.items() if v is not None})
    module["sections"] = _sections(body, issues)
    return module


def _summary(meta: dict[str, tuple[Any, int]], issues: _Issues) -> str | None:
    """The summary, which a course module must have (an error when missing or empty)."""
    summary = _text_field(meta, "summary", issues)
    if summary is None and isinstance(meta.get("summary", ("",))[0], str):
        line = meta["summary"][1] if "summary" in meta else 1
        issues.error(line, 1, "front matter has no summary (it is required for a course module)")
    return summary


def _check_titles(fm_title: str, body: _BodyParser, meta: dict[str, tuple[Any, int]], issues: _Issues) -> None:
    """The heading gives number and title; a differing front-matter title is reported."""
    if body.number is None:
        issues.error(1, 1, "no module heading (# N. Title) found")
    elif fm_title and fm_title != body.title:
        issues.warn(meta["title"][1], 1, f"front matter title {fm_title!r} differs from the "
                                         f"module heading {body.title!r}; the heading is used")


def _sections(body: _BodyParser, issues: _Issues) -> list[dict[str, Any]]:
    """The sections as dicts; the module's own section is left out when it is empty."""
    sections = [s for i, s in enumerate(body.sections) if i > 0 or not s.is_empty()]
    if body.number is not None and not sections:
        issues.warn(1, 1, "module has no sections and no resources")
    return [s.as_dict() for s in sections]


# ---------------------------------------------------------------------------- dump

_MODULE_KEYS = ("number", "title", "icon", "summary", "date", "authors", "tags", "sections")
_SECTION_KEYS = ("number", "title", "intro", "resources")
_RESOURCE_KEYS = ("title", "url", "kind", "minutes")
_BLOCK_MIN_LENGTH = 80  # one-line texts longer than this are written as a `|` block too


class _Quoted(str):
    """Text always written in double quotes (section numbers)."""


class _SingleQuoted(str):
    """Text always written in single quotes: PyYAML escapes emoji inside double quotes
    ("\\U0001F52E"), but writes them as they are inside single quotes."""


class _Block(str):
    """Text written as a literal `|` block."""


class _Flow(list):  # type: ignore[type-arg]
    """A short list of texts written on one line: [a, b]."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents lists under their key and never writes anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # PyYAML puts "- " flush with the parent key; the format docs indent it.
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


_STR = "tag:yaml.org,2002:str"
_Dumper.add_representer(_Quoted, lambda d, s: d.represent_scalar(_STR, str(s), style='"'))
_Dumper.add_representer(_SingleQuoted, lambda d, s: d.represent_scalar(_STR, str(s), style="'"))
_Dumper.add_representer(_Block, lambda d, s: d.represent_scalar(_STR, str(s), style="|"))
_Dumper.add_representer(
    _Flow, lambda d, s: d.represent_sequence("tag:yaml.org,2002:seq", list(s), flow_style=True)
)


def _ordered(data: dict[str, Any], keys: tuple[str, ...], what: str) -> dict[str, Any]:
    """`data` in the order of `keys`; an unknown key is a bug, not something to write."""
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise ValueError(f"unknown {what} key(s): {', '.join(unknown)}")
    return {key: data[key] for key in keys if key in data}


def _text(value: str) -> str:
    """Multi-line or long text becomes a `|` block; the rest is left to PyYAML, which
    quotes whatever would otherwise read as a number, boolean, date or null."""
    return _Block(value) if "\n" in value or len(value) > _BLOCK_MIN_LENGTH else value


def _prepare_module(module: dict[str, Any]) -> dict[str, Any]:
    """The module in dump order, its values wrapped in the types that pick a YAML style."""
    data = _ordered(module, _MODULE_KEYS, "module")
    if "icon" in data:
        data["icon"] = _SingleQuoted(data["icon"])
    for key in ("authors", "tags"):
        if key in data:
            data[key] = _Flow(data[key])
    data["sections"] = [_prepare_section(s) for s in data.get("sections", [])]
    return data


def _prepare_section(section: dict[str, Any]) -> dict[str, Any]:
    """One section in dump order, with its number quoted and its intro as a block."""
    data = _ordered(section, _SECTION_KEYS, "section")
    data["number"] = _Quoted(str(data["number"]))  # "8.1" must stay text, never 8.1
    if "intro" in data:
        data["intro"] = _text(data["intro"])
    data["resources"] = [_ordered(r, _RESOURCE_KEYS, "resource") for r in data.get("resources", [])]
    return data


def dump_module(module: dict[str, Any], source: str | None = None) -> str:
    """The module as human-friendly YAML; `source` adds an "imported from" first line."""
    text = yaml.dump(
        _prepare_module(module), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
        default_flow_style=False, width=1_000_000,  # never fold long lines
    )
    if source:
        # Only the file name: an absolute path would leak the importer's home directory.
        text = f"# Imported from {Path(source).name} by persklaar.importer\n" + text
    return text


# ----------------------------------------------------------------------------- run


def run_import(pages: list[str], out_dir: str, force: bool, report: Callable[[str], None]) -> int:
    """Import each page into `out_dir`/NN-slug.yaml; 0 when all went well, else 1.

    A page with errors is not written, and an existing file is only replaced with
    `force`; every issue and every written file is passed to `report`.
    """
    status = 0
    written: set[Path] = set()
    for page in pages:
        status |= _import_one(page, Path(out_dir), force, report, written)
    return status


def _import_one(page: str, out: Path, force: bool, report: Callable[[str], None], written: set[Path]) -> int:
    """Import and write one page; the exit status for it (0 or 1)."""
    text = _read_page(page, report)
    if text is None:
        return 1
    module, issues = import_page(text, page)
    for issue in issues:
        report(str(issue))
    if any(i.severity == "error" for i in issues):
        report(f"{page}: not written because of the errors above")
        return 1
    target = out / module_filename(module)
    refusal = _refusal(target, force, written)
    if refusal:
        report(str(ImportIssue(str(target), 1, 1, refusal, "error")))
        return 1
    _write_atomic(target, dump_module(module, source=page))
    written.add(target)
    report(f"wrote {target}")
    return 0


def _refusal(target: Path, force: bool, written: set[Path]) -> str | None:
    """Why `target` must not be written, or None."""
    if target in written:
        return "two pages in this run give this file; not overwritten"
    if target.exists() and not force:
        return "already exists; not overwritten (use --force to replace it)"
    return None


def _read_page(page: str, report: Callable[[str], None]) -> str | None:
    """The page as text, or None after reporting why it cannot be read."""
    try:
        data = Path(page).read_bytes()
    except OSError as exc:
        report(str(ImportIssue(page, 1, 1, f"cannot read: {exc.strerror or exc}", "error")))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report(str(ImportIssue(page, line, col, "not valid UTF-8; save the page as UTF-8", "error")))
        return None


def _write_atomic(target: Path, text: str) -> None:
    """Write via a temporary file in the same directory, so a crash never leaves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600; keep the file readable like its neighbours
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
