"""The check of a publication's own stylesheets, read as WeasyPrint will read them.

WeasyPrint drops CSS it cannot use with a log line, and a PDF build fails on any such
line (`render.pdf.surfaced_warnings`); `check` reads the publication's own CSS (its
`styles/*.css`, `custom.css` and the CSS made from publication.yaml) the same way first
and reports each problem at its line and column, with every `@font-face` file that is not
there. The default theme's stylesheets are checked by persklaar's own tests.

A stylesheet's verdict is kept in the cache (`render.cache`) by its text and WeasyPrint's
version: a stylesheet that did not change is not read again, and no WeasyPrint is imported.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote

from ..core.model import Publication
from ..errors import Diagnostics, SourceLocation
from . import cache
from .styles import Stylesheet

_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_AT = re.compile(r",? at (\d+):(\d+)[,:.]?")


def check_stylesheets(pub: Publication, sheets: list[Stylesheet], diags: Diagnostics) -> None:
    """Report what WeasyPrint would refuse in the publication's own stylesheets among `sheets`."""
    for sheet in sheets:
        if not _own(pub, sheet):
            continue
        key = cache.key_of("css-check-3", metadata.version("weasyprint"), sheet.text, str(sheet.base))
        found = json.loads(cache.cached(pub.root, "css", key, functools.partial(_verdict, pub.root, sheet)))
        found = sorted({tuple(f) for f in found} | set(_missing_fonts(pub.root, sheet)))  # files come and go: uncached
        path = "content/publication.yaml" if sheet.path is None else sheet.name
        for line, col, message in found:
            diags.error(SourceLocation(path, line, col), message)


def _verdict(root: Path, sheet: Stylesheet) -> bytes:
    return json.dumps(_problems(root, sheet)).encode()


def _own(pub: Publication, sheet: Stylesheet) -> bool:
    """A stylesheet of the publication (or made from its settings), not of the theme."""
    return sheet.path is None or sheet.path.resolve().is_relative_to(pub.root.resolve())


def _problems(root: Path, sheet: Stylesheet) -> list[tuple[int, int, str]]:
    """(line, col, message) of every warning WeasyPrint logs reading `sheet` (a verdict on
    its text alone, so it is cached by the text)."""
    import tinycss2

    base = sheet.base.as_uri() + "/"
    crashed: list[tuple[int, int, str]] = []
    with _collected() as messages:
        try:
            _read(sheet.text, base, root, messages)
        except Exception:  # WeasyPrint's parser fails on some broken values (`calc(1em + )`):
            messages.clear()  # read rule by rule, each at its place, to find which
            for rule in tinycss2.parse_stylesheet(sheet.text, skip_whitespace=True, skip_comments=True):
                alone = "\n" * (rule.source_line - 1) + " " * (rule.source_column - 1) + tinycss2.serialize([rule])
                try:
                    _read(alone, base, root, messages)
                except Exception as exc:
                    heard = len(messages)
                    crashed.append(_crash(rule, base, root, messages, exc))
                    del messages[heard:]  # what the declarations said alone is said above, in place
    found = [_located(text, sheet) for text in dict.fromkeys(messages)]
    return sorted(set(found + crashed))


def _crash(rule, base: str, root: Path, messages: list[str], exc: Exception) -> tuple[int, int, str]:
    """Where a rule WeasyPrint cannot read fails: its first declaration that fails alone, or
    the rule itself."""
    import tinycss2

    reason = f"({type(exc).__name__}{': ' if str(exc) else ''}{exc})"
    if rule.type == "qualified-rule":
        for decl in tinycss2.parse_declaration_list(rule.content, skip_whitespace=True, skip_comments=True):
            if decl.type == "declaration":
                try:
                    _read(f"{tinycss2.serialize(rule.prelude)}{{{tinycss2.serialize([decl])}}}", base, root, messages)
                except Exception:
                    return decl.source_line, decl.source_column, f"WeasyPrint cannot read this declaration {reason}"
    return rule.source_line, rule.source_column, f"WeasyPrint cannot read this rule {reason}"


