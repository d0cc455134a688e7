"""A course module (a dict in the content format) as readable YAML: keys in the format's
order, section numbers quoted, intros as `|` blocks, emoji written as they are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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


class _Flow(list):
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
