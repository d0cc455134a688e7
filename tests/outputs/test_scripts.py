"""Every script an author types: the shipped fonts draw and shape it in every output, and
`check` refuses what would print wrong (no font, or a font that cannot shape the script).

One publication with a chapter in every script (tests/fixtures/scripts-chapter.md, written
once in characters and once partly as entities) is built once through the real command line.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import FIXTURES, REPO, cli, copy_project, epubcheck

CHAPTER = (FIXTURES / "scripts-chapter.md").read_text("utf-8")
HEBREW = ("---\ntitle: עברית\nlanguage: he\n---\n"
          "זהו פרק בעברית, עם מספרים 2024 ומילה באנגלית: persklaar. הטקסט מיושר לימין.\n")
FONTS = REPO / "styles/fonts"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("scripts"))
    (root / "content/essay/03-schrift.md").write_text(CHAPTER, "utf-8")
    (root / "content/essay/04-ivrit.md").write_text(HEBREW, "utf-8")
    checked = cli("check", "--root", str(root))
    assert checked.returncode == 0, checked.stderr
    result = cli("--root", str(root))
    assert result.returncode == 0, result.stderr + result.stdout  # no .notdef glyph anywhere
    return root / "dist"


def _page_fonts(pdf: Path, needle: str) -> set[str]:
    reader = PdfReader(pdf)
    for page in reader.pages:
        if needle in page.extract_text():
            fonts = page["/Resources"]["/Font"]
            return {str(fonts[name].get_object()["/BaseFont"]).split("+")[-1].replace("-", "") for name in fonts}
    raise AssertionError(f"no page with {needle!r} in {pdf}")


@pytest.mark.slow
def test_the_booklet_prints_each_script_with_its_own_font_and_keeps_the_latin_body_font(built: Path):
    fonts = _page_fonts(built / "mini-boekje.pdf", "Devanagari conjuncts")
    for family in ("NotoSansArabic", "NotoSansHebrew", "NotoSansDevanagari", "NotoSansBengali", "NotoSansThai",
                   "NotoSerif"):
        assert any(f.startswith(family) for f in fonts), (family, fonts)
    assert any(f.startswith("SourceSerif4") for f in fonts), fonts  # the body font is not replaced


@pytest.mark.slow
def test_the_epub_carries_the_decoded_text_and_passes_epubcheck(built: Path):
    with zipfile.ZipFile(built / "mini-boekje.epub") as epub:
        xhtml = epub.read("EPUB/chapter-03-schrift.xhtml").decode()
    assert "العربية" in xhtml and "नमस्ते" in xhtml and "CO₂" in xhtml  # the entities, decoded
    assert epubcheck(built / "mini-boekje.epub") == []


@pytest.mark.slow
def test_a_chapter_in_a_right_to_left_language_says_so_in_every_output(built: Path):
    with zipfile.ZipFile(built / "mini-boekje.epub") as epub:
        xhtml = epub.read("EPUB/chapter-04-ivrit.xhtml").decode()
    assert re.search(r'<section class="chapter"[^>]* lang="he" xml:lang="he" dir="rtl">', xhtml), xhtml
    web = (built / "web/chapter-04-ivrit.html").read_text("utf-8")
    for script in ("arabic", "hebrew", "devanagari", "bengali", "thai"):  # their faces travel to the site
        assert list((built / "web/fonts").glob(f"noto-sans-{script}-{script}-400-normal.woff2")), script
    assert re.search(r'<article class="chapter"[^>]* lang="he" dir="rtl">', web)
    three = (built / "web/chapter-03-schrift.html").read_text("utf-8")
    assert re.search(r'<article class="chapter" id="top" aria-labelledby="title">', three)  # no language: none


@pytest.mark.slow
def test_a_span_in_another_language_gets_its_direction_in_every_output(built: Path):
    with zipfile.ZipFile(built / "mini-boekje.epub") as epub:
        xhtml = epub.read("EPUB/chapter-03-schrift.xhtml").decode()
    web = (built / "web/chapter-03-schrift.html").read_text("utf-8")
    for page in (xhtml, web):
        assert '<span lang="he" dir="rtl">שלום לכולם</span>' in page
        assert '<span lang="ar" dir="rtl">أهلا وسهلا</span>' in page


@pytest.mark.slow
def test_the_booklet_tags_each_passage_with_its_language(built: Path):
    """`/Lang` on the structure elements of a Hebrew chapter and of an Arabic span, below the
    catalog's `/Lang` of the publication (PDF/UA-1 7.2): a screen reader switches voice."""
    reader = PdfReader(built / "mini-boekje.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    found: dict[str, set[str]] = {}
    todo = list(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    while todo:
        kid = todo.pop()
        element = kid.get_object() if hasattr(kid, "get_object") else kid
        if not hasattr(element, "get") or element.get("/Type") not in ("/StructElem", None):
            continue
        if "/Lang" in element:
            found.setdefault(str(element["/Lang"]), set()).add(str(element["/S"]))
        kids = element.get("/K", [])
        todo.extend(kids if isinstance(kids, list) else [kids])
    assert "/Span" in found.get("ar", set()) and "/Span" in found.get("he", set()), found
    assert "/Sect" in found.get("he", set()), found  # the Hebrew chapter as a whole


@pytest.mark.slow
def test_hebrew_text_in_the_booklet_is_aligned_to_the_right(built: Path):
    reader = PdfReader(built / "mini-boekje.pdf")
    page = next(p for p in reader.pages if "הטקסט" in p.extract_text())
    width = float(page.mediabox.width)
    xs: list[float] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: xs.append(tm[4] * cm[0] + cm[4])
                      if any("\u0590" <= c <= "\u05ff" for c in text) else None)
    # the short last line of the paragraph starts far right (left-aligned, every line would start at the margin)
    assert xs and max(xs) > width * 0.6


def test_the_direction_comes_from_the_language():
    from persklaar.core.direction import direction

    assert [direction(tag) for tag in ("he", "ar", "fa-IR", "az-Arab", "en", "nl", "sr-Latn", "ku-Latn")] == \
        ["rtl", "rtl", "rtl", "rtl", "ltr", "ltr", "ltr", "ltr"]


# ---------------------------------------------------------------- shaping, against HarfBuzz


def _shaped(font: Path, text: str, script: str) -> tuple[list[int], list[int]]:
    """HarfBuzz's glyphs for `text`, and the glyphs the cmap gives each character alone."""
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    ttf = TTFont(str(font))
    ttf.flavor = None  # HarfBuzz reads TrueType, not WOFF2
    raw = io.BytesIO()
    ttf.save(raw)
    face = hb.Face(hb.Blob(raw.getvalue()))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.script = script
    hb.shape(hb.Font(face), buf, {})
    cmap = ttf.getBestCmap()
    alone = [ttf.getGlyphID(cmap[ord(c)]) for c in text]
    assert 0 not in alone and all(g.codepoint for g in buf.glyph_infos)  # every letter has a glyph
    return sorted(g.codepoint for g in buf.glyph_infos), sorted(alone)


@pytest.mark.parametrize("font, text, script, shapes", [
    ("noto-sans-arabic-arabic-400-normal.woff2", "مرحبا", "Arab", True),
    ("noto-sans-devanagari-devanagari-400-normal.woff2", "क्षत्रिय", "Deva", True),
    ("noto-sans-math-latin-400-normal.woff2", "مرحبا", "Arab", False),
])
def test_the_check_knows_which_fonts_shape_as_harfbuzz_does(font: str, text: str, script: str, shapes: bool):
    from persklaar.render import scripts

    shaped, alone = _shaped(FONTS / font, text, script)
    assert (shaped != alone) is shapes  # HarfBuzz joined or combined the letters, or left them alone
    assert scripts.shapes(FONTS / font, script) is shapes


def _without(root: Path, family: str) -> None:
    """Take the faces of `family` out of the project's fonts.css."""
    css = root / "styles/fonts.css"
    text = css.read_text("utf-8")
    kept = re.sub(r'@font-face \{[^}]*font-family: "' + re.escape(family) + r'";[^}]*\}\n', "", text)
    assert kept != text
    css.write_text(kept, "utf-8")


def test_check_refuses_arabic_that_only_a_font_without_shaping_has(tmp_path: Path):
    root = copy_project(tmp_path)
    _without(root, "Noto Sans Arabic")  # left: Noto Sans Math, which has Arabic letters, unjoinable
    (root / "content/essay/03-ar.md").write_text("---\ntitle: Ar\n---\nDe groet مرحبا.\n", "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    assert re.search(r"^content/essay/03-ar\.md:4:10: م U\+0645 \(Arabic, 5 characters in this file\) "
                     r"would print unshaped .*Noto Sans Math", result.stderr, re.M), result.stderr
    assert result.stderr.count("content/essay/03-ar.md") == 1  # the other letters are not reported again


def test_check_refuses_devanagari_from_a_font_stripped_of_its_shaping(tmp_path: Path):
    from fontTools import subset
    from fontTools.ttLib import TTFont

    root = copy_project(tmp_path)
    for weight in (400, 700):
        path = root / f"styles/fonts/noto-sans-devanagari-devanagari-{weight}-normal.woff2"
        font = TTFont(str(path))
        options = subset.Options()
        options.layout_features = []  # the letters stay, the conjunct and matra rules go
        options.flavor = "woff2"
        sub = subset.Subsetter(options)
        sub.populate(unicodes=font.getBestCmap().keys())
        sub.subset(font)
        font.save(str(path))
    (root / "content/essay/03-hi.md").write_text("---\ntitle: Hi\n---\nनमस्ते\n", "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    assert re.search(r"^content/essay/03-hi\.md:4:1: न U\+0928 \(Devanagari, [0-9]+ characters in this file\) "
                     r"would print unshaped", result.stderr, re.M), result.stderr


# ---------------------------------------------------------------- what check sees and says


def test_check_reads_entities_and_reports_a_script_once_a_file_with_a_message_of_its_own(tmp_path: Path):
    root = copy_project(tmp_path)
    chinese = "中文的句子很长，包含许多不同的汉字。"
    (root / "content/essay/03-zh.md").write_text(
        f"---\ntitle: Zh\n---\nChinees: {chinese}\n\nNog eens: {chinese}\n\nMalayalam: x&#x0D06;y\n", "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("content/essay/03-zh.md")]
    han = len(set(chinese))
    assert lines[0] == (f"content/essay/03-zh.md:4:10: no font for 中 U+4E2D (Chinese, {han} characters in this "
                        "file): run `persklaar fonts add noto-sans-sc` (it fetches the free font Noto Sans SC into "
                        "fonts/ and names it in theme.fonts.scripts), or add a font of your own to fonts/ "
                        "(theme.fonts)")
    assert any(line.startswith("content/essay/03-zh.md:8:13: no font for ആ U+0D06 (Malayalam)")
               for line in lines), lines
    assert len(lines) == 2  # Chinese once (its full-width punctuation with it), Malayalam once
    assert "docs/" not in result.stderr


def test_check_reports_japanese_once_a_file_kanji_with_kana_and_names_the_japanese_font(tmp_path: Path):
    root = copy_project(tmp_path)
    japanese = "日本語の文です。カタカナもあります。"  # kanji, hiragana, katakana: three Unicode scripts
    (root / "content/essay/03-ja.md").write_text(f"---\ntitle: Ja\nlanguage: ja\n---\n{japanese}\n", "utf-8")
    (root / "content/essay/04-zh.md").write_text("---\ntitle: Zh\n---\n中文。\n", "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("content/essay/0")]
    assert lines == [
        f"content/essay/03-ja.md:5:1: no font for 日 U+65E5 (Japanese, {len(set(japanese))} characters in this file): "
        "run `persklaar fonts add noto-sans-jp` (it fetches the free font Noto Sans JP into fonts/ and names it in "
        "theme.fonts.scripts), or add a font of your own to fonts/ (theme.fonts)",
        "content/essay/04-zh.md:4:1: no font for 中 U+4E2D (Chinese, 3 characters in this file): run `persklaar fonts "
        "add noto-sans-sc` (it fetches the free font Noto Sans SC into fonts/ and names it in theme.fonts.scripts), "
        "or add a font of your own to fonts/ (theme.fonts)"], result.stderr  # kanji without kana: Chinese


def test_check_reads_the_escapes_of_a_yaml_title(tmp_path: Path):
    root = copy_project(tmp_path)
    (root / "content/essay/03-y.md").write_text('---\ntitle: "Titel \\u0D06"\n---\nTekst.\n', "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    assert re.search(r"^content/essay/03-y\.md:2:8: no font for ആ U\+0D06", result.stderr, re.M), result.stderr


def _assigned(*ranges: tuple[int, int], but: str = "") -> str:
    import unicodedata

    unassigned = ("Cn", "Cc", "Cs", "Co", "Zs", "Zl", "Zp")
    return "".join(chr(c) for a, b in ranges for c in range(a, b + 1)
                   if unicodedata.category(chr(c)) not in unassigned and chr(c) not in but)


# What docs/content-format.md says the shipped fonts cover ("every character must be in the fonts"), and examples
# of what it says they do not: check agrees with the page, both ways.
COVERED = {
    "latin": _assigned((0xA0, 0x17F), (0x1EA0, 0x1EF9)) + "șțȘȚǎǐǒǔǖǘǚǜƏəẀẁẂẃẄẅḌḍḤḥṂṃṆṇṚṛṢṣṬṭẞ",
    "greek": _assigned((0x370, 0x3FF), (0x1F00, 0x1FFF), but=_assigned((0x3E2, 0x3EF))),
    "cyrillic": _assigned((0x400, 0x52F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F)),
    "arabic-hebrew": _assigned((0x600, 0x6FF), (0x750, 0x77F), (0x591, 0x5FF)),
    "indic-thai": _assigned((0x900, 0x9FF), (0xE00, 0xE7F)),
    "signs": _assigned((0x2070, 0x209F), (0x2190, 0x22FF), (0x1D400, 0x1D7FF)) + "€£¥₹₽₺₴₩₪₫₦₱₸₿",
    "emoji": _assigned((0x1F600, 0x1F64F), (0x1F680, 0x1F6FF)),
}
NOT_COVERED = "ϢƂ⅓Ⅳ‰├₼\u031b"


@pytest.mark.slow
def test_check_accepts_what_the_docs_say_is_covered_and_names_what_they_say_is_not(tmp_path: Path):
    root = copy_project(tmp_path)
    for n, (name, text) in enumerate(COVERED.items(), start=10):
        (root / f"content/essay/{n}-{name}.md").write_text(f"---\ntitle: {name}\n---\nx{' '.join(text)}\n", "utf-8")
    for n, char in enumerate(NOT_COVERED, start=30):  # a file each: Ƃ and Ⅳ are both Latin, one finding a file
        (root / f"content/essay/{n}-not.md").write_text(f"---\ntitle: Not\n---\nNot: q{char}\n", "utf-8")
    (root / "content/essay/40-nfc.md").write_text("---\ntitle: NFC\n---\nTie\u0302\u0301ng Vie\u0323\u0302t, o\u031b\n",
                                                  "utf-8")  # decomposed, as macOS saves it: read composed
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    found = sorted(line for line in result.stderr.splitlines() if line.startswith("content/"))
    expected = [f"content/essay/{n}-not.md:4:7: no font for {char} U+{ord(char):04X}"
                for n, char in enumerate(NOT_COVERED, start=30)]
    assert [line.split(" (")[0] for line in found] == expected, found
    for n in range(30, 30 + len(NOT_COVERED)):
        (root / f"content/essay/{n}-not.md").unlink()
    built = cli("--root", str(root), "-q", "booklet")  # and the build prints what check passed (no .notdef)
    assert built.returncode == 0, built.stderr


# ---------------------------------------------------------------- fonts travel


@pytest.mark.slow
def test_a_font_of_the_publications_own_css_is_packed_into_the_epub(tmp_path: Path):
    import shutil

    root = copy_project(tmp_path)
    (root / "fonts").mkdir(exist_ok=True)
    shutil.copy(FONTS / "noto-sans-hebrew-hebrew-400-normal.woff2", root / "fonts/eigen-hebreeuws.woff2")
    (root / "styles/custom.css").write_text(
        '@font-face { font-family: "Eigen"; src: url("../fonts/eigen-hebreeuws.woff2") format("woff2"); }\n'
        'p { font-family: "Eigen", serif; }\n', "utf-8")
    (root / "content/essay/03-shalom.md").write_text("---\ntitle: Shalom\n---\n[שלום]{lang=he}\n", "utf-8")
    result = cli("--root", str(root), "epub")
    assert result.returncode == 0, result.stderr + result.stdout
    epub_path = root / "dist/mini-boekje.epub"
    with zipfile.ZipFile(epub_path) as epub:
        css = epub.read("EPUB/css/epub.css").decode()
        assert 'url("fonts/eigen-hebreeuws.woff2")' in css
        packed = epub.read("EPUB/css/fonts/eigen-hebreeuws.woff2")
        opf = epub.read("EPUB/content.opf").decode()
    assert re.search(r'<item [^>]*href="css/fonts/eigen-hebreeuws.woff2"[^>]*media-type="font/woff2"', opf) or \
        re.search(r'<item [^>]*media-type="font/woff2"[^>]*href="css/fonts/eigen-hebreeuws.woff2"', opf), opf
    assert epubcheck(epub_path) == []  # no RSC-007: the font is in the package
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(packed))  # cut down to what the publication writes: שלום, not א
    assert font.flavor == "woff2" and {ord(c) for c in "שלום"} <= set(font.getBestCmap())
    assert 0x05D0 not in font.getBestCmap()
    assert len(packed) < (root / "fonts/eigen-hebreeuws.woff2").stat().st_size


# ---------------------------------------------------------------- a font for one script


def _runic_font(path: Path) -> None:
    """A small TTF with three Runic letters (squares) and a space: a font for one script."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", "space", "fehu", "uruz", "thurisaz"]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x20: "space", 0x16A0: "fehu", 0x16A2: "uruz", 0x16A6: "thurisaz"})
    glyphs = {}
    for glyph in names:
        pen = TTGlyphPen(None)
        pen.moveTo((100, 0)), pen.lineTo((100, 700)), pen.lineTo((500, 700)), pen.lineTo((500, 0)), pen.closePath()
        glyphs[glyph] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({glyph: (600, 100) for glyph in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Runen Test", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.save(str(path))


@pytest.mark.slow
def test_a_font_for_one_script_is_added_behind_the_body_font(tmp_path: Path):
    root = copy_project(tmp_path)
    (root / "content/essay/03-runen.md").write_text("---\ntitle: Runen\n---\nDe runen ᚠᚢᚦ staan in een Latijnse zin.\n")
    refused = cli("check", "--root", str(root))
    assert refused.returncode == 1 and "no font for ᚠ U+16A0 (Runic, 3 characters in this file)" in refused.stderr
    (root / "fonts").mkdir(exist_ok=True)
    _runic_font(root / "fonts/runen.ttf")
    publication = root / "content/publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "theme:\n  fonts:\n    scripts: [fonts/runen.ttf]\n")
    result = cli("--root", str(root), "booklet", "web")
    assert result.returncode == 0, result.stderr + result.stdout
    fonts = _page_fonts(root / "dist/mini-boekje.pdf", "Latijnse zin")
    assert any(f.startswith("PublicationScript1") for f in fonts), fonts
    assert any(f.startswith("SourceSerif4") for f in fonts), fonts  # the body font still sets the Latin text
    css = (root / "dist/web/style.css").read_text("utf-8")
    assert '--font-own-scripts: "Publication Script 1";' in css and (root / "dist/web/fonts/runen.ttf").is_file()


def test_a_script_font_without_a_space_is_refused(tmp_path: Path):
    """Pango sets the spaces beside a script's letters in the script's font: without a space
    glyph there, the booklet would print boxes (WeasyPrint: .notdef), so check says so first."""
    from fontTools.ttLib import TTFont

    root = copy_project(tmp_path)
    (root / "fonts").mkdir(exist_ok=True)
    _runic_font(root / "fonts/runen.ttf")
    font = TTFont(root / "fonts/runen.ttf")
    for table in font["cmap"].tables:
        table.cmap.pop(0x20, None)
    font.save(root / "fonts/runen.ttf")
    publication = root / "content/publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "theme:\n  fonts:\n    scripts: [fonts/runen.ttf]\n")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    assert re.search(r"^content/publication.yaml:15:15: font 'fonts/runen.ttf' has no space character", result.stderr,
                     re.M), result.stderr


def test_a_font_collection_for_a_script_is_refused_saying_why(tmp_path: Path):
    root = copy_project(tmp_path)
    publication = root / "content/publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "theme:\n  fonts:\n    scripts: [fonts/cjk.ttc]\n")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    assert re.search(r"^content/publication.yaml:\d+:\d+: .*'fonts/cjk.ttc' is a font collection", result.stderr,
                     re.M), result.stderr
