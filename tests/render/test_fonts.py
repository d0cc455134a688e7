"""A publication's font files are opened as the renderer will, by `check` (the corpus in
tests/cli/test_bad_inputs.py runs damaged fonts through check and a build)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from persklaar.build.check import load_checked
from persklaar.core import load as content
from persklaar.errors import ContentError, Diagnostics
from persklaar.render import cache
from persklaar.render.fonts import check_font_files, font_problem
from support import REPO

WOFF2 = REPO / "styles/fonts/source-sans-3-latin-400-normal.woff2"


def ttf() -> bytes:
    from fontTools.ttLib import TTFont

    font = TTFont(str(WOFF2))
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def verdict(root: Path, name: str, data: bytes) -> str | None:
    path = root / "fonts" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return font_problem(root, path)


def test_whole_fonts_are_usable(mini: Path):
    assert verdict(mini, "a.ttf", ttf()) is None
    assert verdict(mini, "a.woff2", WOFF2.read_bytes()) is None


@pytest.mark.parametrize(("name", "damage", "reason"), [
    ("first-1000-bytes.ttf", lambda d: d[:1000], "table ends at byte"),
    ("half.ttf", lambda d: d[: len(d) // 2], "the file is cut short"),
    ("zeroed-middle.ttf", lambda d: d[:2000] + bytes(len(d) - 4000) + d[-2000:], ""),
    ("text.ttf", lambda d: b"not a font at all\n", "Not a TrueType or OpenType font"),
])
def test_a_damaged_ttf_is_not_usable(mini: Path, name: str, damage, reason: str):
    problem = verdict(mini, name, damage(ttf()))
    assert problem and reason in problem, problem


@pytest.mark.parametrize(("damage", "reason"), [
    (lambda d: d[:300] + bytes(len(d) - 600) + d[-300:], "brotli"),
    (lambda d: d[: len(d) // 2], "brotli"),
])
def test_a_damaged_woff2_is_not_usable(mini: Path, damage, reason: str):
    problem = verdict(mini, "x.woff2", damage(WOFF2.read_bytes()))
    assert problem and reason in problem, problem


def test_the_verdict_is_cached_by_content(mini: Path):
    data = ttf()[:1000]
    first = verdict(mini, "x.ttf", data)
    assert first and list((mini / cache.FOLDER / "font-verdicts").glob("*.bin"))
    assert verdict(mini, "y.ttf", data) == first
    assert verdict(mini, "x.ttf", ttf()) is None  # new bytes, a new verdict


def test_fonts_outside_the_publication_and_other_files_are_left_alone(mini: Path, tmp_path: Path):
    pub, _ = content.load(mini)
    outside = tmp_path / "elsewhere.ttf"
    outside.write_bytes(b"broken")
    (mini / "fonts").mkdir()
    (mini / "fonts/LICENSE.txt").write_text("OFL")
    diags = Diagnostics()
    check_font_files(pub, [outside, mini / "fonts/LICENSE.txt"], diags)
    assert diags.items == []


def test_check_names_a_damaged_font_in_fonts_even_unused(mini: Path):
    (mini / "fonts").mkdir()
    (mini / "fonts/kapot.otf").write_bytes(ttf()[:5000])
    (mini / "fonts/heel.ttf").write_bytes(ttf())
    with pytest.raises(ContentError) as caught:
        load_checked(mini, ("web",), strict=False)
    [found] = [str(d) for d in caught.value.diagnostics]
    assert re.fullmatch(r"fonts/kapot\.otf:1:1: is not a usable font \(its \w+ table ends at byte [\d,]+, "
                        r"the file at 5,000: the file is cut short\)", found), found


def test_check_names_a_damaged_font_the_custom_css_uses(mini: Path):
    (mini / "assets").mkdir()
    (mini / "assets/eigen.ttf").write_bytes(ttf()[:3000])
    (mini / "styles/custom.css").write_text('@font-face { font-family: "Eigen"; src: url(../assets/eigen.ttf); }\n'
                                           'body { font-family: "Eigen"; }\n')
    with pytest.raises(ContentError) as caught:
        load_checked(mini, ("booklet",), strict=False)
    assert "assets/eigen.ttf:1:1: is not a usable font (" in [str(d) for d in caught.value.diagnostics][0]

