"""Internal references: every `#anchor` an author writes, resolved once for every output.

An anchor may name, in this order: `top` (the top of the text's own page), a heading of
the same chapter or module (a chapter's title too, by its GitHub anchor), a chapter (its
file name without `.md`), a course section (its slug, `08-1-welke-banen-worden-overgenomen`),
or a heading anywhere else. The link token gets a `Target` (`meta["target"]`); each output
turns that into its own href. An anchor that leads nowhere is an error with the closest existing names.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..errors import Diagnostics
from . import markdown
from .model import Body, Chapter, Module, Target
from .text import github_slug


@dataclass
class Index:
    """Every place a reference can lead to."""

    units: dict[str, Target] = field(default_factory=dict)      # chapter and section slugs
    headings: dict[str, dict[str, Target]] = field(default_factory=dict)  # unit → heading id → target
    anywhere: dict[str, Target] = field(default_factory=dict)   # heading id → first target

    def add_body(self, body: Body) -> None:
        """Its headings, and the elements an author gave an id (`::: {#x}`, `[…]{#y}`, `![…](…){#z}`)."""
        local = self.headings.setdefault(body.unit, {})
        for _, token in body.walk():
            anchor = token.meta.get("id") if token.type == "heading_open" else token.meta.get("html", {}).get("id")
            if anchor:
                target = Target(body.unit, "heading", anchor)
                local.setdefault(anchor, target)
                self.anywhere.setdefault(anchor, target)

    def find(self, anchor: str, unit: str) -> Target | None:
        if anchor == "top":
            return Target(unit)
        return (self.headings.get(unit, {}).get(anchor) or self.units.get(anchor)
                or self.anywhere.get(anchor))

    def names(self, unit: str) -> list[str]:
        """Every name an anchor in `unit` may use, each once."""
        return list(dict.fromkeys([*self.headings.get(unit, {}), *self.units, *self.anywhere]))


def index(chapters: tuple[Chapter, ...], modules: tuple[Module, ...]) -> Index:
    found = Index()
    for chapter in chapters:
        found.units.setdefault(chapter.slug, Target(chapter.slug))
        found.add_body(chapter.body)
        # The title's own anchor, as GitHub gives a README's leading `# Title`: the chapter's top.
        title = github_slug(chapter.title)
        if title:
            found.headings[chapter.slug].setdefault(title, Target(chapter.slug))
            found.anywhere.setdefault(title, Target(chapter.slug))
    for module in modules:
        for section in module.sections:
            found.units.setdefault(section.slug, Target(module.unit, "section", section.slug))
            found.add_body(section.intro)
    return found


def resolve(chapters: tuple[Chapter, ...], modules: tuple[Module, ...], diags: Diagnostics) -> None:
    """Give every internal link its target; report the ones that lead nowhere."""
    places = index(chapters, modules)
    bodies = [c.body for c in chapters] + [s.intro for m in modules for s in m.sections]
    for body in bodies:
        for block, token in body.walk():
            href = str(token.attrGet("href") or "") if token.type == "link_open" else ""
            if markdown.is_reference(href):
                _resolve_one(body, block, token, href, places, diags)


def _resolve_one(body: Body, block, token, href: str, places: Index, diags: Diagnostics) -> None:
    chapter, anchor = markdown.reference_parts(href)
    if chapter is not None and chapter not in places.headings:
        close = difflib.get_close_matches(chapter, [u for u in places.headings if not u.startswith("module-")], n=3)
        hint = f"; did you mean {', '.join(c + '.md' for c in close)}?" if close else ""
        diags.error(markdown.where(body, block, href[:20]), f"link {href[:60]!r}: there is no chapter "
                                                             f"{chapter}.md{hint}")
        return
    unit = chapter or body.unit
    target = places.find(anchor, unit) if anchor else places.units.get(unit)
    if chapter is not None and anchor:  # `02-x.md#kop`: a heading of that chapter only
        target = places.headings[chapter].get(anchor) or (Target(chapter) if anchor == "top" else None)
    if target is not None:
        token.meta["target"] = target
        return
    names = list(places.headings.get(chapter, {})) if chapter else places.names(body.unit)
    close = difflib.get_close_matches(anchor, names, n=3, cutoff=0.6)
    prefix = f"{chapter}.md#" if chapter else "#"
    hint = f"; did you mean {', '.join(prefix + c for c in close)}?" if close else \
        " (an anchor is a heading's, a chapter's or a course section's slug, or #top)"
    diags.error(markdown.where(body, block, href[:20]), f"link {href[:60]!r} leads nowhere{hint}")
