"""A course resource without a reading time: allowed, said so in every output, counted apart."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pypdf import PdfReader

from support import cli, copy_project, labels

NL = labels("nl")


def test_a_resource_without_minutes_builds_and_says_so(tmp_path: Path):
    root = copy_project(tmp_path)
    course = root / "content/course/03-robots.yaml"
    course.write_text(course.read_text("utf-8").replace("        minutes: 15\n", ""), "utf-8")
    result = cli("--root", str(root))
    assert result.returncode == 0, result.stderr
    untimed = NL["untimed"].format(count=1)
    sheet = PdfReader(root / "dist/handouts/03-robots-in-de-klas.pdf").pages[0].extract_text()
    assert NL["length_unknown"] in sheet and f"4 {NL['min']} + {untimed}" in sheet
    booklet = " ".join(p.extract_text() for p in PdfReader(root / "dist/mini-boekje.pdf").pages)
    assert NL["length_unknown"] in booklet and f"4 + {untimed}" in booklet
    with zipfile.ZipFile(root / "dist/mini-boekje.epub") as epub:
        module = epub.read("EPUB/module-03.xhtml").decode()
    assert NL["length_unknown"] in module and f"+ {untimed}" in module
