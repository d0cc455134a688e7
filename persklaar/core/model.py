"""The document model: one tree that every output reads (Pandoc's habit).

Frozen, typed data. Every item remembers where it was written (`source`), so any
later stage can name `file:line:col`. Markdown is parsed once, when the content is
loaded: a `Body` keeps markdown-it's tokens (with their line maps) and the loader's
passes write what every output needs into each token's `meta` (see `Body`). Outputs
render those tokens; none of them parses Markdown again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from markdown_it.token import Token

from ..errors import SourceLocation
from .labels import Locale
from .standards import DEFAULT as DEFAULT_PDF_STANDARD
from .standards import PdfStandard
from .text import slugify
from .theme import Theme


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
class PageSize:
    """A page size in mm, and the sheet the imposed version prints two pages on."""

    name: str
    width: float
    height: float
    sheet: str
    sheet_width: float
    sheet_height: float

    @property
    def css(self) -> str:
        return f"{self.width:g}mm {self.height:g}mm"


A5 = PageSize("A5", 148.0, 210.0, "A4", 297.0, 210.0)


@dataclass(frozen=True, slots=True)
class FontFace:
    """One font file of the publication (`fonts/…`), in a style and weight."""

    path: str
    style: str = "normal"
    weight: int = 400


@dataclass(frozen=True, slots=True)
class FontRole:
    """The font of one role (body, headings, mono): a shipped family, or files of the publication."""

    role: str
    family: str
    faces: tuple[FontFace, ...] = ()


@dataclass(frozen=True, slots=True)
class Asset:
    """A file of the publication that an output embeds (an image), found and checked once.

    `path` is relative to the publication's folder (`content/essay/img/red.png`), so
    every output names the same file the same way.
    """

    path: str
    media_type: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Cover:
    """The cover: an image of the publication (PDF cover and EPUB cover), its alt text, a kicker."""

    image: Asset | None = None
    alt: str = ""
    kicker: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """Build settings from publication.yaml (docs/settings.md)."""

    reading_speed: int = 220
    short_max_minutes: int = 10
    page: PageSize = A5
    accent: str | None = None
    fonts: tuple[FontRole, ...] = ()
    cover: Cover = field(default_factory=Cover)
    numbered_chapters: bool = True
    pdf_standard: PdfStandard = DEFAULT_PDF_STANDARD  # core.standards
    numbering: str = "chapter"  # figures, tables, formulas: per chapter ("3.2") or "book" ("7")
    lof: bool = False  # a list of figures after the contents (Pandoc's `lof`)
    lot: bool = False  # a list of tables (Pandoc's `lot`)
    bibliography: tuple[str, ...] = ()  # reference files under content/ (core.bibliography)
    csl: str | None = None  # the citation style: a CSL repository name or a .csl file; None: APA
    bibliography_placement: str = "end"  # the cited works: at the "end", under each of the "chapters", or "both"


TargetKind = Literal["unit", "heading", "section"]


@dataclass(frozen=True, slots=True)
class Target:
    """Where an internal link leads: a page unit (a chapter, a course module) and a place in it.

    kind "unit": the top of the unit; "heading": the heading whose id (unique within the
    unit) is `anchor`; "section": the course section whose slug is `anchor`.
    """

    unit: str
    kind: TargetKind = "unit"
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Listed:
    """A numbered figure or table as the lists of figures and tables show it (`core.xrefs`)."""

    kind: str  # "fig" or "tbl"
    number: str  # "3.2"
    caption: str  # its caption's words (a data table: its title)
    target: Target


@dataclass(frozen=True, slots=True)
class Body:
    """A Markdown text parsed once: markdown-it tokens with positions, plus what the loader found.

    `tokens` are markdown-it-py tokens; a block token's `map` counts lines from the
    text's first line, which is `source.line` in the file. The loader sets, in `meta`:

    - heading_open: `id` (unique within `unit`, never one of `RESERVED_IDS`), `level`
      (2..6 under a chapter title, 3..6 in a section intro: no level skipped), `text`;
    - link_open: `link` (the number of an external URL) or `target` (a `Target`);
    - image: `asset` (an `Asset`);
    - fence with info `table`: `table` (the data table's id);
    - math_inline, math_inline_double (display math in a paragraph), math_block: `mathml`
      (the formula's MathML, `alttext` its LaTeX); a display formula with an `eq-` id also
      `equation` (its number, "3.1", set by `core.xrefs`);
    - numbered elements (a figure's paragraph_open/close, a table_open with a `tbl-` id, a
      data table's fence referred to as `@tbl-…`, an `eq-` formula): `number`, `xref_kind`;
      `xref` (an `@fig-…` reference): `target`, `number`, `label` (core.xrefs).
    """

    text: str
    source: SourceLocation
    unit: str
    tokens: tuple[Token, ...] = ()

    def walk(self) -> Iterator[tuple[Token, Token]]:
        """Every (block token, token) pair, inline children included, in reading order."""
        for block in self.tokens:
            yield block, block
            for child in block.children or ():
                yield block, child

    def headings(self) -> list[Token]:
        return [t for t in self.tokens if t.type == "heading_open"]

    def tables(self) -> list[str]:
        """Ids of the data tables placed in this text, in order."""
        return [t.meta["table"] for t in self.tokens if "table" in t.meta]


# Ids the page templates use themselves (and prefixes of ids that outputs generate);
# a heading whose slug would be one of them gets a suffix instead.
RESERVED_IDS = frozenset({"top", "title", "toc", "toc-title", "colophon", "colophon-title"})
RESERVED_PREFIXES = ("table-", "chart-", "section-", "cite-", "link-", "fn-", "fnref-", "ref-")


@dataclass(frozen=True, slots=True)
class Chapter:
    """One essay chapter: a Markdown file with front matter."""

    slug: str
    title: str
    part: str | None
    body: Body
    words: int
    source: SourceLocation
    language: str | None = None  # front matter `language:`; None: the publication's
    back_matter: bool = False  # the bibliography (core.citations): no number, no reading time

    def minutes(self, settings: Settings) -> int:
        return reading_minutes(self.words, settings.reading_speed)


@dataclass(frozen=True, slots=True)
class Resource:
    """A reading or viewing resource of a course section."""

    title: str
    url: str
    kind: str
    minutes: int | None  # None: not known (printed as such, and counted apart in totals)
    source: SourceLocation

    def is_short(self, settings: Settings) -> bool | None:
        return None if self.minutes is None else self.minutes <= settings.short_max_minutes


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered course section (`8`, `8.1`, …) with its intro and resources."""

    number: str
    title: str
    intro: Body
    resources: tuple[Resource, ...]
    source: SourceLocation

    @property
    def total_minutes(self) -> int:
        """The minutes of the resources whose length is known."""
        return sum(r.minutes or 0 for r in self.resources)

    @property
    def untimed(self) -> int:
        """How many resources have no length."""
        return sum(r.minutes is None for r in self.resources)

    @property
    def slug(self) -> str:
        return section_slug(self.number, self.title)


def section_slug(number: str, title: str) -> str:
    """`08-1-welke-banen-worden-overgenomen`: file names, ids and anchors of a section."""
    head, *rest = number.split(".")
    return "-".join([head.zfill(2), *rest, slugify(title)])


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
    def unit(self) -> str:
        """The page unit of the module (its section intros share one id space)."""
        return module_unit(self.number)

    @property
    def total_minutes(self) -> int:
        return sum(s.total_minutes for s in self.sections)

    @property
    def untimed(self) -> int:
        return sum(s.untimed for s in self.sections)

    @property
    def resources(self) -> tuple[Resource, ...]:
        return tuple(r for s in self.sections for r in s.resources)


def module_unit(number: int) -> str:
    return f"module-{number:02d}"


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
    placeholder: bool = False


@dataclass(frozen=True, slots=True)
class Glyph:
    """The first place a character is written in one file (for the fonts check)."""

    char: str
    where: SourceLocation


@dataclass(frozen=True, slots=True)
class Publication:
    """Everything under `content/`, validated: the one input of every output."""

    root: Path
    meta: Meta
    settings: Settings
    chapters: tuple[Chapter, ...]
    modules: tuple[Module, ...]
    tables: tuple[DataTable, ...]
    theme: Theme
    locale: Locale
    links: tuple[Link, ...] = ()
    glyphs: tuple[Glyph, ...] = ()
    listed: tuple[Listed, ...] = ()  # numbered figures and tables, in reading order (core.xrefs)

    @property
    def labels(self) -> Mapping[str, str]:
        return self.locale.labels

    @property
    def slug(self) -> str:
        return slugify(self.meta.title)

    def table(self, table_id: str) -> DataTable | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def link_number(self, url: str) -> int | None:
        return next((link.number for link in self.links if link.url == url), None)

    def sections(self) -> list[tuple[Module, Section]]:
        return [(module, section) for module in self.modules for section in module.sections]

    def section(self, number: str) -> tuple[Module, Section] | None:
        return next(((m, s) for m, s in self.sections() if s.number == number), None)

    def bodies(self) -> Iterator[Body]:
        for chapter in self.chapters:
            yield chapter.body
        for _, section in self.sections():
            yield section.intro


def reading_minutes(words: int, speed: int) -> int:
    """Minutes to read `words` at `speed` words per minute, rounded up, at least 1."""
    return max(1, math.ceil(words / speed)) if words else 0


def group_parts(items: list, part_of) -> list[tuple[str | None, list]]:
    """Items grouped by consecutive part (`part_of(item)`; None: outside any part)."""
    groups: list[tuple[str | None, list]] = []
    for item in items:
        part = part_of(item)
        if not groups or groups[-1][0] != part:
            groups.append((part, []))
        groups[-1][1].append(item)
    return groups
