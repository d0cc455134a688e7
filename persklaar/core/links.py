"""Every URL of the publication, collected in reading order and numbered once.

The same URL always gets the same number; internal anchors are not listed. The
order is the reading order of every output: essay chapters, then course modules.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import markdown
from ..errors import SourceLocation
from .model import Chapter, Link, Module

PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net")


def is_placeholder(url: str) -> bool:
    """True for the IANA example domains used as placeholders (example.com/.org/.net)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS)


def collect(chapters: tuple[Chapter, ...], modules: tuple[Module, ...]) -> tuple[Link, ...]:
    """Number every external URL by its first appearance."""
    found: dict[str, tuple[str, list[SourceLocation]]] = {}

    def add(url: str, text: str, where: SourceLocation) -> None:
        entry = found.setdefault(url, (text or url, []))
        entry[1].append(where)

    for chapter in chapters:
        for url, text, where in markdown.links_in(chapter.body):
            add(url, text, where)
    for module in modules:
        for section in module.sections:
            for url, text, where in markdown.links_in(section.intro):
                add(url, text, where)
            for resource in section.resources:
                add(resource.url, resource.title, resource.source)
    return tuple(
        Link(number, url, text, tuple(sources))
        for number, (url, (text, sources)) in enumerate(found.items(), start=1)
    )


def short_url(url: str, limit: int = 38) -> str:
    """A URL shortened for reading beside a QR code: no scheme, no `www.`, ellipsis."""
    parts = urlsplit(url)
    shown = (parts.netloc.removeprefix("www.") + parts.path.rstrip("/")) or url
    if parts.query:
        shown += "?" + parts.query
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
