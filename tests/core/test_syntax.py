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
