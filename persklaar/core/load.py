"""Read `content/` into a validated `Publication`, collecting every problem first.

Each file kind has a schema (schema.py); positions come from the YAML node tree and
from markdown-it's token maps, so every message names file:line:col. All problems
of all files are gathered, then reported at once. Markdown is parsed here, once;
then links are numbered and internal references resolved over the whole publication.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from ..errors import ContentError, Diagnostic, Diagnostics, SourceLocation
from . import bibliography, citations, glyphs, labels, links, markdown, refs, schema, xrefs, yamlsrc
from .bodies import read_body
from .frontmatter import MESSAGES, split_front_matter
from .labels import Locale
from .markdown import Scope
from .model import (
    Body,
    Chapter,
    Column,
    DataTable,
    Glyph,
    Meta,
    Module,
    Publication,
    Resource,
    Section,
    Settings,
    module_unit,
    section_slug,
)
from .resolve import Resolver
from .settings import to_settings
from .sources import check_mojibake, links_out, read_text, relpath
from .text import count_words
from .theme import Theme

CHAPTER_NAME = re.compile(r"^\d{2,}-[a-z0-9][a-z0-9-]*\.md$")
MODULE_NAME = re.compile(r"^\d{2,}-[a-z0-9][a-z0-9-]*\.ya?ml$")
DATA_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.ya?ml$")
MAX_FILES = 500
EXAMPLES = {"essay": "01-slug.md", "course": "08-slug.yaml", "data": "slug.yaml"}


class Loader:
    """One pass over a project's `content/`: read, validate, parse, build the model."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.content = self.root / "content"
        self.diags = Diagnostics()
        self.resolver = Resolver(self.root)
        self.theme = Theme.of(self.root)
        self.glyphs: list[Glyph] = []
        self.table_ids: frozenset[str] = frozenset()
        self.positions = yamlsrc.Positions("content/publication.yaml")

    # -- the recipe ------------------------------------------------------------
    def load(self) -> Publication:
        outside = links_out(self.root)  # before any file is read: a link out is never followed
        if outside:
            raise ContentError(outside)
        meta, settings, locale = self.publication()
        table_files = self.files("data", DATA_NAME)
        tables = tuple(t for t in map(self.table, table_files) if t)
        # Every data file counts as known, valid or not: a broken table is reported once,
        # in its own file, not again as "unknown" wherever a chapter places it.
        self.table_ids = frozenset(p.stem for p in table_files)
        chapters = tuple(c for c in map(self.chapter, self.files("essay", CHAPTER_NAME)) if c)
        modules = tuple(m for m in map(self.module, self.files("course", MODULE_NAME)) if m)
        self.check_unique_modules(modules)
        self.diags.raise_if_errors()
        refs.resolve(chapters, modules, self.diags)
        assert settings is not None and locale is not None
        listed = xrefs.resolve(chapters, modules, settings.numbering, locale.labels, self.diags,
                               {t.id: t.title for t in tables}, frozenset(t.id for t in tables if t.chart))
        chapters, modules = self.cite(chapters, modules, settings, locale)
        self.diags.raise_if_errors()
        found = links.collect(chapters, modules)
        self.warn_placeholders(found)
        assert meta and settings and locale
        return Publication(self.root, meta, settings, chapters, modules, tables, self.theme, locale, found,
                           tuple(self.glyphs), tuple(listed))

    def cite(self, chapters: tuple[Chapter, ...], modules: tuple[Module, ...], settings: Settings,
             locale: Locale) -> tuple[tuple[Chapter, ...], tuple[Module, ...]]:
        """Format the citations: the chapters with the bibliography, and the modules (core.citations)."""
        at = self.positions.of(("bibliography",))
        references = style = None
        if settings.bibliography:
            errors = len(self.diags.errors)
            references = bibliography.read(settings.bibliography, at, self.content, self.root, self.diags)
            if len(self.diags.errors) > errors:
                return chapters, modules  # a damaged file: its works are unknown, so no citation is checked
            for name in settings.bibliography:
                path = self.content / name
                if path.is_file() and path.suffix != ".json":
                    self.glyphs += glyphs.in_text(path.read_text("utf-8", "replace"), self.shown(path))
            style = bibliography.style(settings.csl, locale.language, self.positions.of(("csl",)), self.content,
                                       self.root, self.diags)
        return citations.resolve(chapters, modules, references, style, at, locale.labels["bibliography"],
                                 self.diags, settings.bibliography_placement)

    # -- files -------------------------------------------------------------------
    def files(self, folder: str, pattern: re.Pattern[str]) -> list[Path]:
        directory = self.content / folder
        if not directory.is_dir():
            return []
        found = []
        for path in sorted(directory.iterdir()):
            if path.name.startswith(".") or path.name.endswith("~") or path.suffix not in (".md", ".yaml", ".yml"):
                continue  # editor temp files and other kinds of file are not content
            if not pattern.match(path.name):
                self.diags.error(SourceLocation(self.shown(path)), f"file name must look like {EXAMPLES[folder]}")
                continue
            found.append(path)
        if len(found) > MAX_FILES:
            self.diags.error(SourceLocation(self.shown(directory)), f"more than {MAX_FILES} files")
            return []
        return found

    def shown(self, path: Path) -> str:
        return relpath(path, self.root)

    def read(self, path: Path) -> str | None:
        try:
            text = read_text(path, self.root, base=self.content)
        except ContentError as exc:
            self.diags.extend(exc.diagnostics)
            return None
        check_mojibake(text, self.shown(path), self.diags)
        return text

    def yaml(self, path: Path, text: str | None, offset: int = 0) -> tuple[Any, yamlsrc.Positions] | None:
        if text is None:
            return None
        try:
            loaded = yamlsrc.load(text, self.shown(path), offset)
        except ContentError as exc:
            self.diags.extend(exc.diagnostics)
            return None
        self.glyphs += glyphs.in_yaml(text, self.shown(path), offset)
        return loaded

    def markdown(self, text: str, where: SourceLocation, scope: Scope,
                 title_wanted: bool = False) -> tuple[Body, str | None]:
        return read_body(text, where, scope, self.diags, title_wanted)

    def scope(self, where: SourceLocation, unit: str, parent: int, taken: set[str]) -> Scope:
        """What a text in the file at `where` may refer to (its images are relative to its folder)."""
        folder = where.path.rsplit("/", 1)[0] if "/" in where.path else "content"
        return Scope(unit, parent, taken, self.table_ids, lambda src: self.resolver.image(src, folder))

    # -- publication.yaml --------------------------------------------------------
    def publication(self) -> tuple[Meta | None, Settings | None, Locale | None]:
        path = self.content / "publication.yaml"
        if not path.exists():
            self.diags.error(SourceLocation(self.shown(path)), "missing: every project needs content/publication.yaml")
            return None, None, None
        loaded = self.yaml(path, self.read(path))
        data = schema.validate(schema.PublicationFile, loaded[0], loaded[1], self.diags) if loaded else None
        if loaded is None or data is None:
            return None, None, None
        pos = self.positions = loaded[1]
        meta = Meta(data.title, data.subtitle, tuple(data.authors), data.language, data.date,
                    data.identifier, data.licence, data.edition, data.description, tuple(data.keywords))
        locale = labels.load_locale(self.theme, data.language, self.own_labels(data.labels, pos),
                                    pos.of(("language",)), self.diags)
        return meta, to_settings(data, pos, self.resolver, self.diags), locale

    def own_labels(self, given: dict[str, str], pos: yamlsrc.Positions) -> dict[str, str]:
        """`labels:` of publication.yaml: only keys the theme knows (a typo would print nothing)."""
        known = labels.keys(self.theme)
        for key in given:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f" (the keys are in {labels.LABELS_DIR}/en.yaml)"
                self.diags.error(pos.of(("labels", key), key=True), f"unknown label {key!r}{hint}")
        return {k: v for k, v in given.items() if k in known}

    # -- essay chapters ------------------------------------------------------------
    def chapter(self, path: Path) -> Chapter | None:
        text = self.read(path)
        if text is None:
            return None
        split = split_front_matter(text)
        if split.problem in ("toml", "unclosed"):
            self.diags.error(SourceLocation(self.shown(path)), MESSAGES[split.problem])
            return None
        data: schema.ChapterFrontMatter | None = schema.ChapterFrontMatter()
        if not split.problem:  # without front matter, a leading `# Title` is the title
            loaded = self.yaml(path, split.front, offset=1)
            data = schema.validate(schema.ChapterFrontMatter, loaded[0], loaded[1], self.diags) if loaded else None
        errors = len(self.diags.errors)
        slug = path.stem  # unique by file name (NN-slug), used for ids and file names
        where = SourceLocation(self.shown(path), split.body_line, 1)
        body, heading = self.markdown(split.body, where, self.scope(where, slug, 1, set()),
                                      title_wanted=data is not None)
        self.glyphs += glyphs.in_text(split.body, where.path, where.line)
        title = (data.title if data else None) or heading
        if data is not None and data.title and heading and heading.strip() != data.title.strip():
            self.diags.warn(where, f"the title is given twice: {data.title!r} in the front matter and "
                            f"'# {heading}' on the first line; the front matter's is printed, once")
        if data is not None and not title:
            self.diags.error(SourceLocation(self.shown(path)), "a chapter needs a title: `title:` in its front "
                             "matter (between `---` lines), or a first line `# Title`")
        if data is None or not title or len(self.diags.errors) > errors:
            return None
        words = count_words(title) + count_words(markdown.plain_text(body))
        return Chapter(slug, title, data.part, body, words, SourceLocation(self.shown(path), 1, 1), data.language)

    # -- course modules ------------------------------------------------------------
    def module(self, path: Path) -> Module | None:
        loaded = self.yaml(path, self.read(path))
        if not loaded:
            return None
        data = schema.validate(schema.ModuleFile, loaded[0], loaded[1], self.diags)
        if data is None:
            return None
        pos = loaded[1]
        self.check_sections(data, pos)
        taken = {f"section-{section_slug(s.number, s.title)}{end}" for s in data.sections for end in ("", "-title")}
        scope = self.scope(pos.of(()), module_unit(data.number), 2, taken)  # the sections share one page
        sections = tuple(self.section(i, s, pos, scope) for i, s in enumerate(data.sections))
        return Module(data.number, data.title, data.icon, data.summary, data.date, tuple(data.authors),
                      tuple(data.tags), sections, pos.of(()))

    def section(self, index: int, data, pos: yamlsrc.Positions, scope: Scope) -> Section:
        path = ("sections", index)
        intro_at = pos.of((*path, "intro"))
        # A block scalar (`intro: |`) starts on the line after its key.
        intro_line = intro_at.line + 1 if pos.of((*path, "intro"), key=True).line == intro_at.line else intro_at.line
        where = SourceLocation(intro_at.path, intro_line, 1)
        intro, _ = self.markdown(data.intro, where, scope)
        resources = tuple(self.resource(r, pos, (*path, "resources", j)) for j, r in enumerate(data.resources))
        return Section(data.number, data.title, intro, resources, pos.of(path))

    def resource(self, data, pos: yamlsrc.Positions, path: tuple) -> Resource:
        problem = markdown.url_problem(data.url, ("http", "https"))
        if problem:
            self.diags.error(pos.of((*path, "url")), f"resource URL {data.url[:60]!r} {problem}")
        return Resource(data.title, data.url, data.kind, data.minutes, pos.of(path))

    def check_sections(self, data, pos: yamlsrc.Positions) -> None:
        seen: dict[str, int] = {}
        for i, section in enumerate(data.sections):
            where = pos.of(("sections", i, "number"))
            if section.number.split(".")[0] != str(data.number):
                self.diags.error(where, f"section {section.number} does not belong to module {data.number}")
            if section.number in seen:
                first = seen[section.number]
                self.diags.error(where, f"section {section.number} appears twice (first at line {first})")
            seen.setdefault(section.number, where.line)

    def check_unique_modules(self, modules: tuple[Module, ...]) -> None:
        seen: dict[int, Module] = {}
        for module in modules:
            if module.number in seen:
                other = seen[module.number].source.path
                self.diags.error(module.source, f"module {module.number} is also defined in {other}")
            seen.setdefault(module.number, module)

    # -- data tables -----------------------------------------------------------------
    def table(self, path: Path) -> DataTable | None:
        loaded = self.yaml(path, self.read(path))
        if not loaded:
            return None
        data = schema.validate(schema.DataTableFile, loaded[0], loaded[1], self.diags)
        if data is None:
            return None
        pos = loaded[1]
        columns = tuple(Column(c.key, c.label, c.type, c.unit) for c in data.columns)
        rows = tuple(self.table_row(columns, row, pos, ("rows", i)) for i, row in enumerate(data.rows))
        self.check_chart(data.chart, columns, pos)
        return DataTable(path.stem, data.title, data.caption, data.source, columns, rows,
                         tuple(data.chart), pos.of(()))

    def table_row(self, columns: tuple[Column, ...], row: dict, pos, path: tuple) -> tuple:
        keys = {c.key for c in columns}
        for key in row:
            if key not in keys:
                known = ", ".join(sorted(keys))
                self.diags.error(pos.of((*path, key), key=True), f"unknown column {key!r} (columns: {known})")
        return tuple(self.cell(c, row.get(c.key), pos.of((*path, c.key))) for c in columns)

    def cell(self, column: Column, value: str | None, where: SourceLocation) -> str | float | None:
        if value is None or column.type == "text":
            return value
        try:
            return float(value)
        except ValueError:
            self.diags.error(where, f"column {column.key!r} holds numbers; got {value!r} (use 72.3, not 72,3)")
            return None

    def check_chart(self, chart: list[str], columns: tuple[Column, ...], pos) -> None:
        numeric = {c.key for c in columns if c.type == "number"}
        for i, key in enumerate(chart):
            if key not in numeric:
                self.diags.error(pos.of(("chart", i)), f"chart column {key!r} is not a number column")

    # -- warnings ------------------------------------------------------------------
    def warn_placeholders(self, found) -> None:
        for link in found:
            if link.placeholder:
                self.diags.warn(link.sources[0], f"placeholder URL {link.url} (example.com/.org/.net): "
                                                 "replace it before publishing")


def load(root: Path, strict: bool = False) -> tuple[Publication, list[Diagnostic]]:
    """The validated publication and its warnings; raises ContentError with every error
    (with `strict`, the warnings too)."""
    loader = Loader(root)
    publication = loader.load()
    loader.diags.raise_if_errors(strict)
    return publication, loader.diags.warnings
