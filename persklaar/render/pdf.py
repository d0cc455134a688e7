"""WeasyPrint, boxed in: one URL fetcher for everything, warnings surfaced, tagged PDF
made to a standard (PDF/UA-1, PDF/A: `render.standards`).

WeasyPrint's default fetcher reads any file or URL into the PDF; ours serves only
regular files under the publication's `content/`, `templates/`, `styles/` and `fonts/`
and the default theme's `templates/` and `styles/` (and `data:` URLs, which read
nothing), and stops the render on anything else. WeasyPrint drops bad CSS with a log
line only, so every warning it logs fails the build.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..core.theme import Theme
from ..errors import BuildError
from . import cache, images, standards
from .styles import Stylesheet


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Scaled(URLFetcherResponse):
        """A photo scaled down (`render.images`): WeasyPrint must embed these bytes, not
        reread the file at `path` as it does for a local JPEG."""

        path = None

    class ProjectFetcher(URLFetcher):
        """Serves files of the publication and its theme (Theme.trusted_dirs); refuses the rest."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)
            self.root = root
            self.bases = Theme.of(root).trusted_dirs()
            self.fetched: dict[str, str] = {}  # every file read so far → its SHA-256
            self.fatal = FatalURLFetchingError

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise self.refused(f"refused to fetch {url[:80]!r}: builds never use the network")
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(b) for b in self.bases) or not path.is_file():
                raise self.refused(f"refused to read {path}: only files under content/, templates/, styles/ "
                                   "and fonts/ (and the theme's) may be used")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            data = path.read_bytes()
            self.fetched[str(path)] = hashlib.sha256(data).hexdigest()
            if data[:4] == b"wOF2":
                data, kind = decoded_woff2(self.root, data), "font/ttf"
            elif kind.startswith("image/") and path.is_relative_to(self.root.resolve() / "content"):
                small = images.scaled(self.root, data, kind, images.PRINT_PX)
                if small is not data:
                    return Scaled(path.as_uri(), small, {"Content-Type": kind})
            return URLFetcherResponse(path.as_uri(), data, {"Content-Type": kind})

        def refused(self, message: str) -> BaseException:
            # Logged as well as raised: WeasyPrint's SVG code swallows every exception,
            # even this fatal one, and logs only "Failed to render SVG image"; the
            # warning keeps the reason in the BuildError that surfaced_warnings raises.
            logging.getLogger("weasyprint").warning(message)
            return self.fatal(message)

    return ProjectFetcher


def fetcher(root: Path):
    """WeasyPrint's URL fetcher for the publication at `root` (see the module's docstring)."""
    return _fetcher_class()(root)


def decoded_woff2(root: Path, data: bytes) -> bytes:
    """A WOFF2 font as the TrueType/OpenType font WeasyPrint would decode it to, from the
    cache (`render.cache`) after the first time.

    WeasyPrint decodes every @font-face font when it reads the CSS, and fontTools
    rebuilds WOFF2 glyph tables in pure Python: for the default theme's 75 fonts that was
    about 7 s of every PDF job. The bytes are those of WeasyPrint's own decoding
    (fontTools' `woff2.decompress`, which keeps the font's timestamps), so the PDFs are too.
    """
    import io

    import fontTools
    from fontTools.ttLib import woff2

    def decode() -> bytes:
        out = io.BytesIO()
        woff2.decompress(io.BytesIO(data), out)
        return out.getvalue()

    return cache.cached(root, "fonts", cache.key_of(data, fontTools.version), decode)


# Warnings that say nothing about the document: without the system's HarfBuzz-Subset
# library WeasyPrint subsets fonts with fontTools, which embeds them just as well.
HARMLESS = ("Using fontTools instead of HarfBuzz-Subset",)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(HARMLESS):
            self.messages.append(message)


@contextmanager
def surfaced_warnings(what: str):
    """Turn WeasyPrint's logged warnings (dropped CSS, missing fonts) into a BuildError.

    A refused fetch, too: FatalURLFetchingError is a BaseException, which would slip
    past every `except Exception` (the worker pool's included) as a traceback.
    """
    from weasyprint.urls import FatalURLFetchingError

    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False
    try:
        yield
    except FatalURLFetchingError as exc:
        raise BuildError(f"{what}: {exc}") from None
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
    if handler.messages:
        listed = "\n  ".join(dict.fromkeys(handler.messages))
        raise BuildError(f"{what}: WeasyPrint reported problems:\n  {listed}")


def _css(sheet: Stylesheet, fonts, fetcher):
    from weasyprint import CSS

    if sheet.path is not None:
        return CSS(filename=str(sheet.path), font_config=fonts, url_fetcher=fetcher)
    return CSS(string=sheet.text, base_url=sheet.base.as_uri() + "/", font_config=fonts, url_fetcher=fetcher)


