"""What outputs print alike, in one place each: a resource row, dates, the build's moment,
counts and totals. Templates print these values; none of them computes one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from ..core import links
from ..core.model import Chapter, Module, Publication, Section, Target


def essay(pub: Publication) -> list[Chapter]:
    """The chapters the author wrote, in order: every output prints them before the course modules."""
    return [c for c in pub.chapters if not c.back_matter]


def back_matter(pub: Publication) -> list[Chapter]:
    """The chapters persklaar adds (the bibliography): every output prints them after the course modules."""
    return [c for c in pub.chapters if c.back_matter]


@dataclass(frozen=True, slots=True)
class ResourceRow:
    """One resource of a course section, as every output prints it.

    `number` is the link's number in the publication; an output that numbers per page
    (the handouts) gives its own with `dataclasses.replace`, as it adds `qr` or `cite`.
    """

    title: str
    url: str
    kind: str          # the kind's key: article, video, …
    kind_label: str    # the kind in the publication's language
    minutes: int | None  # None: not known
    short: bool | None
    length: str        # "short", "long" or "unknown"
    badge: str         # the badge's word in the publication's language ("" when unknown)
    number: int
    short_url: str
    placeholder: bool
    qr: Markup | None = None
    cite: str = ""

    def but(self, **changes) -> ResourceRow:
        return dataclasses.replace(self, **changes)


def resource_rows(pub: Publication, section: Section) -> list[ResourceRow]:
    labels = pub.labels
    rows = []
    for r in section.resources:
        short = r.is_short(pub.settings)
        length = "unknown" if short is None else "short" if short else "long"
        number = pub.link_number(r.url)
        assert number is not None, "links.collect numbers every resource"
        rows.append(ResourceRow(r.title, r.url, r.kind, labels[f"kind_{r.kind}"], r.minutes, short, length,
                                labels.get(length, ""), number, links.short_url(r.url), links.is_placeholder(r.url)))
    return rows


@dataclass(frozen=True, slots=True)
class Totals:
    """How many resources, how many minutes in all, and how many without a length."""

    count: int
    minutes: int
    untimed: int = 0

    def untimed_note(self, labels: Mapping[str, str]) -> str:
        """` + 1 zonder tijd` after the minutes, or nothing when every length is known."""
        return f" + {labels['untimed'].format(count=self.untimed)}" if self.untimed else ""


def section_totals(section: Section) -> Totals:
    return Totals(len(section.resources), section.total_minutes, section.untimed)


def module_totals(module: Module) -> Totals:
    return Totals(len(module.resources), module.total_minutes, module.untimed)


def count_label(count: int, labels: Mapping[str, str]) -> str:
    """`1 bron` / `3 bronnen`, in the publication's language."""
    return labels["resources_total_one"] if count == 1 else labels["resources_total"].format(count=count)


def build_moment(pub: Publication, source_date_epoch: int | None) -> dt.datetime:
    """The one moment every date a build writes is taken from (PDF dates, EPUB
    `dcterms:modified`, zip entries, font timestamps, the handouts' "made on"):
    SOURCE_DATE_EPOCH when given (reproducible builds), else the edition date at
    midnight UTC; never the clock."""
    if source_date_epoch is not None:
        return dt.datetime.fromtimestamp(source_date_epoch, dt.UTC)
    return dt.datetime.combine(pub.meta.date, dt.time(), dt.UTC)


def w3c(moment: dt.datetime) -> str:
    """`2025-06-01T00:00:00Z`, as WeasyPrint reads it from `<meta name="dcterms.*">`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ListEntry:
    """One line of a list of figures or tables: "Figuur 3.2 Groei van de banen", and its href."""

    label: str
    caption: str
    href: str


@dataclass(frozen=True)
class ListView:
    """A list of figures (`lof: true`) or of tables (`lot: true`), for the contents."""

    id: str
    title: str
    entries: list[ListEntry]


def listed(pub: Publication, href: Callable[[Target], str | None]) -> list[ListView]:
    """The lists of figures and tables publication.yaml asks for, with the output's hrefs."""
    lists = []
    asked = (("fig", pub.settings.lof, "list_of_figures"), ("tbl", pub.settings.lot, "list_of_tables"))
    for kind, wanted, key in asked:
        entries = [ListEntry(f"{pub.labels['xref_' + kind]}\u00a0{item.number}", item.caption, href(item.target) or "")
                   for item in pub.listed if item.kind == kind]
        if wanted and entries:
            lists.append(ListView(f"list-of-{kind}", pub.labels[key], entries))
    return lists
