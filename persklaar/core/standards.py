"""The PDF standards a publication's PDFs may be made to (`pdf_standard` in publication.yaml).

The booklet, every handout and the combined handouts are made to one of these; the
imposed booklet is a print master and meets none (it has no tags). Which WeasyPrint
settings make a file meet them is `render.standards`' business; this module only
names them, for the schema, the outputs' texts and the README.
"""

from __future__ import annotations

from typing import Literal, get_args

PdfStandard = Literal["ua-1+a-2u", "ua-1", "a-2u", "a-3u"]

CHOICES: tuple[str, ...] = get_args(PdfStandard)

# One file can honestly be both: PDF/A-2u (archival: fonts embedded, sRGB output intent,
# XMP metadata, text as Unicode) and PDF/UA-1 (accessible: tagged, every figure with
# alternate text, artifacts marked, language and title set). veraPDF passes both.
DEFAULT: PdfStandard = "ua-1+a-2u"

_NAMES = {"ua-1": "PDF/UA-1", "a-2u": "PDF/A-2u", "a-3u": "PDF/A-3u"}


def declared(standard: str) -> tuple[str, ...]:
    """The standards a file made to `standard` declares: `("PDF/UA-1", "PDF/A-2u")`."""
    return tuple(_NAMES[part] for part in standard.split("+"))


def is_accessible(standard: str) -> bool:
    """Does a file made to `standard` declare PDF/UA-1?"""
    return "ua-1" in standard.split("+")
