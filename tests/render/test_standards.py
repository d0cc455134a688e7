"""The PDF standards: every choice of the schema has a way to be made, and nothing else."""

from __future__ import annotations

import pytest

from persklaar.core import standards as names
from persklaar.errors import BuildError
from persklaar.render import standards


def test_every_choice_is_made_with_a_weasyprint_variant_and_tags():
    assert set(standards.VARIANTS) == set(names.CHOICES)
    assert names.DEFAULT in names.CHOICES
    for choice in names.CHOICES:
        options = standards.write_options(choice)
        assert options["pdf_tags"] is True
        assert options["pdf_variant"].startswith("pdf/ua-1" if choice == "ua-1" else "pdf/a-")


def test_declared_standards():
    assert names.declared("ua-1+a-2u") == ("PDF/UA-1", "PDF/A-2u")
    assert names.declared("a-3u") == ("PDF/A-3u",)
    assert [c for c in names.CHOICES if names.is_accessible(c)] == ["ua-1+a-2u", "ua-1"]


def test_an_unknown_standard_is_refused():
    with pytest.raises(BuildError, match="unknown PDF standard 'a-4u'"):
        standards.write_options("a-4u")


@pytest.mark.parametrize(("standard", "refused"), [("ua-1+a-2u", True), ("a-3u", True), ("ua-1", False)])
def test_a_cmyk_image_is_refused_only_where_pdf_a_cannot_hold_it(standard: str, refused: bool, tmp_path):
    import io

    from PIL import Image

    from persklaar.core import load as content
    from persklaar.errors import Diagnostics
    from persklaar.outputs.booklet import Booklet
    from support import copy_project

    root = copy_project(tmp_path)
    jpeg = io.BytesIO()
    Image.new("CMYK", (8, 8), (0, 128, 255, 20)).save(jpeg, "JPEG")
    (root / "content/essay/foto.jpg").write_bytes(jpeg.getvalue())
    (root / "content/essay/03-foto.md").write_text("---\ntitle: Foto\n---\n![Een foto](foto.jpg)\n", "utf-8")
    with (root / "content/publication.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write(f"pdf_standard: {standard}\n")
    pub, _ = content.load(root)
    diags = Diagnostics()
    Booklet().check(pub, diags)
    found = [str(d) for d in diags.errors]
    assert found == ([f"content/essay/03-foto.md:4:13: image 'foto.jpg' is CMYK: {names.declared(standard)[-1]} "
                      "(pdf_standard in publication.yaml) needs RGB or greyscale; save it as RGB"] if refused else [])
