"""The settings of publication.yaml beyond its metadata: page size, theme, cover, chapters.

    page:     {size: A5}                  A5 (default), A4, B5, letter, or "WIDTH HEIGHT" in mm
    theme:    {accent: "#2f5d8a", fonts: {body: …, headings: …, mono: …}}
    cover:    {image: img/cover.jpg, alt: "…", kicker: "…"}
    chapters: {numbered: true, numbering: chapter}   (or book: figures 1, 2, 3 … through the book)
    bibliography: references.bib           BibTeX or CSL JSON/YAML under content/ (core.bibliography)
    csl:      chicago-author-date         the citation style (APA when not given)
    bibliography_placement: chapters      the cited works under each chapter and course section
                                          (end: one bibliography last, the default; both)
    lof: true, lot: true                  lists of figures and of tables after the contents
    labels:   {contents: Inhoudsopgave}   words of the theme's label file, changed

Each is validated here (pydantic); `docs/settings.md` is the reference.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ..errors import Diagnostics
from .model import Cover, FontFace, FontRole, PageSize, Settings
from .resolve import Resolver
from .standards import DEFAULT as DEFAULT_PDF_STANDARD
from .standards import PdfStandard
from .yamlsrc import Positions

# name → (width, height) in mm; the imposed version puts two pages on the sheet named second
PAGE_SIZES = {"A5": (148.0, 210.0), "A4": (210.0, 297.0), "B5": (176.0, 250.0), "letter": (215.9, 279.4)}
SHEETS = {"A5": ("A4", 297.0, 210.0), "A4": ("A3", 420.0, 297.0), "B5": ("B4", 353.0, 250.0),
          "letter": ("tabloid", 431.8, 279.4)}
_CUSTOM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*[x× ]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*$")
SHIPPED_FAMILIES = ("Source Serif 4", "Source Sans 3", "Source Code Pro")
FONT_ROLES = ("body", "headings", "mono")
FONT_FILE = re.compile(r"^fonts/[^/]+\.(ttf|otf|woff2?)$", re.IGNORECASE)
FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")


def font_format_problem(name: str) -> str | None:
    """Why a font file of this name cannot go into every output (None if it can): a
    collection holds several faces in one file, which e-readers and EPUB do not take."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in (".ttc", ".otc"):
        return ("is a font collection (several faces in one file), which EPUB and e-readers cannot use: save the "
                f"face you want as its own file, e.g. fonttools ttLib -y 0 -o {name[: -len(suffix)]}.ttf {name} "
                "(-y 1 for the second face, and so on)")
    if suffix not in FONT_SUFFIXES:
        return "is not a font format every output can use: give a .ttf, .otf, .woff or .woff2 file"
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def page_size(text: str) -> PageSize:
    """`A5`, `a4`, `Letter` or `"170 240"` (mm); raises ValueError naming the choices."""
    named = {k.lower(): k for k in PAGE_SIZES}
    if text.strip().lower() in named:
        name = named[text.strip().lower()]
        width, height = PAGE_SIZES[name]
        return PageSize(name, width, height, *SHEETS[name])
    match = _CUSTOM.match(text)
    if not match:
        raise ValueError(f"expected A5, A4, B5, letter or \"WIDTH HEIGHT\" in mm (such as \"170 240\"), got {text!r}")
    width, height = float(match.group(1)), float(match.group(2))
    if not (50 <= width <= 500 and 50 <= height <= 500):
        raise ValueError(f"a page of {width:g} × {height:g} mm is outside 50–500 mm")
    return PageSize(f"{width:g} × {height:g} mm", width, height, f"{2 * width:g} × {height:g} mm", 2 * width, height)


class PageFile(_Strict):
    size: str = "A5"

    @field_validator("size")
    @classmethod
    def _size(cls, value: str) -> str:
        page_size(value)
        return value


class FontFiles(_Strict):
    """The files of one font family: `fonts/…` paths in the publication."""

    regular: str
    italic: str | None = None
    bold: str | None = None
    bold_italic: str | None = None

    @field_validator("regular", "italic", "bold", "bold_italic")
    @classmethod
    def _file(cls, value: str | None) -> str | None:
        if value is not None and not FONT_FILE.match(value):
            raise ValueError(f"{value!r} {font_format_problem(value)}" if font_format_problem(value) else
                             f"expected a font file under fonts/ (.ttf, .otf, .woff or .woff2), got {value!r}")
        return value


FontChoice = str | FontFiles


class FontsFile(_Strict):
    body: FontChoice | None = None
    headings: FontChoice | None = None
    mono: FontChoice | None = None
    # fonts for scripts the body font lacks (`fonts/NotoSansTamil.ttf`): fallbacks behind
    # every role's font, before the shipped ones; they replace no font
    scripts: tuple[FontChoice, ...] = ()

    @field_validator("scripts")
    @classmethod
    def _files(cls, value: tuple[FontChoice, ...]) -> tuple[FontChoice, ...]:
        for choice in value:
            if isinstance(choice, str) and not FONT_FILE.match(choice):
                raise ValueError(f"{choice!r} {font_format_problem(choice)}" if choice.startswith("fonts/") and
                                 font_format_problem(choice) else f"expected a font file under fonts/, got {choice!r}")
        return value

    @field_validator("body", "headings", "mono")
    @classmethod
    def _choice(cls, value: FontChoice | None) -> FontChoice | None:
        if isinstance(value, str) and value not in SHIPPED_FAMILIES and not FONT_FILE.match(value):
            if value.startswith("fonts/") and font_format_problem(value):
                raise ValueError(f"{value!r} {font_format_problem(value)}")
            raise ValueError(f"expected a shipped font ({', '.join(SHIPPED_FAMILIES)}) or a font file "
                             f"under fonts/, got {value!r}")
        return value


