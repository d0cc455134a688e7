"""The document model: one tree that every output reads (Pandoc's habit).

Frozen, typed data. Every item remembers where it was written (`source`), so any
later stage can name `file:line:col`. Markdown bodies are kept as text plus the line
where they start; each output renders them with its own link style.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceLocation

KINDS = ("article", "video", "podcast", "book", "website", "other")


@dataclass(frozen=True, slots=True)
class Meta:
    """Publication metadata from `publication.yaml`."""

    title: str
    subtitle: str
    authors: tuple[str, ...]
    language: str
    date: dt.date
    identifier: str
    licence: str
    edition: str
    description: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    """Build settings: reading speed (words per minute) and the short/long threshold."""

    reading_speed: int = 220
    short_max_minutes: int = 10


@dataclass(frozen=True, slots=True)
class Markdown:
    """A Markdown text and where its first line sits in its file."""

    text: str
    source: SourceLocation


@dataclass(frozen=True, slots=True)
class Chapter:
    """One essay chapter: a Markdown file with front matter."""

    slug: str
    title: str
    part: str | None
    body: Markdown
    words: int
    source: SourceLocation

    def minutes(self, settings: Settings) -> int:
        return reading_minutes(self.words, settings.reading_speed)


@dataclass(frozen=True, slots=True)
class Resource:
    """A reading or viewing resource of a course section."""

    title: str
    url: str
    kind: str
    minutes: int
    source: SourceLocation

    def is_short(self, settings: Settings) -> bool:
        return self.minutes <= settings.short_max_minutes


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered course section (`8`, `8.1`, …) with its intro and resources."""

    number: str
    title: str
    intro: Markdown
    resources: tuple[Resource, ...]
    source: SourceLocation

    @property
    def total_minutes(self) -> int:
        return sum(r.minutes for r in self.resources)

    @property
    def slug(self) -> str:
        from .text import slugify

        head, *rest = self.number.split(".")
        return "-".join([head.zfill(2), *rest, slugify(self.title)])


@dataclass(frozen=True, slots=True)
class Module:
    """A course module with its sections."""

    number: int
    title: str
    icon: str
    summary: str
    date: dt.date | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    sections: tuple[Section, ...]
    source: SourceLocation

    @property
    def total_minutes(self) -> int:
        return sum(s.total_minutes for s in self.sections)

    @property
    def resources(self) -> tuple[Resource, ...]:
        return tuple(r for s in self.sections for r in s.resources)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    type: str  # "text" | "number"
    unit: str


@dataclass(frozen=True, slots=True)
class DataTable:
    """Figures that are data, not prose; drawn as a table and (optionally) a chart."""

    id: str
    title: str
    caption: str
    source_note: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str | float | None, ...], ...]
    chart: tuple[str, ...]
    source: SourceLocation

    def column_values(self, key: str) -> list[tuple[str, float | None]]:
        """(row label, value) pairs of one column; the row label is the first column."""
        index = [c.key for c in self.columns].index(key)
        return [(str(row[0]), row[index]) for row in self.rows]  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class Link:
    """An external URL cited in the publication, numbered by first appearance."""

    number: int
    url: str
    text: str
    sources: tuple[SourceLocation, ...]

    @property
    def placeholder(self) -> bool:
        from .links import is_placeholder

        return is_placeholder(self.url)


@dataclass(frozen=True, slots=True)
class Publication:
    """Everything under `content/`, validated: the one input of every output."""

    root: Path
    meta: Meta
    settings: Settings
    chapters: tuple[Chapter, ...]
    modules: tuple[Module, ...]
    tables: tuple[DataTable, ...]
    links: tuple[Link, ...] = field(default=())

    @property
    def slug(self) -> str:
        from .text import slugify

        return slugify(self.meta.title)

    def table(self, table_id: str) -> DataTable | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def link_number(self, url: str) -> int | None:
        return next((link.number for link in self.links if link.url == url), None)

    @property
    def essay_words(self) -> int:
        return sum(c.words for c in self.chapters)

    @property
    def parts(self) -> list[tuple[str | None, list[Chapter]]]:
        """Chapters grouped by consecutive `part`, for tables of contents."""
        groups: list[tuple[str | None, list[Chapter]]] = []
        for chapter in self.chapters:
            if not groups or groups[-1][0] != chapter.part:
                groups.append((chapter.part, []))
            groups[-1][1].append(chapter)
        return groups


def reading_minutes(words: int, speed: int) -> int:
    """Minutes to read `words` at `speed` words per minute, rounded up, at least 1."""
    return max(1, math.ceil(words / speed)) if words else 0
