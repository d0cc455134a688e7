"""Making a WeasyPrint PDF meet PDF/UA-1 and PDF/A-2u/3u (`core.standards` names them).

WeasyPrint 70 does most of it: tags, language, title, outline (`pdf_tags`), and for a
variant (`pdf_variant`) the XMP metadata, the sRGB output intent and the annotation flags.
What it leaves undone is finished here, on the `pydyf.PDF` just before it is written
(WeasyPrint's `finisher` hook), so no HTML is patched and no PDF is parsed again:

- **running heads and page numbers as artifacts** (PDF/UA-1 7.8, WeasyPrint#1836):
  WeasyPrint tags the text of page-margin boxes and leaves the tags out of the structure
  tree. Its marked content becomes `/Artifact` (pagination) and the stray tags go;
- **the language of each passage** (`/Lang` on its structure element), see `_tag_languages`;
- **table headers with their scope**: WeasyPrint ties cells to headers (`/Headers`) but
  writes no `/Scope`; each `<th>`'s `scope` is written into its tag's attributes;
- **images without interpolation** under PDF/A (ISO 19005-2, 6.2.8): WeasyPrint asks
  viewers to smooth every raster image unless `image-rendering` says otherwise, and its
  PDF/A variants leave that as it is;
- **one file, two standards**: WeasyPrint writes one identification into the XMP
  metadata. For `ua-1+a-2u` the PDF/A variant writes its own and this adds PDF/UA's
  (`pdfuaid:part`), with the extension schema PDF/A requires for a property it does
  not predefine (ISO 19005-2, 6.6.2.3).

Alternate text is the templates' part: every figure is an `<img alt>` (inline SVG would
get only its `<title>`), and decorative drawings are CSS backgrounds, which WeasyPrint
draws as artifacts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..core.markdown import where
from ..core.model import Body, Publication
from ..core.standards import declared, is_accessible
from ..errors import BuildError, Diagnostics

# The WeasyPrint variant a standard is made with; tags are always on (`pdf_tags`).
VARIANTS = {"ua-1+a-2u": "pdf/a-2u", "ua-1": "pdf/ua-1", "a-2u": "pdf/a-2u", "a-3u": "pdf/a-3u"}


def write_options(standard: str) -> dict[str, Any]:
    """Keyword arguments for WeasyPrint's `write_pdf` (and `render`) for `standard`."""
    if standard not in VARIANTS:
        raise BuildError(f"unknown PDF standard {standard!r} (choices: {', '.join(VARIANTS)})")
    return {"pdf_variant": VARIANTS[standard], "pdf_tags": True}


def check_images(pub: Publication, bodies: Iterable[Body], diags: Diagnostics) -> None:
    """Report the images a PDF of `pub`'s standard cannot hold: under PDF/A, whose output
    intent is sRGB, no CMYK image (WeasyPrint would embed it as DeviceCMYK, which PDF/A
    allows only with a CMYK output intent). Renderers take such a file without a word;
    the file would just not be what it declares."""
    if not VARIANTS[pub.settings.pdf_standard].startswith("pdf/a-"):
        return
    for body in bodies:
        for block in body.tokens:
            for token in block.children or ():
                asset = token.meta.get("asset") if token.type == "image" else None
                if asset is not None and asset.media_type != "image/svg+xml" and _cmyk(pub.root / asset.path):
                    src = str(token.attrGet("src"))
                    archival = next(n for n in declared(pub.settings.pdf_standard) if n.startswith("PDF/A"))
                    diags.error(where(body, block, src[:20]), f"image {src[:60]!r} is CMYK: {archival} "
                                "(pdf_standard in publication.yaml) needs RGB or greyscale; save it as RGB")


def _cmyk(path: Path) -> bool:
    from PIL import Image

    with Image.open(path) as image:
        return image.mode == "CMYK"


def finisher(standard: str):
    """The `finisher` for `write_pdf`: what WeasyPrint leaves undone for `standard`."""
    _tag_languages()

    archival = VARIANTS[standard].startswith("pdf/a-")

    def finish(document, pdf) -> None:
        _Tree(pdf).margins_as_artifacts()
        _header_scopes(document)
        if archival:
            _no_interpolation(pdf)
        if archival and is_accessible(standard):
            _declare_ua(pdf)

    return finish


