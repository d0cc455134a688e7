"""Jinja for every output: sandboxed, autoescaped, StrictUndefined, layered.

Templates come from the publication's own `templates/` first, then the default theme's
(core/theme.py). A publication's templates are code someone else wrote: every template
runs in Jinja's `SandboxedEnvironment` and sees plain data only. Content is data passed
*into* templates, never rendered *as* a template, so `{{ 7*7 }}` in a title prints
literally. Markdown HTML is marked safe only after our own renderer produced it.

Templates run in `sandbox.Box`: bounded time, recursion and size. A template that fails
(a syntax error, an unknown name, 1/0, a loop without end, a template that includes itself)
is reported at its own file and line, as content is, with exit 1: `check` runs a
publication's own templates before any build, through this same function.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from markupsafe import Markup

from ..core.model import Publication
from ..core.sources import refuse_link_out
from ..errors import ContentError, Diagnostics, SourceLocation
from . import sandbox
from .sandbox import Box, TemplateTimeout, bounded_output, deadline, seconds

# What a template's own code may raise (1/0, int("x"), a key error…): reported at its line
# when the innermost frame is the template's or Jinja's; anywhere else it is our bug.
_FAULTS = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError)
_JINJA = str(Path(jinja2.__file__).parent)
_BOX = sandbox.__file__


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
def environment(dirs: tuple[Path, ...], root: Path) -> Box:
    env = Box(
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
    limit = seconds()
    try:
        with deadline(limit):
            loaded = env.get_template(template)
            return bounded_output(loaded.generate(labels=pub.labels, lang=pub.meta.language, locale=pub.locale,
                                                  **context))
    except TemplateError as exc:
        raise _failed(exc, pub, template, exc.message or type(exc).__name__) from None
    except TemplateTimeout as exc:
        raise _failed(exc, pub, template, f"still running after {limit:g} s (a loop without end?)") from None
    except RecursionError as exc:
        raise _failed(exc, pub, template, "includes, extends or calls itself without end (recursion too deep)") \
            from None
    except MemoryError as exc:
        if not _from_template(exc, pub):
            raise
        raise _failed(exc, pub, template, "ran out of memory (a value too large for a template?)") from None
    except _FAULTS as exc:
        if not _from_template(exc, pub):
            raise
        raise _failed(exc, pub, template, f"{type(exc).__name__}: {exc}") from None


def _failed(exc: BaseException, pub: Publication, template: str, message: str) -> ContentError:
    return ContentError.at(_where(exc, pub, template), f"template: {message}")


def _from_template(exc: BaseException, pub: Publication) -> bool:
    """Whether `exc` was raised by a template's code (or Jinja's, on its behalf), not by ours."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    path = Path(frames[-1].filename)
    return _is_template(path, pub) or frames[-1].filename.startswith(_JINJA) or frames[-1].filename == _BOX


def _is_template(path: Path, pub: Publication) -> bool:
    return path.suffix in (".html", ".xhtml", ".ncx", ".xml") and any(path.is_relative_to(d) for d in
                                                                       pub.theme.template_dirs())


def _where(exc: BaseException, pub: Publication, template: str) -> SourceLocation:
    """The template file and line an error comes from (Jinja maps its frames to template lines)."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return SourceLocation(_shown(Path(exc.filename), pub), exc.lineno or 1)
    for filename, line in reversed(_frames(exc)):
        path = Path(filename)
        if _is_template(path, pub):
            return SourceLocation(_shown(path, pub), line)
    return SourceLocation(f"templates/{template}")


def _frames(exc: BaseException) -> list[tuple[str, int]]:
    """(file, line) of each frame of `exc`, a template's compiled code mapped to its template's lines
    (Jinja does so itself for an Exception, not for a TemplateTimeout)."""
    out = []
    tb = exc.__traceback__
    while tb is not None:
        compiled = tb.tb_frame.f_globals.get("__jinja_template__")
        if compiled is not None and compiled.filename:
            out.append((compiled.filename, compiled.get_corresponding_lineno(tb.tb_lineno)))
        else:
            out.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno or 1))
        tb = tb.tb_next
    return out


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
