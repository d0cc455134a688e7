"""The one renderer: tokens from the core → XHTML, hooks per output."""

from __future__ import annotations

from pathlib import Path

from persklaar.core.load import load
from persklaar.render.html import HtmlRenderer, Page


def test_reference_numbers_follow_external_links(mini: Path):
    pub, _ = load(mini)
    page = Page()
    html = HtmlRenderer(pub).render_body(pub.chapters[0].body, page)
    assert '<a href="https://waymo.com/" class="ext">link naar Waymo</a><sup class="ref"' in html
    assert html.count('href="#link-1"') == 2
    assert "“tekst” – met" in html  # typographic quotes and dashes
    assert [n for n, _ in page.cites] == [1, 1]


def test_headings_carry_the_cores_ids_and_levels(mini: Path):
    pub, _ = load(mini)
    html = HtmlRenderer(pub).render_body(pub.chapters[1].body, Page())
    assert '<h2 id="een-subsectie">Een subsectie</h2>' in html  # ### straight under the title: h2


def test_an_internal_link_without_an_href_keeps_its_text(mini: Path):
    """The base renderer knows no pages: a reference stays text (outputs override the hook)."""
    pub, _ = load(mini)
    html = HtmlRenderer(pub).render_body(pub.chapters[1].body, Page())
    assert "<a>interne link</a>" in html
