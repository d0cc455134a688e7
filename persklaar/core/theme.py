"""Where a publication's templates, styles, fonts and labels come from.

Two layers, MkDocs' `custom_dir` and Sphinx's `templates_path`: the publication's own
folder first, then the default theme. A file under the publication's `templates/` or
`styles/` with the same relative path as one of the theme's replaces it; a new file
(`styles/custom.css`, `templates/labels/de.yaml`) is simply found. The default theme is
`persklaar/theme/` in an installed package and the repository's own top-level
`templates/` and `styles/` in a source checkout (one copy: the wheel is assembled from
them, see pyproject.toml).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from .sources import refuse_link_out

THEME_DIRS = ("templates", "styles")
CUSTOM_CSS = "styles/custom.css"
FONTS = "fonts"  # a publication's own font files (theme.fonts in publication.yaml)


@functools.cache
def default_theme() -> Path:
    """The folder holding the default theme's `templates/` and `styles/`."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "theme"
    if (installed / "templates").is_dir():
        return installed
    return package.parent  # a source checkout (or an editable install): the repository


@dataclass(frozen=True, slots=True)
class Theme:
    """The layers a publication's theme files are looked up in, first match wins."""

    root: Path                # the publication's folder (its templates/, styles/, fonts/)
    default: Path             # the default theme's folder

    @classmethod
    def of(cls, root: Path) -> Theme:
        return cls(root.resolve(), default_theme())

    @property
    def layers(self) -> tuple[Path, ...]:
        return (self.root,) if self.root == self.default else (self.root, self.default)

    @property
    def own(self) -> bool:
        """True when the publication brings theme files of its own (templates or styles)."""
        return self.root != self.default and any((self.root / d).is_dir() for d in THEME_DIRS)

    def find(self, rel: str) -> Path | None:
        """The file `rel` (`styles/booklet.css`) from the first layer that has it (a
        publication's file that is a link out of it is a ContentError, not a file)."""
        for layer in self.layers:
            path = layer / rel
            if path.is_file() or path.is_symlink():
                refuse_link_out(path, self.root)
            if path.is_file():
                return path
        return None

    def custom_css(self) -> Path | None:
        path = self.root / CUSTOM_CSS
        refuse_link_out(path, self.root)
        return path if path.is_file() else None

    def template_dirs(self) -> list[Path]:
        return [layer / "templates" for layer in self.layers if (layer / "templates").is_dir()]

    def trusted_dirs(self) -> list[Path]:
        """Every folder a renderer may read a file from (the sandbox's whole world)."""
        dirs = [self.root / "content", self.root / FONTS]
        dirs += [layer / d for layer in self.layers for d in THEME_DIRS]
        return [d.resolve() for d in dirs]
