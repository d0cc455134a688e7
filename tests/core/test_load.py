"""The content model: what the loader builds from a sample project, and where errors point."""

from __future__ import annotations

from pathlib import Path

import pytest

from persklaar.core import links
from persklaar.core import load as content
from persklaar.core.model import reading_minutes
from persklaar.core.text import count_words, slugify
from persklaar.errors import ContentError
from support import locale


def load(root: Path):
    return content.load(root)


def test_mini_project_model(mini: Path):
    pub, warnings = load(mini)
    assert warnings == []
    assert pub.meta.title == "Mini Boekje" and pub.meta.language == "nl"
    assert pub.meta.edition == "2"  # quoted in YAML, kept as text
    assert [c.title for c in pub.chapters] == ["Het begin", "Cijfers en meer"]
    assert [c.part for c in pub.chapters] == ["Deel een", "Deel een"]
    module = pub.modules[0]
    assert (module.number, module.icon) == (3, "🔮")
    assert [s.number for s in module.sections] == ["3", "3.1"]
    assert [r.minutes for r in module.sections[0].resources] == [4, 15]
    assert module.sections[0].total_minutes == 19
    assert pub.slug == "mini-boekje"


def test_every_item_remembers_its_source(mini: Path):
    pub, _ = load(mini)
    assert pub.chapters[1].source.path == "content/essay/02-cijfers.md"
    assert pub.chapters[0].body.source.line == 5  # the body starts after the front matter
    resource = pub.modules[0].sections[0].resources[1]
    assert resource.source.path == "content/course/03-robots.yaml"
    lines = (mini / resource.source.path).read_text().split("\n")
    assert "Een lange video" in lines[resource.source.line - 1]


def test_links_numbered_by_first_appearance_same_url_same_number(mini: Path):
    pub, _ = load(mini)
    urls = [link.url for link in pub.links]
    assert urls[0] == "https://waymo.com/"  # cited twice in chapter 1, once as a resource
    assert len(urls) == len(set(urls))
    assert [link.number for link in pub.links] == list(range(1, len(urls) + 1))
    assert len(pub.links[0].sources) == 3
    assert "#top" not in urls  # internal anchors are not listed


def test_data_table_values(mini: Path):
    pub, _ = load(mini)
    table = pub.table("landen")
    assert table is not None
    assert table.column_values("werkloosheid") == [("België", None), ("Nederland", 3.8), ("Duitsland", 6.3)]


def test_reading_time_rounds_up():
    assert reading_minutes(0, 200) == 0
    assert reading_minutes(1, 200) == 1
    assert reading_minutes(200, 200) == 1
    assert reading_minutes(201, 200) == 2


def test_word_count_and_helpers():
    assert count_words("Zelfscankassa's en contactloos-betalen, 72,3% — ok.") == 5
    assert count_words("人工智能很常见。") == 7 and count_words("日本語の文、persklaar も 2025 年。") == 9
    assert count_words("한국어 문장입니다") == 2  # Korean spaces its words
    assert slugify("Welke banen worden overgenomen?") == "welke-banen-worden-overgenomen"
    assert locale("nl").number(634000.0) == "634.000" and locale("nl").number(72.3) == "72,3"
    assert locale("en").number(634000.0) == "634,000" and locale("fr").number(72.3) == "72,3"
    assert locale("fr").number(634000.0) == "634\u00a0000" and locale("de").number(1234.5) == "1.234,5"


def test_placeholder_urls_warned(mini: Path):
    path = mini / "content/course/03-robots.yaml"
    path.write_text(path.read_text().replace("https://waymo.com/", "https://example.com/x"))
    _, warnings = load(mini)
    assert any("placeholder URL https://example.com/x" in w.message for w in warnings)
    assert all(w.where.path == "content/course/03-robots.yaml" for w in warnings)
    assert links.is_placeholder("http://sub.example.org/a") and not links.is_placeholder("https://examples.com")


def test_all_errors_reported_at_once(mini: Path):
    (mini / "content/essay/01-begin.md").write_text("---\ntitle: A\nkleur: rood\n---\n<b>x</b>\n")
    path = mini / "content/course/03-robots.yaml"
    path.write_text(path.read_text().replace("minutes: 4", "minuts: 4"))
    with pytest.raises(ContentError) as caught:
        load(mini)
    shown = [str(d) for d in caught.value.diagnostics]
    assert any(s.startswith("content/essay/01-begin.md:3:1: unknown key 'kleur'") for s in shown)
    assert any(s.startswith("content/essay/01-begin.md:5:1: raw HTML") for s in shown)
    assert any(s.startswith("content/course/03-robots.yaml:") and "'minuts'" in s for s in shown)


def test_links_are_numbered_on_their_tokens(mini: Path):
    pub, _ = load(mini)
    numbered = [t.meta["link"] for _, t in pub.chapters[0].body.walk() if t.type == "link_open"]
    assert numbered == [1, 1]
    assert pub.links[0].url == "https://waymo.com/"
