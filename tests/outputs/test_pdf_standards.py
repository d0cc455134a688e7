"""The PDFs meet the standards they declare, by veraPDF's verdict (tests/verapdf.py).

Built with the real command line, as an author builds: the shipped publication with
the default standard (PDF/UA-1 and PDF/A-2u in one file), and the mini project (with
an image, a chart, tables and links) with each other choice of `pdf_standard`; for PDF/UA-1
alone, with a chapter and a handout in every script too (`support.add_scripts`: Arabic,
Hebrew, Devanagari… and Chinese in a font of the publication's own).
veraPDF (Java) runs once for all files; any failed rule fails its file's test, with the
rule's number and text. Two controls show that the validator can say no.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from persklaar.core import standards
from support import CJK, add_edge_cases, add_scripts, cli, copy_project, copy_repo_project, labels
from verapdf import Verdict, validate

# One worker runs this module (pytest runs with --dist loadgroup): Java starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("verapdf")]

FLAVOURS = {"ua-1": "ua1", "a-2u": "2u", "a-3u": "3u"}  # veraPDF's names of the profiles
PROJECTS = {  # standard → (project, outputs built, files validated)
    standards.DEFAULT: ("real", ("booklet", "handouts"), ("booklet", "handout", "combined")),
    "a-2u": ("edge", ("booklet", "handouts"), ("booklet", "handout", "combined")),
    "ua-1": ("scripts", ("booklet", "handouts"), ("booklet", "handout")),
    "a-3u": ("edge", ("booklet",), ("booklet",)),
}
CASES = [(standard, kind) for standard, (_, _, kinds) in PROJECTS.items() for kind in kinds]


def flavours(standard: str) -> list[str]:
    return [FLAVOURS[part] for part in standard.split("+")]


def build(base: Path, standard: str) -> Path:
    """The project for `standard`, built by `persklaar`; returns its dist/."""
    project, outputs, _ = PROJECTS[standard]
    folder = base / standard.replace("+", "_")
    folder.mkdir()
    root = copy_repo_project(folder) if project == "real" else copy_project(folder)
    if project in ("edge", "scripts"):
        add_edge_cases(root)
    if project == "scripts":
        add_scripts(root)
    if standard != standards.DEFAULT:
        with (root / "content/publication.yaml").open("a", encoding="utf-8") as yaml:
            yaml.write(f"pdf_standard: {standard}\n")
    result = cli("--root", str(root), "-q", *outputs)
    assert result.returncode == 0, result.stderr
    return root / "dist"


def files(dist: Path) -> dict[str, Path]:
    combined = dist / "handouts" / f"{labels('nl')['file_all_handouts']}.pdf"  # both projects are Dutch
    handouts = sorted(p for p in (dist / "handouts").glob("*.pdf") if p != combined)
    return {"booklet": next(p for p in dist.glob("*.pdf") if not p.stem.endswith("-imposed")),
            "imposed": next(dist.glob("*-imposed.pdf")),
            "handout": handouts[0] if handouts else dist / "none.pdf",
            "combined": combined}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, Path]]:
    base = tmp_path_factory.mktemp("standards")
    return {standard: files(build(base, standard)) for standard in PROJECTS}


@pytest.fixture(scope="module")
def verdicts(built) -> dict[tuple[str, Path], Verdict]:
    """Every file for every flavour of its standard, plus the controls, in one run."""
    pairs = [(flavour, built[standard][kind]) for standard, kind in CASES for flavour in flavours(standard)]
    pairs += [("ua1", built[standards.DEFAULT]["imposed"]), ("ua1", built["a-2u"]["booklet"])]
    return validate(pairs)


@pytest.mark.parametrize(("standard", "kind"), CASES)
def test_file_meets_its_standard(standard: str, kind: str, built, verdicts) -> None:
    path = built[standard][kind]
    for flavour in flavours(standard):
        verdict = verdicts[(flavour, path)]
        assert verdict.compliant, verdict.report()


def test_the_pdf_ua_files_hold_every_script(built) -> None:
    """What veraPDF passed as PDF/UA-1 above: the scripts, each in a font that has it."""
    from pypdf import PdfReader

    for kind, needles in (("booklet", ("क्षत्रिय", "العربية", "שלום", "ἐν ἀρχῇ", "CO₂", CJK[:4])),
                          ("handout", ("हिन्दी", "مرحبا", CJK[:4]))):
        pages = [page for page in PdfReader(built["ua-1"][kind]).pages if CJK[:4] in page.extract_text()]
        assert pages, kind
        text = pages[0].extract_text()
        assert all(needle in text for needle in needles), (kind, text)
        fonts = {str(font.get_object()["/BaseFont"]) for font in pages[0]["/Resources"]["/Font"].values()}
        for family in ("Publication-Script-1", "Noto-Sans-Arabic", "Noto-Sans-Devanagari"):
            assert any(family in font for font in fonts), (kind, family, fonts)


def test_the_default_declares_both_standards() -> None:
    assert flavours(standards.DEFAULT) == ["ua1", "2u"]
    assert standards.declared(standards.DEFAULT) == ("PDF/UA-1", "PDF/A-2u")


def test_control_the_untagged_print_master_fails_pdf_ua(built, verdicts) -> None:
    """The imposed booklet is a print master without tags: veraPDF must say so."""
    verdict = verdicts[("ua1", built[standards.DEFAULT]["imposed"])]
    assert not verdict.compliant
    assert {"6.2-1", "7.1-11"} <= {rule.number for rule in verdict.failed}, verdict.report()


def test_control_a_file_that_does_not_declare_pdf_ua_fails_it(built, verdicts) -> None:
    """A PDF/A-2u file is tagged just the same, but does not claim PDF/UA-1 (its XMP has no
    `pdfuaid:part`), and veraPDF reads the claim: so the default's claim is checked too."""
    verdict = verdicts[("ua1", built["a-2u"]["booklet"])]
    assert not verdict.compliant
    assert [rule.number for rule in verdict.failed] == ["5-1"], verdict.report()
