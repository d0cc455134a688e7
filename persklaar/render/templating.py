"""Jinja for every output: sandboxed, autoescaped, StrictUndefined, layered.

Templates come from the publication's own `templates/` first, then the default theme's
(core/theme.py). A publication's templates are code someone else wrote: every template
runs in Jinja's `SandboxedEnvironment` and sees plain data only. Content is data passed
*into* templates, never rendered *as* a template, so `{{ 7*7 }}` in a title prints
literally. Markdown HTML is marked safe only after our own renderer produced it.

A template that fails (a syntax error, an unknown name) is reported at its own file and
line, as content is: `check` runs a publication's own templates before any build.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from pathlib import Path

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..core.model import Publication
from ..core.sources import refuse_link_out
from ..errors import ContentError, Diagnostics, SourceLocation


class _Loader(FileSystemLoader):
    """The template layers, first match wins; a publication's template that is a link to a file
    outside the publication (at `root`) is refused before it is read."""

    def __init__(self, dirs: tuple[Path, ...], root: Path) -> None:
        super().__init__([str(d) for d in dirs])
        self.root = root

    def get_source(self, environment, template: str):
        for folder in self.searchpath:
            candidate = Path(folder, *template.split("/"))
            if candidate.is_file() or candidate.is_symlink():
                refuse_link_out(candidate, self.root)
                break
        return super().get_source(environment, template)


@functools.lru_cache(maxsize=8)
def environment(dirs: tuple[Path, ...], root: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=_Loader(dirs, root),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = _number
    env.globals["lang_attrs"] = lang_attrs
    return env


def lang_attrs(language: str | None, xml: bool = False) -> Markup:
    """` lang="ar" dir="rtl"` for a passage in `language` (nothing for None); `xml`: also xml:lang."""
    from ..core.direction import direction

    if not language:
        return Markup("")
    attrs = f' lang="{language}"' + (f' xml:lang="{language}"' if xml else "") + f' dir="{direction(language)}"'
    return Markup(attrs)


@pass_context
def _number(context, value: float) -> str:
    """`{{ words | number }}`: 8.258 in Dutch, 8,258 in English (from the labels)."""
    return context["locale"].number(value)


def render(pub: Publication, template: str, /, **context) -> str:
    """Render `templates/<template>` of the publication's theme with its labels."""
    env = environment(tuple(pub.theme.template_dirs()), pub.theme.root)
    try:
        return env.get_template(template).render(labels=pub.labels, lang=pub.meta.language, locale=pub.locale,
                                                 **context)
    except TemplateError as exc:
        raise ContentError.at(_where(exc, pub, template), f"template: {exc.message or type(exc).__name__}") from None


def _where(exc: TemplateError, pub: Publication, template: str) -> SourceLocation:
    """The template file and line an error comes from (Jinja maps its frames to template lines)."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return SourceLocation(_shown(Path(exc.filename), pub), exc.lineno or 1)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix in (".html", ".xhtml", ".ncx", ".xml") and any(path.is_relative_to(d) for d in
                                                                       pub.theme.template_dirs()):
            return SourceLocation(_shown(path, pub), frame.lineno or 1)
    return SourceLocation(f"templates/{template}")


def _shown(path: Path, pub: Publication) -> str:
    for layer in pub.theme.layers:
        if path.is_relative_to(layer):
            prefix = "" if layer == pub.theme.root else "(theme)/"
            return prefix + path.relative_to(layer).as_posix()
    return path.as_posix()


def dry_run(diags: Diagnostics, make: Callable[[], object]) -> None:
    """Render what `make` renders, keeping only its template errors (for `check`, when a
    publication brings templates of its own: they are code the default theme's tests never ran)."""
    try:
        make()
    except ContentError as exc:
        diags.extend(exc.diagnostics)


def safe(html: str) -> Markup:
    """Mark HTML produced by our own renderers (never by authors) as safe."""
    return Markup(html)
