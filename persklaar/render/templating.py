"""One Jinja environment for every output: autoescape on, StrictUndefined.

Content is data passed *into* templates, never rendered *as* a template, so
`{{ 7*7 }}` in a title prints literally. Markdown HTML is marked safe only after
our own renderer produced it (raw HTML is refused earlier).
"""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..core.labels import labels_for
from ..core.text import format_number


@functools.lru_cache(maxsize=4)
def environment(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = format_number
    return env


def render(root: Path, template: str, language: str, **context) -> str:
    """Render `templates/<template>` with the label table of `language`."""
    env = environment(root / "templates")
    return env.get_template(template).render(labels=labels_for(language), lang=language, **context)


def safe(html: str) -> Markup:
    """Mark HTML produced by our own renderers (never by authors) as safe."""
    return Markup(html)
