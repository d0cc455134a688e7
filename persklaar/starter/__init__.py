"""`persklaar new`: a publication that builds at once, in the author's language.

The starter texts live beside this file, one folder per language (`en/`, `nl/`, `de/`,
`fr/`): publication.yaml, two short chapters, a course module with one section and two
resources, a data table and a README with the next steps. `@title@`, `@author@`,
`@language@`, `@date@` and `@uuid@` in them are filled in; the JSON Schemas editors use
are written to `.schema/`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from ..core.schema import json_schemas
from ..errors import UsageError

STARTERS = Path(__file__).resolve().parent
LANGUAGES = ("nl", "en", "de", "fr")
DEFAULTS = {
    "en": ("My publication", "Your Name"),
    "nl": ("Mijn publicatie", "Je Naam"),
    "de": ("Meine Publikation", "Ihr Name"),
    "fr": ("Ma publication", "Votre Nom"),
}
RENAMED = {"gitignore": ".gitignore"}  # dot files do not travel well as package data


def create(target: Path, language: str = "en", title: str | None = None, author: str | None = None) -> list[Path]:
    """Write a new publication into `target` (absent or empty); the files written."""
    if language not in LANGUAGES:
        raise UsageError(f"persklaar new: no starter in {language!r} (choose from {', '.join(LANGUAGES)}); "
                         "make one in English and set `language:` in content/publication.yaml")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"persklaar new: {target} is not empty; give a new folder's name")
    default_title, default_author = DEFAULTS[language]
    values = {"@title@": json.dumps(title or default_title, ensure_ascii=False),
              "@author@": json.dumps(author or default_author, ensure_ascii=False),
              "@language@": language, "@date@": dt.date.today().isoformat(), "@uuid@": str(uuid.uuid4())}
    written = [_copy(path, target / RENAMED.get(path.name, path.relative_to(STARTERS / language).as_posix()),
                     values) for path in sorted((STARTERS / language).rglob("*")) if path.is_file()]
    return written + write_schemas(target / ".schema")


def _copy(source: Path, dest: Path, values: dict[str, str]) -> Path:
    text = source.read_text("utf-8")
    for key, value in values.items():
        # In Markdown (the README's heading) the title is plain text, not a YAML string.
        text = text.replace(key, json.loads(value) if source.suffix == ".md" and value.startswith('"') else value)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, "utf-8")
    return dest


def write_schemas(folder: Path) -> list[Path]:
    """publication.json, module.json and data.json: the JSON Schemas of the content files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    return written