def _read(text: str, base: str, root: Path, messages: list[str]) -> None:
    """WeasyPrint reads `text` with the builds' own fetcher (an @import of a file outside the
    publication is refused, and noted)."""
    from weasyprint import CSS
    from weasyprint.urls import FatalURLFetchingError

    from .pdf import fetcher

    try:
        CSS(string=text, base_url=base, url_fetcher=fetcher(root))
    except FatalURLFetchingError as exc:
        messages.append(str(exc))


def _imports(sheet: Stylesheet) -> list[tuple[int, int, Path]]:
    """(line, col, file) of each `@import` of the stylesheet."""
    import tinycss2

    found = []
    for rule in tinycss2.parse_stylesheet(sheet.text, skip_whitespace=True, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "import":
            continue
        for token in rule.prelude:
            if token.type == "function" and token.lower_name == "url":
                token = next((a for a in token.arguments if a.type == "string"), None)
            if token is not None and token.type in ("url", "string"):
                found.append((rule.source_line, rule.source_column, (sheet.base / unquote(token.value)).resolve()))
                break
    return found


@contextmanager
def _collected():
    """The messages WeasyPrint logs as warnings meanwhile (not the harmless ones)."""
    from .pdf import HARMLESS

    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = record.getMessage()
            if record.levelno >= logging.WARNING and not text.startswith(HARMLESS):
                messages.append(text)

    handler = Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    previous, logger.propagate = logger.propagate, False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def _located(text: str, sheet: Stylesheet) -> tuple[int, int, str]:
    """The message's position ("at 12:5", the @import of the file it names, or where the text
    it quotes is in the stylesheet) and words."""
    css = sheet.text
    at = _AT.search(text)
    imported = next(((line, col) for line, col, path in _imports(sheet) if f"{path}:" in text), None)
    if at is None and imported is not None:
        return *imported, f"WeasyPrint cannot use this CSS: {text}"
    if at is None:
        quoted = re.search(r"'([^']{3,})'", text)
        offset = css.find(quoted.group(1).strip()) if quoted else -1
        line, col = (css.count("\n", 0, offset) + 1, offset - css.rfind("\n", 0, offset)) if offset >= 0 else (1, 1)
        return line, col, f"WeasyPrint cannot use this CSS: {text}"
    head, tail = text[: at.start()].strip(), text[at.end():].strip().rstrip(".")
    message = f"{head}: {tail}" if tail else head
    return int(at.group(1)), int(at.group(2)), f"WeasyPrint cannot use this CSS: {message}"


def _missing_fonts(root: Path, sheet: Stylesheet) -> list[tuple[int, int, str]]:
    import tinycss2

    from ..core.settings import font_format_problem
    from .fonts import css_urls

    found = []
    for rule in tinycss2.parse_stylesheet(sheet.text, skip_whitespace=True, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or rule.content is None:
            continue
        for decl in tinycss2.parse_declaration_list(rule.content):
            if decl.type != "declaration" or decl.lower_name != "src":
                continue
            for url in css_urls(decl.value):
                if url.startswith("data:"):
                    continue
                path = (sheet.base / unquote(url)).resolve()
                problem = font_format_problem(path.name)
                at = (decl.source_line, decl.source_column)
                if _SCHEME.match(url):
                    found.append((*at, f"font file {url!r} is a URL: a build reaches no network and reads no file "
                                       "outside the publication; put the font in fonts/ and write url(../fonts/NAME)"))
                elif not path.is_relative_to(root.resolve()):
                    found.append((*at, f"font file {url!r} is outside the publication: copy it into fonts/ "
                                       "and write url(../fonts/NAME)"))
                elif problem:
                    found.append((decl.source_line, decl.source_column, f"font file {url!r} {problem}"))
                elif not path.is_file():
                    found.append((decl.source_line, decl.source_column,
                                  f"font file {url!r} not found (a path relative to {_shown(sheet.base)})"))
    return found


def _shown(base: Path) -> str:
    return base.name + "/"
