"""GitHub's heading ids and Pandoc's attributes, as `core.text` and `core.syntax` read them."""

from __future__ import annotations

import pytest

from persklaar.core.markdown import parser
from persklaar.core.syntax import parse_attrs
from persklaar.core.text import github_slug


@pytest.mark.parametrize(("heading", "anchor"), [
    ("You'd", "youd"), ("What's new?", "whats-new"), ("e.g.", "eg"), ("flags/patterns", "flagspatterns"),
    ("script.sh", "scriptsh"), ("Booting + Live USBs", "booting--live-usbs"), ("snake_case-name", "snake_case-name"),
    ("Industriële werknemer", "industriële-werknemer"), ("A -- B", "a----b"), ("8.1 Welke banen?", "81-welke-banen"),
])
def test_heading_ids_follow_github(heading: str, anchor: str):
    assert github_slug(heading) == anchor


def test_attributes_are_read_as_pandoc_writes_them():
    assert parse_attrs('{#fig .a .b width=50% title="Een titel"}') == {
        "id": "fig", "width": "50%", "title": "Een titel", "class": "a b"}
    assert parse_attrs("{width=3cm height='2 cm'}") == {"width": "3cm", "height": "2 cm"}
    assert parse_attrs("{width=}") is None and parse_attrs("no braces") is None


def test_a_heading_keeps_its_words_without_the_braces():
    tokens = parser().parse("## Eigen kop {#mijn-id .x}\n")
    assert tokens[0].meta["attrs"] == {"id": "mijn-id", "class": "x"}
    assert tokens[1].content == "Eigen kop" and tokens[1].children[-1].content == "Eigen kop"


def test_strikethrough_and_subscript_both_stay():
    kinds = [t.type for t in parser().parse("~~weg~~ en H~2~O\n")[1].children]
    assert "s_open" in kinds and "sub_open" in kinds


@pytest.mark.parametrize("gap", ["", "\n"])
def test_a_table_caption_right_under_the_table_is_its_caption_as_in_pandoc(gap: str):
    table = "| Sector | Banen |\n|---|--:|\n| Zorg | 120 |\n"
    tokens = parser().parse(f"{table}{gap}: Banen per *sector* {{#tbl-banen}}\n")
    assert tokens[0].type == "table_open" and tokens[0].meta["attrs"] == {"id": "tbl-banen"}
    assert [t.type for t in tokens[1:4]] == ["table_caption_open", "inline", "table_caption_close"]
    assert [c.type for c in tokens[2].children] == ["text", "em_open", "text", "em_close", "text"]
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 2 and tokens[-1].type == "table_close"  # the caption is no row


def test_a_row_whose_first_cell_starts_with_a_colon_stays_a_row():
    tokens = parser().parse("| a | b |\n|---|---|\n| : x | |\n")
    assert not any("caption" in t.type for t in tokens) and len([t for t in tokens if t.type == "tr_open"]) == 2
