"""The stylesheets an output is laid out with, in cascade order.

1. the theme's files the output names (`tokens.css`, `fonts.css`, `booklet.css`; a file
   of the same name in the publication's `styles/` replaces the theme's);
2. CSS made from publication.yaml (page size, `theme.accent`, `theme.fonts`), only what
   differs from the defaults;
3. the publication's `styles/custom.css`, if it has one, last, so it wins.

Everything is restyled through the custom properties (tokens) of `tokens.css`
(docs/theming.md lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.model import A5, FontRole, PageSize, Publication
from ..errors import BuildError

# theme.fonts role → the custom property it sets, and the theme's stack (tokens.css) behind it
ROLE_PROPERTIES = {
    "body": ("--font-text", "var(--font-serif)"),
    "headings": ("--font-headings", "var(--font-sans)"),
    "mono": ("--font-mono", "var(--font-code)"),
}


@dataclass(frozen=True, slots=True)
class Stylesheet:
    """CSS text and the folder its relative `url()`s resolve in; `path` when it is a file."""

    name: str
    text: str
    base: Path
    path: Path | None = None


def of_file(path: Path, name: str) -> Stylesheet:
    return Stylesheet(name, path.read_text("utf-8"), path.parent, path)


def stylesheets(pub: Publication, names: tuple[str, ...], page: PageSize | None = None,
                page_rules: bool = True) -> list[Stylesheet]:
    """The output's stylesheets: theme files `names`, the settings' CSS, then custom.css.

    `page`: the page size to set (None: the stylesheets' own); `page_rules=False` for an
    output without pages (the EPUB): the reader's fonts and colours win there, so it
    takes no settings, only custom.css.
    """
    sheets = []
    for name in names:
        path = pub.theme.find(f"styles/{name}")
        if path is None:
            raise BuildError(f"styles/{name} is in neither the publication nor the theme")
        sheets.append(of_file(path, f"styles/{name}"))
    css = settings_css(pub, page) if page_rules else ""
    if css:
        sheets.append(Stylesheet("publication.yaml", css, pub.root))
    custom = pub.theme.custom_css()
    if custom is not None:
        sheets.append(of_file(custom, "styles/custom.css"))
    return sheets


def settings_css(pub: Publication, page: PageSize | None) -> str:
    """CSS for what publication.yaml changes; empty when it changes nothing."""
    rules = []
    props = []
    if page is not None and page != A5:
        rules.append(f"@page {{ size: {page.css}; }}")
        props.append(f"--cover-height: {page.height - 40:g}mm;")  # the page's height less its margins
    if pub.settings.accent:
        props.append(f"--accent: {pub.settings.accent};")
    for role in pub.settings.fonts:
        rules += _faces(role)
        if role.role in ROLE_PROPERTIES:
            prop, fallback = ROLE_PROPERTIES[role.role]
            props.append(f'{prop}: "{role.family}", {fallback};')
    added = [f'"{role.family}"' for role in pub.settings.fonts if role.role.startswith("script-")]
    if added:  # before the shipped script fonts in every stack (tokens.css: --font-scripts)
        props.append(f"--font-own-scripts: {', '.join(added)};")
    if props:
        rules.append(":root { " + " ".join(props) + " }")
    return "\n".join(rules) + ("\n" if rules else "")


def _faces(role: FontRole) -> list[str]:
    return [f'@font-face {{ font-family: "{role.family}"; src: url("{face.path}"); '
            f"font-style: {face.style}; font-weight: {face.weight}; }}" for face in role.faces]
