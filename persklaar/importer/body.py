"""The body of a Hugo course page, line by line: the module heading, its sections, their
paragraphs and their resource lines (icon, link, "~N min" badge).

Every line it does not understand is reported with its line number rather than dropped
silently; headings that are neither module nor section keep their text as a paragraph.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import FileDiagnostics

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


class BodyParser:
    """Reads the Markdown body line by line into a module heading and its sections."""

    def __init__(self, issues: FileDiagnostics) -> None:
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

    _RULES: list[tuple[re.Pattern[str], Callable[[BodyParser, int, re.Match[str]], None]]] = [
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
        if minutes == 0:
            return None
        url = link.group(2).removeprefix("<").removesuffix(">")
        if not _ALLOWED_URL.match(url):
            self.issues.warn(lineno, rest_col, f"link {url!r} is not an http(s) URL; the build will refuse it")
        resource = {"title": _link_text(link.group(1)), "url": url,
                    "kind": self._kind(lineno, match.start(1) + 1, match.group(1))}
        return resource if minutes is None else {**resource, "minutes": minutes}

    def _minutes(self, lineno: int, col: int, tail: str) -> int | None:
        """The "~N min" reading time after the link; never guessed: without one the resource
        is imported without a length (a warning; an error with --strict), 0 on an error."""
        timed = _TIME_SPAN.match(tail) or _LOOSE_MINUTES.search(tail)
        if timed is None:
            self.issues.warn(lineno, col, "resource has no reading time (~N min): imported without one "
                                          "(the outputs say the length is unknown); add it to the page if known")
            return None
        if not _TIME_SPAN.match(tail):
            self.issues.warn(lineno, col, f"text around the reading time not understood: {_excerpt(tail)}")
        minutes = int(timed.group(1))
        if minutes < 1:
            self.issues.error(lineno, col, "reading time must be at least 1 minute")
            return 0
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
