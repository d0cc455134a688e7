"""Packaging the EPUB: the raster cover, ebooklib's package document around our own
files, and a deterministic zip.

    cover = cover_png(pub)                    # the title page design: WeasyPrint → pypdfium2 → PNG
    book = package(pub, pages, cover, when)   # ebooklib: metadata, manifest, spine, guide
    write(book, target, when)                 # ebooklib → temp file → deterministic re-zip

Every XHTML page, the navigation document and the NCX come from our own templates;
ebooklib writes the package document and the container. Its own page handling is not
used on purpose: it re-parses XHTML with an HTML parser (losing `epub:type` and the
namespaces) and crashes on an empty page.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from ...core import standards
from ...core.model import Publication
from ...core.text import slugify
from ...errors import BuildError
from ...render import templating
from ...render.fonts import used_codes
from ...render.styles import Stylesheet, of_file, stylesheets
from . import epubzip
from .fonts import packed, script_fonts
from .pages import STYLESHEET, Book, Entry

COVER_SIZE = (1600, 2560)  # px: an e-reader cover's 1 : 1.6
COVER_STYLESHEETS = ("tokens.css", "fonts.css")  # and the theme's templates/epub/cover-image.css
XHTML = "application/xhtml+xml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"  # a page holding MathML declares it (property mathml)


# ---------------------------------------------------------------- the cover


def cover_file(pub: Publication) -> tuple[str, bytes]:
    """The cover's file in the book: the publication's cover image, or the title page design."""
    image = pub.settings.cover.image
    if image is not None:
        return f"images/cover{Path(image.path).suffix.lower()}", (pub.root / image.path).read_bytes()
    return "images/cover.png", cover_png(pub)


def cover_stylesheets(pub: Publication) -> list[Stylesheet]:
    sheets = stylesheets(pub, COVER_STYLESHEETS)
    design = pub.theme.find("templates/epub/cover-image.css")
    assert design is not None, "the default theme has templates/epub/cover-image.css"
    return [*sheets[:len(COVER_STYLESHEETS)], of_file(design, "templates/epub/cover-image.css"),
            *sheets[len(COVER_STYLESHEETS):]]


def cover_html(pub: Publication) -> str:
    """The raster cover's page (epub/cover-image.html), before WeasyPrint lays it out."""
    return templating.render(pub, "epub/cover-image.html", meta=pub.meta,
                             icon=next((m.icon for m in pub.modules if m.icon), ""), kicker=pub.settings.cover.kicker)


def cover_png(pub: Publication) -> bytes:
    """The raster cover: the title page design, laid out by WeasyPrint, rasterised by pdfium."""
    from ...render.pdf import render_pdf

    page = cover_html(pub)
    # An intermediate file, rasterised at once: no standard matters; PDF/UA's variant keeps
    # it as it always was (DeviceRGB colours, no output intent).
    pdf = render_pdf(page, pub.root, cover_stylesheets(pub), pub.meta.identifier, "EPUB cover", "ua-1")
    return rasterise(pdf, COVER_SIZE)


