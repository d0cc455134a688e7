"""A Hugo/Wowchemy course page → a course-module dict in our format, with every problem.

A Hugo course page is YAML front matter plus a Markdown body in which each resource is
one line of raw HTML (a Material icon, a link and a "~9 min" badge). `import_page` turns
such a page into a course-module dict (docs/content-format.md, "Course modules") and
lists every problem it met, as the core's diagnostics (`path:line:col`).

The importer never guesses: a resource without a reading time is an error, an unknown
icon becomes kind "other" with a warning, and every line it does not understand is
reported with its line number rather than dropped silently. It reads with the core's
pieces (front matter split, position-keeping YAML, text normalising, slugs); what it
writes is validated with the loader's own schema before it is written (see __init__).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import ftfy

from ..core import yamlsrc
from ..core.frontmatter import split_front_matter
from ..core.sources import normalized
from ..core.text import slugify
from ..errors import ContentError, Diagnostic, Diagnostics, FileDiagnostics
from .body import BodyParser

FRONT_MATTER_KEYS = ("title", "summary", "date", "authors", "tags")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})([T ].*)?$")
Meta = dict[str, tuple[Any, int]]  # front-matter key → (value, line)

# Only the encoding repairs: ftfy's other fixes (straight quotes, NFC, ligatures, HTML
# unescaping) would silently change correct text, and the warning we give says
# "double-encoded UTF-8", so that must be all that changed.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False, remove_terminal_escapes=False, fix_latin_ligatures=False,
    fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False,
    remove_control_chars=False, normalization=None, explain=False,
)


def import_page(text: str, path: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Convert one Hugo page into a course-module dict plus the problems found.

    Pure: `path` only names the page in messages. When a problem is an error the dict
    is a best effort and must not be written.
    """
    diags = Diagnostics()
    issues = diags.in_file(path)
    lines = _repair_mojibake(normalized(text).split("\n"), issues)
    split = split_front_matter("\n".join(lines))
    meta = _front_matter(split.problem, split.front, path, diags)
    body = BodyParser(issues)
    if split.problem in ("", "missing"):
        body.feed(split.body.split("\n"), first_line=split.body_line)
    return _assemble(meta, body, issues), diags.sorted()


def module_filename(module: dict[str, Any]) -> str:
    """The file name a module is written to: `08-het-werk-van-de-toekomst.yaml`."""
    return f"{int(module['number']):02d}-{slugify(str(module['title']))}.yaml"


def _repair_mojibake(lines: list[str], issues: FileDiagnostics) -> list[str]:
    """Undo double-encoded UTF-8 ("gecreÃ«erd") line by line; report it once."""
    fixed = [ftfy.fix_text(line, _FTFY_CONFIG) for line in lines]
    changed = [n for n, (old, new) in enumerate(zip(lines, fixed, strict=False), start=1) if old != new]
    if changed:
        count = len(changed)
        issues.warn(changed[0], 1, f"repaired double-encoded UTF-8 on {count} line{'s' if count > 1 else ''} "
                                   f"(first on line {changed[0]})")
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


# ---------------------------------------------------------------- front matter

_SPLIT_PROBLEMS = {
    "toml": ("error", "TOML front matter (+++) is not supported; convert it to YAML (---)"),
    "missing": ("warning", "page has no YAML front matter (---)"),
    "unclosed": ("error", "front matter is not closed by a --- line"),
}


def _front_matter(problem: str, front: str, path: str, diags: Diagnostics) -> Meta:
    """The known front-matter keys as {key: (value, line)}; other keys are reported."""
    issues = diags.in_file(path)
    if problem:
        severity, message = _SPLIT_PROBLEMS[problem]
        (issues.error if severity == "error" else issues.warn)(1, 1, message)
        return {}
    try:
        data, pos = yamlsrc.load(front, path, line_offset=1)
    except ContentError as exc:
        for d in exc.diagnostics:
            diags.error(d.where, f"front matter: {d.message.removeprefix('YAML: ')}")
        return {}
    if not isinstance(data, dict):
        issues.error(2, 1, "front matter is not a mapping of keys to values")
        return {}
    meta: Meta = {}
    for key, value in data.items():
        where = pos.of((key,), key=True)
        if key not in FRONT_MATTER_KEYS:
            issues.warn(where.line, where.col, f"front matter key {key!r} is not imported")
        else:
            meta[key] = ("" if value is None else value, where.line)
    return meta


def _text_field(meta: Meta, key: str, issues: FileDiagnostics) -> str | None:
    """A front-matter value that must be one line of text."""
    value, line = meta.get(key, (None, 1))
    if key in meta and not isinstance(value, str):
        issues.error(line, 1, f"front matter {key!r} must be text")
        return None
    return " ".join(value.split()) if value else None


def _list_field(meta: Meta, key: str, issues: FileDiagnostics) -> list[str] | None:
    """A front-matter list of texts (a single text counts as a list of one)."""
    value, line = meta.get(key, (None, 1))
    if isinstance(value, str):
        value = [value] if value else []
    if value is None or not all(isinstance(v, str) for v in value):
        if key in meta:
            issues.error(line, 1, f"front matter {key!r} must be a list of texts")
        return None
    # An empty list is left out, like a missing key: both mean "none given".
    return [v.strip() for v in value if v.strip()] or None


def _date_field(meta: Meta, issues: FileDiagnostics) -> str | None:
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


# ---------------------------------------------------------------- the module


def _assemble(meta: Meta, body: BodyParser, issues: FileDiagnostics) -> dict[str, Any]:
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


def _summary(meta: Meta, issues: FileDiagnostics) -> str | None:
    """The summary, which a course module must have (an error when missing or empty)."""
    summary = _text_field(meta, "summary", issues)
    if summary is None and isinstance(meta.get("summary", ("",))[0], str):
        line = meta["summary"][1] if "summary" in meta else 1
        issues.error(line, 1, "front matter has no summary (it is required for a course module)")
    return summary


def _check_titles(fm_title: str, body: BodyParser, meta: Meta, issues: FileDiagnostics) -> None:
    """The heading gives number and title; a differing front-matter title is reported."""
    if body.number is None:
        issues.error(1, 1, "no module heading (# N. Title) found")
    elif fm_title and fm_title != body.title:
        issues.warn(meta["title"][1], 1, f"front matter title {fm_title!r} differs from the "
                                         f"module heading {body.title!r}; the heading is used")


def _sections(body: BodyParser, issues: FileDiagnostics) -> list[dict[str, Any]]:
    """The sections as dicts; the module's own section is left out when it is empty."""
    sections = [s for i, s in enumerate(body.sections) if i > 0 or not s.is_empty()]
    if body.number is not None and not sections:
        issues.warn(1, 1, "module has no sections and no resources")
    return [s.as_dict() for s in sections]