class _Tree:
    """The structure tree of a `pydyf.PDF` (references are `b"12 0 R"`)."""

    def __init__(self, pdf) -> None:
        self.pdf = pdf
        self.root = self.get(pdf.catalog["StructTreeRoot"])

    def get(self, reference) -> Any:
        return self.pdf.objects[int(reference.split()[0])]

    def reachable(self) -> set[int]:
        """Numbers of the structure elements reachable from the root."""
        seen: set[int] = set()
        todo = list(self.root["K"])
        while todo:
            kid = todo.pop()
            if not isinstance(kid, bytes):
                continue  # a marked-content id
            number = int(kid.split()[0])
            element = self.pdf.objects[number]
            if number in seen or element.get("Type") != "/StructElem":
                continue  # an annotation's object reference
            seen.add(number)
            todo.extend(element["K"])
        return seen

    def margins_as_artifacts(self) -> None:
        """Page-margin text (tags outside the tree) re-marked as pagination artifacts."""
        reachable = self.reachable()
        nums = self.get(self.root["ParentTree"])["Nums"]
        pages = dict(zip(nums[::2], nums[1::2], strict=True))
        for page_number, page_reference in enumerate(self.pdf.page_references):
            mcids = pages.get(page_number, [])
            stray = {m for m, ref in enumerate(mcids) if int(ref.split()[0]) not in reachable}
            if not stray:
                continue
            for mcid in stray:
                self.get(mcids[mcid]).clear()  # the stray tag: unreferenced, emptied
                mcids[mcid] = b"null"
            content = self.get(self.get(page_reference)["Contents"])
            _mark_artifacts(content.stream, stray, page_number)


def _mark_artifacts(ops: list, mcids: set[int], page_number: int) -> None:
    """`/Span <</MCID n>> BDC` → `/Artifact <</Type /Pagination>> BDC` for each n in `mcids`."""
    import pydyf

    found = set()
    for index, op in enumerate(ops):
        if isinstance(op, pydyf.Dictionary) and op.get("MCID") in mcids and ops[index + 1] == b"BDC":
            found.add(op["MCID"])
            ops[index - 1] = "/Artifact"
            ops[index] = pydyf.Dictionary({"Type": "/Pagination"})
    if found != mcids:
        raise BuildError(f"page {page_number + 1}: could not mark the running heads as artifacts "
                         f"(marked content {sorted(mcids - found)} not on the page)")


def _tag_languages() -> None:
    """Give the structure element of every HTML element with a `lang` (a chapter in Hebrew,
    `[مرحبا]{lang=ar}`) that language as `/Lang`, so a screen reader switches its voice
    for the passage (PDF/UA-1 7.2; the catalog's `/Lang` is the publication's language).

    WeasyPrint 70 builds the tree in `tags._build_box_tree`, one generator per box that
    yields the box's element (or, for html and body, its children's), and writes no
    `/Lang` below the catalog; the generator is wrapped once, for every later PDF.
    """
    import pydyf
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "persklaar_languages", False):
        return

    def with_languages(box, *args):
        own = getattr(box, "_box", box)  # an absolute placeholder's box, as WeasyPrint takes it
        node = getattr(own, "element", None)
        passes_on = isinstance(own, boxes.PageBox) or own.element_tag in ("html", "body")
        lang = node.get("lang") if node is not None and not passes_on else None
        for element in build(box, *args):
            if lang and "Lang" not in element:
                element["Lang"] = pydyf.String(lang)
            yield element

    with_languages.persklaar_languages = True  # type: ignore[attr-defined]
    tags._build_box_tree = with_languages


def _header_scopes(document) -> None:
    """Write each `<th>`'s scope into its tag: `/Row` for `scope="row"`, else `/Column`.

    WeasyPrint keeps the tag of a table cell on its box (`box.mark`) while tagging, and
    counts every header that is not `scope="row"` as a column header; so does this.
    """
    for page in document.pages:
        for box in page._page_box.descendants():
            tag = getattr(box, "mark", None)
            if tag is not None and box.element_tag == "th":
                scope = box.element.get("scope", "")
                tag["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"


def _no_interpolation(pdf) -> None:
    """`/Interpolate false` on every image (and its soft mask): PDF/A forbids `true`."""
    import pydyf

    for item in pdf.objects:
        for image in (item, getattr(item, "extra", {}).get("SMask")):
            if isinstance(image, pydyf.Stream) and image.extra.get("Subtype") == "/Image":
                image.extra["Interpolate"] = "false"


# PDF/UA's identification, and its description as a PDF/A extension schema.
_UA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>\
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>"""


def _declare_ua(pdf) -> None:
    """Add PDF/UA-1's identification to the XMP metadata the PDF/A variant wrote."""
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    xmp = b"".join(metadata.stream)
    end = xmp.rfind(b"</rdf:RDF>")
    if end < 0 or b"pdfuaid:part" in xmp:
        raise BuildError("the PDF's XMP metadata cannot take PDF/UA's identification")
    metadata.stream = [xmp[:end] + _UA_XMP + xmp[end:]]