class ThemeFile(_Strict):
    accent: str | None = None
    fonts: FontsFile = FontsFile()

    @field_validator("accent")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None and colour(value) is None:
            raise ValueError(f"expected a CSS colour such as \"#2f5d8a\" or \"darkred\", got {value!r}")
        return value


class CoverFile(_Strict):
    image: str | None = None
    alt: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    kicker: str = ""


class ChaptersFile(_Strict):
    numbered: bool = True
    # figures, tables and formulas: "3.2" per chapter, or 1, 2, 3 … through the book
    numbering: Literal["chapter", "book"] = "chapter"


class SettingsFile(_Strict):
    """The settings part of publication.yaml (mixed into its schema)."""

    reading_speed: int = Field(220, ge=60, le=1000, description="words per minute")
    short_max_minutes: int = Field(10, ge=1, le=600)
    page: PageFile = PageFile()
    theme: ThemeFile = ThemeFile()
    cover: CoverFile = CoverFile()
    chapters: ChaptersFile = ChaptersFile()
    labels: dict[str, str] = {}
    pdf_standard: PdfStandard = DEFAULT_PDF_STANDARD
    lof: bool = False
    lot: bool = False
    bibliography: Annotated[str, StringConstraints(min_length=1)] | list[Annotated[str, StringConstraints(
        min_length=1)]] = []
    csl: Annotated[str, StringConstraints(min_length=1)] | None = None
    bibliography_placement: Literal["end", "chapters", "both"] = "end"


def colour(text: str) -> tuple[float, float, float] | None:
    """(r, g, b) in 0..1 of a CSS colour, or None when it is not one."""
    import tinycss2.color3

    parsed = tinycss2.color3.parse_color(text)
    if parsed is None or isinstance(parsed, str):  # None, or 'currentColor'
        return None
    return (parsed.red, parsed.green, parsed.blue)


def contrast_on_white(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of a colour against white (4.5 is the floor for small text)."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


# ---------------------------------------------------------------- into the model

ROLE_FAMILIES = {"body": "Publication Body", "headings": "Publication Headings", "mono": "Publication Mono"}
FACES = (("regular", "normal", 400), ("italic", "italic", 400), ("bold", "normal", 700),
         ("bold_italic", "italic", 700))


def to_settings(data: SettingsFile, pos: Positions, resolver: Resolver, diags: Diagnostics) -> Settings:
    """The model's Settings from a validated publication.yaml, checking the files it names."""
    accent = data.theme.accent
    rgb = colour(accent) if accent else None
    if rgb is not None and contrast_on_white(rgb) < 4.5:
        diags.warn(pos.of(("theme", "accent")), f"theme.accent {accent!r} has a contrast of "
                   f"{contrast_on_white(rgb):.1f}:1 on white; headings and links need 4.5:1 to be read easily")
    fonts = tuple(_role(role, getattr(data.theme.fonts, role), pos, resolver, diags)
                  for role in FONT_ROLES if getattr(data.theme.fonts, role) is not None)
    fonts += tuple(_role(f"script-{n}", choice, pos, resolver, diags, ("theme", "fonts", "scripts", n - 1))
                   for n, choice in enumerate(data.theme.fonts.scripts, start=1))
    return Settings(data.reading_speed, data.short_max_minutes, page_size(data.page.size), accent, fonts,
                    _cover(data.cover, pos, resolver, diags), data.chapters.numbered, data.pdf_standard,
                    data.chapters.numbering, data.lof, data.lot, _files(data.bibliography), data.csl,
                    data.bibliography_placement)


def _files(given: str | list[str]) -> tuple[str, ...]:
    return (given,) if isinstance(given, str) else tuple(given)


def _role(role: str, choice: FontChoice, pos: Positions, resolver: Resolver, diags: Diagnostics,
          key: tuple[str | int, ...] | None = None) -> FontRole:
    if isinstance(choice, str) and choice in SHIPPED_FAMILIES:
        return FontRole(role, choice)
    files = {"regular": choice} if isinstance(choice, str) else choice.model_dump(exclude_none=True)
    key = key or ("theme", "fonts", role)
    faces = []
    for name, style, weight in FACES:
        if name in files:
            where = pos.of(key if isinstance(choice, str) else (*key, name))
            problem = resolver.font(files[name])
            if problem:
                diags.error(where, f"font {files[name]!r} {problem}")
            faces.append(FontFace(files[name], style, weight))
    family = ROLE_FAMILIES.get(role) or f"Publication Script {role.removeprefix('script-')}"
    return FontRole(role, family, tuple(faces))


def _cover(data: CoverFile, pos: Positions, resolver: Resolver, diags: Diagnostics) -> Cover:
    if data.image is None:
        return Cover(None, data.alt or "", data.kicker)
    found = resolver.image(data.image, "content")
    if isinstance(found, str):
        diags.error(pos.of(("cover", "image")), f"cover image {data.image!r} {found} (write it relative to content/)")
    if not data.alt:
        diags.error(pos.of(("cover",)), "cover.alt is missing: say in words what the cover image shows")
    return Cover(None if isinstance(found, str) else found, data.alt or "", data.kicker)
