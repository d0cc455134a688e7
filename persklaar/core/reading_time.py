"""Reading times: words → minutes for chapters, typed minutes for resources; totals.

Every output shows the same numbers, computed here, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Module, Publication, Resource, Section, Settings, reading_minutes


@dataclass(frozen=True, slots=True)
class ChapterTime:
    slug: str
    title: str
    part: str | None
    words: int
    minutes: int


@dataclass(frozen=True, slots=True)
class ResourceTime:
    resource: Resource
    short: bool | None  # at most settings.short_max_minutes; None: the length is not known


def chapter_times(pub: Publication) -> list[ChapterTime]:
    speed = pub.settings.reading_speed
    return [ChapterTime(c.slug, c.title, c.part, c.words, reading_minutes(c.words, speed))
            for c in pub.chapters if not c.back_matter]


def essay_total(pub: Publication) -> tuple[int, int]:
    """(words, minutes) of the whole essay; minutes is the sum of the chapters' minutes."""
    times = chapter_times(pub)
    return sum(t.words for t in times), sum(t.minutes for t in times)


def resource_times(section: Section, settings: Settings) -> list[ResourceTime]:
    return [ResourceTime(r, r.is_short(settings)) for r in section.resources]


def section_total(section: Section) -> tuple[int, int]:
    """(number of resources, minutes) of one course section."""
    return len(section.resources), section.total_minutes


def module_total(module: Module) -> tuple[int, int]:
    return len(module.resources), module.total_minutes
