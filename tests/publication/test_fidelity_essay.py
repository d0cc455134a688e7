"""Fidelity of the essay "Toekomst van Arbeid" to its source (a PDF text extraction).

Every word of the source must survive, in the same order, in content/essay/*.md (front-matter
titles and parts included). Only extraction artefacts may go: bullet glyphs, list numbers (drawn
by CSS), page-break blank lines, hard line wraps, the "=====" rule and the block of bare link
targets that the PDF extraction dumped at the end of the file (those must come back as links).

The check is word based: lowercase, punctuation stripped, URLs kept as single tokens, then the
longest in-order match (difflib.SequenceMatcher on the two word lists). Run with ``-s`` to see
the coverage figure.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from support import REPO as ROOT

SOURCE = ROOT / "tests" / "fixtures" / "seeds" / "essay-source.txt"
ESSAY = ROOT / "content" / "essay"
TABLE = ROOT / "content" / "data" / "arbeidsmarkt-2025.yaml"
PUBLICATION = ROOT / "content" / "publication.yaml"

MIN_COVERAGE = 0.995
TITLE_WORDS = ["toekomst", "van", "arbeid"]  # first line of the source: the publication title

# The LINKS list of the source: link text -> target. The PDF lost the first target; the
# others are the bare URLs at the end of the extraction.
LINKS = {
    "The Future of Jobs Report 2025": "https://www.weforum.org/publications/the-future-of-jobs-report-2025/",
    "Driverless trucks are rolling in Texas, ushering in new era":
        "https://www.axios.com/2025/04/23/texas-driverless-trucks",
    "Waymo": "https://waymo.com/",
    "Wall-E - the Movie": "https://en.wikipedia.org/wiki/WALL-E",
}
TRAILER = "https://www.youtube.com/watch?v=iYj-k3ShpRQ"  # shown as text in the source

URL = re.compile(r"(?:https?://|mailto:)[^\s<>()\[\]]+")
WORD = re.compile(r"\w+(?:['’‘]\w+)*")
# a list marker at the start of a source line: optional bullet glyph, then "1." / "10.Data"
# (but not "4.0-concepten", which is text)
SOURCE_LIST_MARKER = re.compile(r"^(?:[•●\uf0b7\uf0a7▪◦-]\s*)?\d+\.(?!\d)")
CHAPTER_NAME = re.compile(r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")


# -- tokenising -----------------------------------------------------------------------------

def words(text: str) -> list[str]:
    """Lowercased words of ``text``; URLs are single tokens, punctuation and glyphs are dropped."""
    out: list[str] = []
    pos = 0
    for m in URL.finditer(text):
        out += WORD.findall(text[pos:m.start()].lower())
        out.append(m.group().rstrip(".,;:!?").lower())
        pos = m.end()
    out += WORD.findall(text[pos:].lower())
    return out


def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def split_source() -> tuple[list[str], list[str]]:
    """(lines of the essay text, bare link targets dumped at the end of the extraction)."""
    lines = source_text().replace("\u2028", " ").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    targets: list[str] = []
    while lines and URL.fullmatch(lines[-1].strip()):
        targets.insert(0, lines.pop().strip())
    return lines, targets


def source_words() -> list[str]:
    lines, _ = split_source()
    out: list[str] = []
    for line in lines:
        out += words(SOURCE_LIST_MARKER.sub(" ", line.strip(), count=1))
    return out


# -- reading the content --------------------------------------------------------------------

def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    assert text.startswith("---\n"), f"{path.name}: no YAML front matter"
    head, sep, body = text[4:].partition("\n---\n")
    assert sep, f"{path.name}: front matter is not closed with ---"
    data = yaml.load(head, Loader=yaml.BaseLoader) or {}
    assert isinstance(data, dict) and data.get("title"), f"{path.name}: front matter needs a title"
    return data, body


class Chapter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta, body = front_matter(path)
        self.title: str = self.meta["title"]
        self.part: str | None = self.meta.get("part")
        self.pieces: list[str] = []  # plain text, one piece per block
        self.links: list[tuple[str, str]] = []  # (text, href)
        self.tables: list[str] = []
        self.problems: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self._walk(MarkdownIt("commonmark").parse(body))

    def _walk(self, tokens) -> None:
        heading = None
        for tok in tokens:
            where = f"{self.path.name}:{(tok.map or [0])[0] + 1} (body line)"
            if tok.type == "heading_open":
                heading = tok.tag
                if tok.tag not in ("h2", "h3"):
                    self.problems.append(f"{where}: only ## and ### headings are allowed, got {tok.markup}")
            elif tok.type == "heading_close":
                heading = None
            elif tok.type in ("html_block", "html_inline"):
                self.problems.append(f"{where}: raw HTML {tok.content.strip()!r}")
            elif tok.type == "fence":
                if tok.info.strip() == "table":
                    self.tables.append(tok.content.strip())
                else:
                    self.pieces.append(tok.content)
            elif tok.type == "code_block":
                self.problems.append(f"{where}: indented code block (stray indentation?)")
                self.pieces.append(tok.content)
            elif tok.type == "inline":
                text = self._inline(tok, where)
                if heading:
                    self.headings.append((heading, text))
                self.pieces.append(text)

    def _inline(self, tok, where: str) -> str:
        parts: list[str] = []
        link: list | None = None
        children = [c for c in tok.children or [] if not (c.type == "text" and not c.content)]
        for i, child in enumerate(children):
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
                if link is not None:
                    link[0] += child.content
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif child.type == "link_open":
                link = ["", child.attrGet("href")]
            elif child.type == "link_close" and link is not None:
                self.links.append((link[0], link[1]))
                link = None
            elif child.type == "html_inline":
                self.problems.append(f"{where}: raw HTML {child.content!r}")
            elif child.type == "em_open":
                self.problems.append(f"{where}: emphasis (*…* or _…_), accidental? {tok.content[:60]!r}")
            elif child.type == "strong_open" and i != 0:
                self.problems.append(f"{where}: bold only as a lead-in at the start: {tok.content[:60]!r}")
            elif child.type == "image":
                self.problems.append(f"{where}: image in the essay")
        return "".join(parts)


def chapters() -> list[Chapter]:
    paths = sorted(p for p in ESSAY.glob("*.md"))
    assert paths, "no essay chapters in content/essay"
    return [Chapter(p) for p in paths]


def content_words(chs: list[Chapter]) -> list[str]:
    out: list[str] = []
    if PUBLICATION.exists():
        meta = yaml.load(PUBLICATION.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader) or {}
        out += words(meta.get("title", ""))
    part = None
    for ch in chs:
        if ch.part and ch.part != part:  # a part heading is shown once, before its first chapter
            out += words(ch.part)
        part = ch.part
        out += words(ch.title)
        for piece in ch.pieces:
            out += words(piece)
    return out


# -- comparing ------------------------------------------------------------------------------

def compare(src: list[str], dst: list[str]) -> tuple[int, list[tuple[int, int]], list[tuple[int, int]]]:
    """(matched words, gaps in src, gaps in dst) of the longest in-order match."""
    blocks = difflib.SequenceMatcher(None, src, dst, autojunk=False).get_matching_blocks()
    matched = sum(b.size for b in blocks)
    src_gaps, dst_gaps = [], []
    a = b = 0
    for blk in blocks:
        if blk.a > a:
            src_gaps.append((a, blk.a))
        if blk.b > b:
            dst_gaps.append((b, blk.b))
        a, b = blk.a + blk.size, blk.b + blk.size
    return matched, src_gaps, dst_gaps


def describe(seq: list[str], gaps: list[tuple[int, int]], label: str) -> str:
    lines = []
    for start, end in gaps:
        before = " ".join(seq[max(0, start - 6):start])
        after = " ".join(seq[end:end + 6])
        lines.append(f"  {label} [{start}:{end}]: …{before} [[{' '.join(seq[start:end])}]] {after}…")
    return "\n".join(lines)


def _source_for_comparison() -> list[str]:
    src = source_words()
    assert src[:3] == TITLE_WORDS, src[:10]
    if not PUBLICATION.exists():
        src = src[3:]  # the title lives in content/publication.yaml, which is not there yet
    return src


# -- tests ----------------------------------------------------------------------------------

def test_every_source_word_survives_in_order():
    chs = chapters()
    src, dst = _source_for_comparison(), content_words(chs)
    matched, src_gaps, dst_gaps = compare(src, dst)
    coverage = matched / len(src)
    print(f"\nessay fidelity: {matched}/{len(src)} source words in order = {coverage:.4%}"
          f" ({len(dst)} content words, {len(dst) - matched} not from the source)")
    if src_gaps:
        print("missing from the content:\n" + describe(src, src_gaps, "source"))
    if dst_gaps:
        print("not in the source:\n" + describe(dst, dst_gaps, "content"))
    assert coverage >= MIN_COVERAGE, (
        f"only {coverage:.3%} of the source words found in order (need {MIN_COVERAGE:.1%});"
        f" missing:\n{describe(src, src_gaps, 'source')}")
    assert len(dst) - matched <= (1 - MIN_COVERAGE) * len(src), (
        f"the content has words the source does not have here:\n{describe(dst, dst_gaps, 'content')}")


def test_chapter_files_and_markdown_are_clean():
    chs = chapters()
    problems = [p for ch in chs for p in ch.problems]
    for ch in chs:
        if not CHAPTER_NAME.match(ch.path.name):
            problems.append(f"{ch.path.name}: file name must be NN-slug.md (ASCII slug)")
        unknown = set(ch.meta) - {"title", "part"}
        if unknown:
            problems.append(f"{ch.path.name}: unknown front-matter keys {sorted(unknown)}")
    # Markdown syntax the source never uses must not show up as literal text (a broken **, <, [ …)
    stray = [c for c in "*_<>`[]#\\|" if c not in source_text()]
    for ch in chs:
        for piece in ch.pieces:
            shown = URL.sub("", piece)
            if any(c in shown for c in stray):
                problems.append(f"{ch.path.name}: Markdown syntax shown as text in {piece[:70]!r}")
    numbers = [ch.path.name[:2] for ch in chs]
    if len(set(numbers)) != len(numbers):
        problems.append(f"duplicate chapter numbers: {numbers}")
    assert not problems, "\n".join(problems)
    assert 15 <= len(chs) <= 31, f"{len(chs)} chapters"
    last = chs[-1]
    assert last.path.name.endswith("-links.md") and last.title == "Links"


def test_links_list_comes_back_as_links():
    chs = chapters()
    hrefs = {href for ch in chs for _, href in ch.links}
    texts = {text: href for ch in chs for text, href in ch.links}
    _, targets = split_source()
    assert targets, "the source's trailing link targets were not found"
    for url in set(URL.findall(source_text())) | set(LINKS.values()) | {TRAILER}:
        assert url in hrefs, f"URL {url} of the LINKS list is not linked in the essay"
    for text, url in LINKS.items():
        assert text in source_text(), f"link text {text!r} is not in the source"
        assert texts.get(text) == url, f"{text!r} should link to {url}, not {texts.get(text)}"
    shown = [w for piece in chs[-1].pieces for w in words(piece)]
    assert TRAILER.lower() in shown, "the trailer URL is shown as text in the source; keep it visible"


def _null(value) -> bool:
    return value is None or value in ("", "~", "null", "Null", "NULL")


def _dutch_forms(value: str) -> list[str]:
    number = Decimal(value)
    if number == number.to_integral_value():
        n = int(number)
        return [str(n), f"{n:,}".replace(",", ".")]
    return [value.replace(".", ",")]


def _in_source(value: str, text: str) -> bool:
    return any(re.search(r"(?<![\d.,])" + re.escape(form) + r"(?![\d]|[.,]\d)", text)
               for form in _dutch_forms(value))


def test_country_table_uses_only_figures_from_the_essay():
    data = yaml.load(TABLE.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader)
    assert data["title"] == "Arbeidsmarkt in België, Nederland en Duitsland (2025)"
    columns = data["columns"]
    assert columns[0]["key"] == "land"
    numeric = [c["key"] for c in columns if c.get("type") == "number"]
    assert {"werkzaamheidsgraad", "werkloosheid"} <= set(numeric)
    rows = data["rows"]
    assert [r["land"] for r in rows] == ["België", "Nederland", "Duitsland"]
    text = source_text()
    filled = {key: 0 for key in numeric}
    for row in rows:
        assert set(row) <= {c["key"] for c in columns}, row
        for key in numeric:
            value = row.get(key)
            if _null(value):
                continue
            float(value)  # a number, written 72.3 (not 72,3)
            filled[key] += 1
            assert _in_source(value, text), f"{row['land']} {key} = {value} does not appear in the essay"
    assert sum(1 for n in filled.values() if n >= 2) >= 3, filled
    chart = data.get("chart") or []
    assert chart and set(chart) <= set(numeric), chart
    # known figures from the essay
    by_land = {r["land"]: r for r in rows}
    assert by_land["België"]["werkzaamheidsgraad"] == "72.3"
    assert by_land["Nederland"]["werkloosheid"] == "3.8"
    assert by_land["Duitsland"]["werkloosheid"] == "6.3"
    assert by_land["Nederland"]["werkenden"] == "9.8"
    assert by_land["Duitsland"]["werkenden"] == "45.6"
    assert by_land["Duitsland"]["vacatures"] == "634000"
    # placed in the chapter with the country figures
    placed = [ch for ch in chapters() if TABLE.stem in ch.tables]
    assert len(placed) == 1, "the table must be placed exactly once"
    assert ("h2", "Arbeidsmarkt in België, Nederland en Duitsland (2025)") in placed[0].headings


def test_the_check_can_fail():
    """The comparison notices a dropped paragraph and a moved one."""
    src = source_words()
    dropped = src[:500] + src[560:]
    matched, gaps, _ = compare(src, dropped)
    assert matched == len(src) - 60 and gaps == [(500, 560)]
    moved = src[:100] + src[400:] + src[100:400]
    matched, _, extra = compare(src, moved)
    assert matched < len(src) and extra


@pytest.mark.parametrize("line, expected", [
    ("10.Data-invoermedewerkers: Dit is", ["data", "invoermedewerkers", "dit", "is"]),
    (" • Werkloosheid: Het aandeel", ["werkloosheid", "het", "aandeel"]),
    ("4.0-concepten. Het duale", ["4", "0", "concepten", "het", "duale"]),
    ("● De exacte impact", ["de", "exacte", "impact"]),
])
def test_source_list_markers_are_dropped(line, expected):
    assert words(SOURCE_LIST_MARKER.sub(" ", line.strip(), count=1)) == expected
