"""Every word an output prints that is not content: label files of the theme, per language.

`templates/labels/<language>.yaml` holds one label per key (`contents: Inhoud`). The
default theme has nl, en, de and fr; a publication adds a language, or changes words of
one, with a file of its own at the same path (merged over the theme's) or with a
`labels:` mapping in publication.yaml (merged last). A language the theme lacks must
bring every key of the reference language, `en`.

Numbers and dates follow the labels too (`decimal_separator`, `months`, `date_format`),
so a new language needs no code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError, Diagnostics, SourceLocation
from . import yamlsrc
from .sources import read_text
from .theme import Theme

REFERENCE = "en"
LABELS_DIR = "templates/labels"


@dataclass(frozen=True, slots=True)
class Locale:
    """A publication's language and its labels; formats numbers and dates the same way everywhere."""

    language: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        return self.labels[key]

    def number(self, value: float, decimals: int | None = None) -> str:
        """`72,3` and `634.000` in Dutch, `72.3` and `634,000` in English."""
        if decimals is None:
            decimals = 0 if float(value).is_integer() else len(repr(float(value)).split(".")[1])
        text = f"{value:,.{decimals}f}"
        point, thousands = self.labels.get("decimal_separator", "."), self.labels.get("thousands_separator", ",")
        return text.replace(",", "\0").replace(".", point).replace("\0", thousands)

    def date(self, day: dt.date) -> str:
        """`1 juni 2025`: month names and their order come from the labels."""
        months = self.labels.get("months", "").split()
        if len(months) != 12:
            return day.isoformat()
        return self.labels.get("date_format", "{day} {month} {year}").format(
            day=day.day, month=months[day.month - 1], year=day.year)


def keys(theme: Theme) -> list[str]:
    """Every label the theme's reference language has."""
    reference = theme.default / LABELS_DIR / f"{REFERENCE}.yaml"
    return list(_read(reference, theme.default, Diagnostics())) if reference.is_file() else []


def supported(theme: Theme) -> list[str]:
    """The languages with a label file in any layer of the theme."""
    return sorted({p.stem for layer in theme.layers for p in (layer / LABELS_DIR).glob("*.yaml")})


def load_locale(theme: Theme, language: str, extra: Mapping[str, str], where: SourceLocation,
                diags: Diagnostics) -> Locale:
    """The labels of `language` (or its base language: `nl-BE` → `nl`), merged over the layers."""
    code = next((c for c in (language, language.split("-")[0]) if _files(theme, c)), None)
    if code is None:
        diags.error(where, f"no labels for language {language!r} (supported: {', '.join(supported(theme))}); "
                           f"to add one, copy {LABELS_DIR}/{REFERENCE}.yaml of the theme to {LABELS_DIR}/"
                           f"{language}.yaml in your publication and translate it (docs/theming.md)")
        return Locale(language, {})
    labels: dict[str, str] = {}
    for path in reversed(_files(theme, code)):  # the theme's file first, the publication's over it
        labels.update(_read(path, theme.root, diags))
    labels.update(extra)
    _complete(theme, labels, code, where, diags)
    return Locale(language, labels)


def _files(theme: Theme, code: str) -> list[Path]:
    return [p for layer in theme.layers if (p := layer / LABELS_DIR / f"{code}.yaml").is_file()]


def _read(path: Path, root: Path, diags: Diagnostics) -> dict[str, str]:
    try:
        data, pos = yamlsrc.load(read_text(path, root), _shown(path, root))
    except ContentError as exc:
        diags.extend(exc.diagnostics)
        return {}
    if not isinstance(data, dict):
        diags.error(pos.of(()), "a labels file maps each label to its text (`contents: Inhoud`)")
        return {}
    for key, value in data.items():
        if not isinstance(value, str):
            diags.error(pos.of((key,)), f"label {key!r} must be text")
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _complete(theme: Theme, labels: dict[str, str], code: str, where: SourceLocation, diags: Diagnostics) -> None:
    """A language the default theme lacks must give every label of the reference language."""
    reference = theme.default / LABELS_DIR / f"{REFERENCE}.yaml"
    if not reference.is_file() or code == REFERENCE:
        return
    needed = _read(reference, theme.default, Diagnostics())
    missing = [k for k in needed if k not in labels]
    if missing:
        diags.error(where, f"labels for {code!r} lack {len(missing)} of {len(needed)} keys: "
                           f"{', '.join(missing[:8])}{' …' if len(missing) > 8 else ''} "
                           f"(see {LABELS_DIR}/{REFERENCE}.yaml of the theme)")


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return f"(theme)/{path.relative_to(path.parents[2]).as_posix()}"
