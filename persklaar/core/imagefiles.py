"""What an image file really is, read from its bytes, before any output uses it.

- Its kind comes from its first bytes, not its name: a JPEG named `foto.png` would be
  declared `image/png` in the EPUB (an epubcheck error, and some readers show nothing),
  so a name that lies is refused with the name it should have.
- A raster image's size is read from its header before anything decodes it: a PNG of a
  few KB can decode to 30000×30000 pixels (gigabytes); it is refused, not decoded.
- An SVG is parsed by expat with no DOCTYPE and no entities (no billion laughs), and
  refused if it holds anything active or anything outside itself.

Why refuse an active SVG rather than strip it: each output shows an SVG in a different
engine (WeasyPrint draws it into the booklet, an e-reader or a browser runs it), so a
drawing stripped of its script, its `<foreignObject>` text or its linked pictures would
silently be another drawing than the one the author made, and differently so per output.
A refusal names the element and its line; what is published is the author's file, byte
for byte, the same in every output.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.parsers.expat as expat

SUFFIXES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
            "image/svg+xml": "svg"}
NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP",
         "image/svg+xml": "SVG"}
_A = {"image/svg+xml": "an"}
MAX_PIXELS = 89_478_485  # Pillow's own limit (Image.MAX_IMAGE_PIXELS): ~90 megapixels, ~360 MB decoded

# Elements that run code or embed another document; handlers and listeners are SVG Tiny's.
_ACTIVE = {"script": "runs code", "foreignobject": "embeds HTML", "iframe": "embeds another document",
           "embed": "embeds another document", "object": "embeds another document",
           "handler": "runs code", "listener": "runs code"}
_ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform", "animatecolor"}
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)
_SPACE = re.compile(r"[\s\x00-\x1f]+")


def sniff(data: bytes) -> str | None:
    """The media type `data` begins as (PNG, JPEG, GIF, WebP, or SVG-like XML), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or head.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return "image/svg+xml"
    return None


def problem(data: bytes, media: str, name: str) -> str | None:
    """Why the file `name` (its bytes `data`, its name saying `media`) cannot be published, or None."""
    if not data:
        return "is an empty file (0 bytes); export it again"
    found = sniff(data)
    if found != media:
        stem = name.rpartition(".")[0] or name
        if found is None:
            return (f"is not {_A.get(media, 'a')} {NAMES[media]} file (its bytes are not an image of any kind); "
                    "export it again")
        return f"is {_A.get(found, 'a')} {NAMES[found]} file, not {NAMES[media]}: rename it to {stem}.{SUFFIXES[found]}"
    return svg_problem(data) if media == "image/svg+xml" else raster_problem(data)


def raster_problem(data: bytes) -> str | None:
    """A raster image must decode, at a size that fits in memory (read from its header first)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return _too_big(f"{width}×{height} pixels")
                image.verify()
    except Image.DecompressionBombError as exc:  # Pillow refuses past twice its limit while opening
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        return _too_big(f"{int(pixels.group(1)) // 1_000_000} megapixels" if pixels else "enormous")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"does not decode as an image ({type(exc).__name__}); export it again"
    return None


def _too_big(size: str) -> str:
    return (f"is {size} when decoded (over {MAX_PIXELS // 1_000_000} megapixels); scale it down "
            "(a printed page needs at most 2400 pixels on the long side)")


class _Refused(Exception):
    pass


def svg_problem(data: bytes) -> str | None:
    """An SVG must be well-formed, its root an `<svg>`, self-contained and inert: no DOCTYPE or
    entities, no script, event handler, `javascript:` URL, foreign object or embedded
    document, and no reference to another file or URL (href, CSS url() or @import, a
    stylesheet processing instruction)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    found: list[str] = []
    in_style = [False]

    def refuse(what: str) -> None:
        raise _Refused(f"line {parser.CurrentLineNumber} {what}")

    def doctype(*_args) -> None:
        refuse("declares a DOCTYPE; remove it (an SVG needs none, and its entities can expand without end)")

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if not found:
            found.append(local)
        if local.lower() in _ACTIVE:
            refuse(f"has the element <{local}>, which {_ACTIVE[local.lower()]}; remove it")
        in_style[0] = local == "style"
        for key, value in attrs.items():
            attr = key.rpartition(" ")[2]
            _check_attribute(local, attr, value, refuse)

    def text(content: str) -> None:
        if in_style[0] and _CSS_URL.search(content):
            refuse("loads a file or URL from its <style> (url(…) or @import); an SVG must be self-contained")

    def instruction(target: str, _data: str) -> None:
        if target.lower() == "xml-stylesheet":
            refuse("links a stylesheet (<?xml-stylesheet?>); an SVG must be self-contained")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: in_style.__setitem__(0, False)
    parser.CharacterDataHandler = text
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        return f"is an SVG whose {exc}"
    except expat.ExpatError as exc:
        return f"is not well-formed SVG ({exc})"
    if found[:1] != ["svg"]:
        return f"is not an SVG drawing (its root element is <{found[0] if found else '?'}>, not <svg>)"
    return None


def _check_attribute(element: str, attr: str, value: str, refuse) -> None:
    plain = _SPACE.sub("", value).lower()
    if attr.lower().startswith("on"):
        refuse(f"has an event handler ({attr}= on <{element}>), which runs code; remove it")
    if "javascript:" in plain or "vbscript:" in plain:
        refuse(f"has a javascript: URL ({attr}= on <{element}>); remove it")
    if attr == "href" and value and not value.startswith("#"):
        refuse(f"refers to {value[:40]!r} (<{element}>); an SVG must not load other files or URLs")
    if _CSS_URL.search(value):
        refuse(f"loads a file or URL in {attr}= on <{element}> (url(…) or @import); an SVG must be self-contained")
    if element.lower() in _ANIMATIONS and attr == "attributeName":
        target = value.rpartition(":")[2].lower()
        if target == "href" or target.startswith("on"):
            refuse(f"animates {value!r} (<{element}>), which could make it a link or a handler; remove it")