def rasterise(pdf: bytes, size: tuple[int, int]) -> bytes:
    """The first page of `pdf` as a PNG of exactly `size` pixels (deterministic bytes)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=size[0] / page.get_width()).to_pil().convert("RGB")
    finally:
        document.close()
    if image.size != size:  # a rounding pixel; never a different design
        image = image.resize(size)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


# ---------------------------------------------------------------- the package


def package(pub: Publication, pages: Book, cover: tuple[str, bytes], when: dt.datetime):
    """The ebooklib book: metadata, manifest, spine and guide around our own files."""
    from ebooklib import epub

    for page in pages.pages:
        well_formed(page.name, page.xhtml.encode())
    book = epub.EpubBook()
    metadata(book, pub, pages.visual)
    book.set_cover(*cover, create_page=False)
    sheets = stylesheets(pub, ("epub.css", "code.css", "callouts.css", "math.css", "references.css"), page_rules=False)
    own = script_fonts(pub)
    css, fonts = packed(sheets + ([own] if own else []), pub.root, used_codes(pub))
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=css.encode()))
    for name, (media, data) in sorted(fonts.items()):
        book.add_item(epub.EpubItem(uid=f"font-{slugify(name)}", file_name=name, media_type=media, content=data))
    for name, (media, data) in sorted(pages.assets.items()):
        if media == "image/svg+xml":
            well_formed(name, data)
        book.add_item(epub.EpubItem(uid=f"img-{slugify(name)}", file_name=name, media_type=media, content=data))
    ncx = ncx_xml(pub, pages.toc)
    well_formed("toc.ncx", ncx)
    book.add_item(epub.EpubItem(uid="ncx", file_name="toc.ncx", media_type="application/x-dtbncx+xml", content=ncx))
    for page in pages.pages:
        item = epub.EpubItem(uid=page.name.removesuffix(".xhtml"), file_name=page.name, media_type=XHTML,
                             content=page.xhtml.encode())
        item.properties = (["nav"] if page.nav else []) + (["mathml"] if MATHML_NS in page.xhtml else [])
        book.add_item(item)
        book.spine.append(item)
    book.guide = [{"type": m, "href": h, "title": t} for m, h, t in _guide(pages.landmarks)]
    return book


def _guide(landmarks: list[dict[str, str]]):
    """The EPUB 2 guide (older readers) from the landmarks: cover, toc and start of text."""
    kinds = {"cover": "cover", "toc": "toc", "bodymatter": "text"}
    for mark in landmarks:
        if mark["type"] in kinds:
            yield kinds[mark["type"]], mark["href"], mark["title"]


def metadata(book, pub: Publication, visual: bool) -> None:
    meta = pub.meta
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    for number, author in enumerate(meta.authors, start=1):
        book.add_author(author, uid=f"creator-{number}")
    book.add_metadata("DC", "date", meta.date.isoformat())
    book.add_metadata("DC", "rights", meta.licence)
    if meta.description:
        book.add_metadata("DC", "description", meta.description)
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)
    for prop, value in accessibility(pub, visual):
        book.add_metadata(None, "meta", value, {"property": prop})


def accessibility(pub: Publication, visual: bool) -> list[tuple[str, str]]:
    """schema.org accessibility metadata (EPUB Accessibility 1.1), true to what we make."""
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if visual:
        features += ["alternativeText", "longDescription"]
    props = [("schema:accessMode", "textual")] + [("schema:accessMode", "visual")] * visual
    props += [("schema:accessModeSufficient", "textual")]
    props += [("schema:accessibilityFeature", f) for f in features]
    props += [("schema:accessibilityHazard", "none"), ("schema:accessibilitySummary", summary(pub))]
    return props


def summary(pub: Publication) -> str:
    """What the book offers a reader who does not see it, and which standard each file meets."""
    labels = pub.labels
    names = standards.declared(pub.settings.pdf_standard)
    listed = f" {labels['and']} ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    return f"{labels['accessibility_summary']} {labels['accessibility_standards'].format(standards=listed)}"


def ncx_xml(pub: Publication, toc: list[Entry]) -> bytes:
    """The EPUB 2 NCX: the nav document's tree with ids and play order."""
    orders: dict[str, int] = {}
    counter = iter(range(1, 100000))

    def point(entry: Entry, depth: int) -> dict:
        src = entry.href or (entry.children[0].href if entry.children else "")
        if src not in orders:
            orders[src] = len(orders) + 1
        return {"ncx_id": f"np-{next(counter)}", "play_order": orders[src], "title": entry.title, "src": src,
                "depth": depth, "children": [point(c, depth + 1) for c in entry.children]}

    points = [point(e, 1) for e in toc]
    depth = max((_depth(p) for p in points), default=1)
    return templating.render(pub, "epub/toc.ncx", identifier=pub.meta.identifier,
                             title=pub.meta.title, toc=points, depth=depth).encode()


def _depth(point: dict) -> int:
    return max([point["depth"]] + [_depth(c) for c in point["children"]])


def well_formed(name: str, data: bytes) -> None:
    """Every file we put in the book parses as XML, or the build stops naming it."""
    import xml.etree.ElementTree as ET

    try:
        ET.fromstring(data)
    except ET.ParseError as exc:
        raise BuildError(f"EPUB file {name} is not well-formed XML: {exc}") from None


# ---------------------------------------------------------------- writing


def write(book, target: Path, when: dt.datetime, language: str) -> None:
    """ebooklib writes a temporary file; the deterministic re-zip then becomes `target`.

    ebooklib writes straight to its file and leaves a corrupt one when it fails midway,
    so it never writes the target; the re-zip goes to a temporary name and is renamed.
    """
    from ebooklib import epub

    raw = target.with_name(f".{target.name}.ebooklib.tmp")
    zipped = target.with_name(f".{target.name}.zip.tmp")
    try:
        try:
            epub.write_epub(str(raw), book, {"raise_exceptions": True, "mtime": when, "epub3_pages": False})
        except Exception as exc:  # ebooklib raises many kinds (lxml, zipfile, OSError)
            problem = f"{type(exc).__name__}: {exc}"
            raise BuildError(f"{target.name}: ebooklib could not write the EPUB ({problem})") from None
        epubzip.rezip(raw, zipped, when, edit=lambda name, data: _edit(name, data, language))
        zipped.replace(target)
    finally:
        raw.unlink(missing_ok=True)
        zipped.unlink(missing_ok=True)


def _edit(name: str, data: bytes, language: str) -> bytes:
    """`xml:lang` on the package element: ebooklib has no option for it (Ace asks for it)."""
    if not name.endswith(".opf"):
        return data
    from lxml import etree

    root = etree.fromstring(data)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
