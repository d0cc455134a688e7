"""The handouts' file names and stylesheets (shared by the output, its sheets and its finish step)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...core.model import Publication, Section

STYLESHEETS = ("tokens.css", "fonts.css", "code.css", "callouts.css", "math.css", "references.css", "handout.css")


def combined(pub: Publication) -> str:
    """`handouts/alle-handouts.pdf`: all sheets in one file, named in the publication's language."""
    return f"handouts/{pub.labels['file_all_handouts']}.pdf"


def target(section: Section) -> str:
    """`handouts/08-1-welke-banen-worden-overgenomen.pdf` (relative to dist/)."""
    return f"handouts/{section.slug}.pdf"
