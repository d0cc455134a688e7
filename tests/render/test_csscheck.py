"""`check` reads a publication's own stylesheets as WeasyPrint will (the corpus in
tests/cli/test_bad_inputs.py has the bad cases, through check and a build)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from persklaar.core import load as content
from persklaar.errors import Diagnostics
from persklaar.render import cache
from persklaar.render.csscheck import check_stylesheets
from persklaar.render.styles import stylesheets
from support import REPO, copy_project

CUSTOM = """/* my colours */
:root { --accent: #7a1f3d; }
h1, h2 { letter-spacing: 0.02em; }
@media print { a::after { content: ""; } }
"""


def problems(root: Path) -> list[str]:
    pub, _ = content.load(root)
    diags = Diagnostics()
    check_stylesheets(pub, stylesheets(pub, ("tokens.css", "booklet.css")), diags)
    return [str(d) for d in diags.items]


def test_good_css_passes_and_its_verdict_is_kept(tmp_path: Path) -> None:
    root = copy_project(tmp_path, "mini")
    (root / "styles/custom.css").write_text(CUSTOM, "utf-8")
    assert problems(root) == []
    assert list((root / cache.FOLDER / "css").glob("*.bin"))
    # a later check of the same stylesheets reads the verdicts: WeasyPrint is not even imported
    probe = ("import sys; from persklaar.cli import main; code = main(sys.argv[1:]); "
             "print('weasyprint' in sys.modules); sys.exit(code)")
    runs = [subprocess.run([sys.executable, "-c", probe, "--root", str(root), "check"],
                           capture_output=True, text=True, cwd=REPO, timeout=120) for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[0].stderr + runs[1].stderr
    assert runs[0].stdout.strip().endswith("True")  # the other outputs' stylesheets, read once
    assert runs[1].stdout.strip().endswith("False")


def test_an_edited_stylesheet_is_read_again(tmp_path: Path) -> None:
    root = copy_project(tmp_path, "mini")
    (root / "styles/custom.css").write_text(CUSTOM, "utf-8")
    assert problems(root) == []
    (root / "styles/custom.css").write_text(CUSTOM + "\np { text-align: justfy; }\n", "utf-8")
    cache._memory.clear()
    assert problems(root) == ["styles/custom.css:6:5: WeasyPrint cannot use this CSS: "
                              "Ignored `text-align: justfy`: invalid value"]


def test_a_font_file_added_after_a_check_is_found_by_the_next(tmp_path: Path) -> None:
    """The verdict on the CSS text is kept; whether its font files exist is asked each time."""
    root = copy_project(tmp_path, "mini")
    (root / "styles/custom.css").write_text('@font-face { font-family: "Mine"; src: url("../fonts/Mine.woff2"); }\n')
    assert problems(root) == ["styles/custom.css:1:35: font file '../fonts/Mine.woff2' not found "
                              "(a path relative to styles/)"]
    (root / "fonts").mkdir()
    shutil.copy(REPO / "styles/fonts/noto-sans-math-latin-400-normal.woff2", root / "fonts/Mine.woff2")
    cache._memory.clear()
    assert problems(root) == []


def test_a_font_collection_is_refused_saying_why_and_what_to_do(tmp_path: Path) -> None:
    root = copy_project(tmp_path, "mini")
    (root / "styles/custom.css").write_text('@font-face { font-family: "Mine"; src: url("../fonts/Mine.ttc"); }\n'
                                            '@font-face { font-family: "Old"; src: url("../fonts/Old.eot"); }\n')
    found = problems(root)
    assert any(p.startswith("styles/custom.css:1:35: font file '../fonts/Mine.ttc' is a font collection") and
               "fonttools ttLib -y 0 -o Mine.ttf Mine.ttc" in p for p in found), found
    assert any(p.startswith("styles/custom.css:2:34: font file '../fonts/Old.eot' is not a font format") for p in found)


def test_the_themes_stylesheets_are_not_read(tmp_path: Path) -> None:
    """A publication without styles of its own: the theme's CSS is persklaar's, tested here."""
    root = copy_project(tmp_path, "mini")
    for folder in ("styles", "templates"):
        shutil.rmtree(root / folder)
    assert problems(root) == []
    assert not (root / cache.FOLDER / "css").exists()
