"""Internal anchors: what an author writes after `#` reaches the place GitHub would take a reader to."""

from __future__ import annotations

from persklaar.core import markdown, refs
from persklaar.core.bodies import read_body
from persklaar.core.model import Chapter, Target
from persklaar.errors import Diagnostics, SourceLocation


def chapter(slug: str, title: str, text: str, diags: Diagnostics) -> Chapter:
    scope = markdown.Scope(slug, 1, set(), frozenset(), lambda src: None)
    body, _ = read_body(text, SourceLocation(f"content/essay/{slug}.md", 1, 1), scope, diags)
    return Chapter(slug, title, None, body, 0, body.source)


def targets(body) -> list:
    return [token.meta.get("target") for _, token in body.walk() if token.type == "link_open"]


def test_a_chapter_title_is_reached_by_its_github_anchor():
    diags = Diagnostics()
    notes = chapter("03-notes", "Lab notes", "Back to [the notes](#lab-notes).\n", diags)
    other = chapter("01-intro", "Intro", "See [the lab notes](#lab-notes) and [again](03-notes.md#lab-notes).\n", diags)
    refs.resolve((other, notes), (), diags)
    assert not diags.errors, [str(d) for d in diags.errors]
    assert targets(notes.body) == [Target("03-notes")]
    assert targets(other.body) == [Target("03-notes"), Target("03-notes")]


def test_an_anchor_that_is_no_title_or_heading_is_still_refused():
    diags = Diagnostics()
    notes = chapter("03-notes", "Lab notes", "See [x](#lab-note).\n", diags)
    refs.resolve((notes,), (), diags)
    assert len(diags.errors) == 1 and "lab-notes" in str(diags.errors[0])


def test_the_automatic_heading_id_yields_to_an_id_an_author_gave_a_div():
    diags = Diagnostics()
    text = "::: {#intro}\nA block.\n:::\n\n## Intro\n\nSee [the block](#intro) and [the heading](#intro-1).\n"
    notes = chapter("03-notes", "Notes", text, diags)
    refs.resolve((notes,), (), diags)
    assert not diags.errors, [str(d) for d in diags.errors]
    assert [t.meta["id"] for t in notes.body.headings()] == ["intro-1"]
