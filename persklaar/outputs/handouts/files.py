"""The handouts' file names and stylesheets (shared by the output, its sheets and its finish step)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...core.model import Section

COMBINED = "handouts/alle-handouts.pdf"
STYLESHEETS = ("tokens.css", "fonts.css", "handout.css")


def target(section: Section) -> str:
    """`handouts/08-1-welke-banen-worden-overgenomen.pdf` (relative to dist/)."""
    return f"handouts/{section.slug}.pdf"
