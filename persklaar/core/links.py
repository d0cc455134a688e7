"""Every URL of the publication, collected in reading order and numbered once.

The same URL always gets the same number; internal references are not listed. The
order is the reading order of every output: essay chapters, then course modules, then the
back matter (the bibliography). Each
external link's token gets its number (`meta["link"]`), so no output looks it up again.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import SourceLocation
from . import markdown
from .model import Chapter, Link, Module

PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net")


def is_placeholder(url: str) -> bool:
    """True for the IANA example domains used as placeholders (example.com/.org/.net)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS)


def collect(chapters: tuple[Chapter, ...], modules: tuple[Module, ...]) -> tuple[Link, ...]:
    """Number every external URL by its first appearance, and mark each link token."""
    found: dict[str, tuple[str, list[SourceLocation]]] = {}
    tokens = []

    def add(url: str, text: str, where: SourceLocation) -> None:
        entry = found.setdefault(url, (text or url, []))
        entry[1].append(where)

    def add_body(body) -> None:
        for token, text, where in markdown.links_in(body):
            add(str(token.attrGet("href")), text, where)
            tokens.append(token)

    for chapter in chapters:
        if not chapter.back_matter:
            add_body(chapter.body)
    for module in modules:
        for section in module.sections:
            add_body(section.intro)
            for resource in section.resources:
                add(resource.url, resource.title, resource.source)
    for chapter in chapters:
        if chapter.back_matter:
            add_body(chapter.body)
    numbers = {url: number for number, url in enumerate(found, start=1)}
    for token in tokens:
        token.meta["link"] = numbers[str(token.attrGet("href"))]
    return tuple(
        Link(numbers[url], url, text, tuple(sources), is_placeholder(url))
        for url, (text, sources) in found.items()
    )


def short_url(url: str, limit: int = 38) -> str:
    """A URL shortened for reading beside a QR code: no scheme, no `www.`, ellipsis."""
    parts = urlsplit(url)
    shown = (parts.netloc.removeprefix("www.") + parts.path.rstrip("/")) or url
    if parts.query:
        shown += "?" + parts.query
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
