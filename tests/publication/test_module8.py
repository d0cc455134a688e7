"""Module 8 "Het werk van de toekomst" as shipped: its sections, resources and totals.

These are facts about this publication's content (the source page's reading times),
not about the builder: when the content changes on purpose, change them here.
"""

from __future__ import annotations

from persklaar.core.load import load
from persklaar.outputs.handouts.sheet import sheet_html
from persklaar.render import views
from support import REPO

SHIPPED = {"8": ([9, 4, 3], 16), "8.1": ([4, 5, 3], 12), "8.2": ([3, 3, 15, 15, 8, 5], 49)}


def test_module_8_minutes_and_totals():
    pub, _ = load(REPO)
    (module,) = [m for m in pub.modules if m.number == 8]
    assert [s.number for s in module.sections] == list(SHIPPED)
    for section in module.sections:
        minutes, total = SHIPPED[section.number]
        assert [r.minutes for r in section.resources] == minutes
        assert views.section_totals(section) == views.Totals(len(minutes), total)
    assert views.module_totals(module) == views.Totals(12, 77)


def test_each_sheet_prints_its_totals():
    pub, _ = load(REPO)
    labels = pub.labels
    for number, (minutes, total) in SHIPPED.items():
        module, section = pub.section(number)
        html = sheet_html(pub, module, section, pub.meta.date, notes_lines=0)
        assert labels["resources_total"].format(count=len(minutes)) in html
        assert f"{total} {labels['min']}" in html


def test_twelve_placeholder_links_wait_for_their_real_address():
    pub, warnings = load(REPO)
    assert sum(link.placeholder for link in pub.links) == 12
    assert len([w for w in warnings if "placeholder URL" in w.message]) == 12