def render_pdf(html: str, root: Path, stylesheets: list[Stylesheet], identifier: str, what: str,
               standard: str, settle: Callable[[Any], str | None] | None = None) -> bytes:
    """Lay out `html` with `stylesheets` into a tagged PDF (bytes) made to `standard`
    (`core.standards`), deterministically. `settle` sees the laid-out pages and may return
    the HTML to lay out once more (what depends on where things fell: the booklet drops
    "op p. 8" from a reference to its own page); None keeps the first layout."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    url_fetcher = fetcher(root)
    fonts = FontConfiguration()
    base = base_url(root)
    with surfaced_warnings(what):
        css = [_css(s, fonts, url_fetcher) for s in stylesheets]
        options = dict(presentational_hints=False, uncompressed_pdf=False, pdf_identifier=_identifier(identifier),
                       **standards.write_options(standard))
        try:
            document = HTML(string=html, base_url=base, url_fetcher=url_fetcher).render(
                stylesheets=css, font_config=fonts, **options)
            again = settle(document) if settle is not None else None
            if again is not None:
                document = HTML(string=again, base_url=base, url_fetcher=url_fetcher).render(
                    stylesheets=css, font_config=fonts, **options)
            return document.write_pdf(finisher=standards.finisher(standard), **options)
        except RecursionError:
            raise BuildError(f"{what}: the document is nested too deeply to lay out") from None


def _identifier(text: str) -> bytes:
    """The PDF's file identifier: from the publication's identifier, never random."""
    return hashlib.sha256(text.encode()).hexdigest()[:32].encode()


def base_url(root: Path) -> str:
    """Relative URLs in an output's HTML (an image: `content/essay/img/red.png`) are
    resolved against the publication's folder."""
    return root.as_uri() + "/"


def browsable_html(markup: str, stylesheets: list[Stylesheet], root: Path) -> bytes:
    """`markup` as the author can open it from `dist/html/`: WeasyPrint gets the stylesheets
    and the base URL (the publication's folder) separately, so a browser is told both in the <head>."""

    base = "../../"  # from dist/html/ to the folder relative URLs are resolved in
    links = "".join(_link(s, root) for s in stylesheets)
    head = f'<base href="{base}">{links}'
    at = markup.find("<head>")
    markup = markup[: at + 6] + head + markup[at + 6:] if at >= 0 else head + markup
    return markup.encode("utf-8")


def _link(sheet: Stylesheet, root: Path) -> str:
    import html

    if sheet.path is None:
        return f"<style>{sheet.text}</style>"
    href = sheet.path.relative_to(root).as_posix() if sheet.path.is_relative_to(root) else sheet.path.as_uri()
    return f'<link rel="stylesheet" href="{html.escape(href)}">'


def check_pdf(data: bytes, what: str) -> int:
    """Read a PDF back before it is published; returns its page count.

    qpdf (pikepdf) reads the cross-reference table (at the end of the file: a cut-off
    file fails here) and the page tree, without trying to repair anything: in about
    10 ms for a 74-page booklet, where pypdf took a third of a second or more.
    """
    import io

    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as document:
            pages = len(document.pages)
    except Exception as exc:  # qpdf raises PdfError and more; any means the file is unusable
        reason = re.sub(r"^stream <[^>]*>(?: \(offset \d+\))?: ", "", str(exc))  # qpdf names our buffer
        raise BuildError(f"{what}: the PDF does not read back ({reason})") from None
    if pages <= 0:
        raise BuildError(f"{what}: the PDF has no pages")
    return pages


@contextmanager
def font_timestamps(epoch: int):
    """Pin the timestamp fontTools writes into every font it saves or subsets.

    fontTools stamps `head.modified` with the clock unless SOURCE_DATE_EPOCH is set, so
    without this two builds of the same content differ in their embedded fonts. Set
    around layout *and* writing (WOFF2 fonts are re-saved when loaded); restored after.
    """
    import os

    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


class Layouter:
    """WeasyPrint set up once (fetcher, fonts, parsed stylesheets) for several layouts.

    For outputs that lay a document out, measure it and lay it out again, or lay out
    many small documents: decoding the stylesheets' WOFF2 fonts is most of a small
    document's layout time, and this does it once. Same fetcher and warning rules as
    `render_pdf`.
    """

    def __init__(self, root: Path, stylesheets: list[Stylesheet]) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.root = root
        self.stylesheets = list(stylesheets)
        self.fetcher = fetcher(root)
        self.fonts = FontConfiguration()
        with surfaced_warnings(", ".join(s.name for s in stylesheets)):
            self.css = [_css(s, self.fonts, self.fetcher) for s in stylesheets]

    def layout(self, html: str, what: str, standard: str):
        """WeasyPrint's `Document` of `html` (pages laid out, nothing written yet)."""
        from weasyprint import HTML

        base = base_url(self.root)
        with surfaced_warnings(what):
            document = HTML(string=html, base_url=base, url_fetcher=self.fetcher)
            try:
                return document.render(font_config=self.fonts, stylesheets=self.css, presentational_hints=False,
                                       **standards.write_options(standard))
            except RecursionError:
                raise BuildError(f"{what}: the document is nested too deeply to lay out") from None


def combined(documents: list, title: str):
    """One `Document` of the pages of `documents`, each laid out on its own (so each keeps
    its page numbers), under `title`; the rest of the metadata is the first's."""
    import copy

    first = documents[0]
    whole = first.copy([page for document in documents for page in document.pages])
    whole.metadata = copy.copy(first.metadata)
    whole.metadata.title = title
    whole.metadata.description = None
    return whole


def write_document(document, identifier: str, what: str, standard: str) -> bytes:
    """A laid-out `Document` (from `Layouter.layout`) as tagged PDF bytes made to
    `standard`, deterministically."""
    with surfaced_warnings(what):
        return document.write_pdf(uncompressed_pdf=False, pdf_identifier=_identifier(identifier),
                                  finisher=standards.finisher(standard), **standards.write_options(standard))
