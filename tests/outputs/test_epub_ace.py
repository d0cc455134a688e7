"""DAISY Ace on the built EPUB: no accessibility violations.

Ace is a Node program that drives a headless Chromium, so it is optional: the tests
skip (saying what is missing) unless `ace-cli` (npm `@daisy/ace-cli`) and a Chromium
are found. Setup on Debian:

    sudo apt-get install chromium
    PUPPETEER_SKIP_DOWNLOAD=1 npm install -g @daisy/ace-cli
    export PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium   # or let the tests find it

`ACE_CLI` may name the `ace-cli` executable when it is not on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from persklaar.core import load as content
from persklaar.outputs import BuildOptions
from persklaar.outputs.epub import Epub
from support import EPOCH, FIXTURES, PNG, REPO, add_edge_cases, add_scripts, copy_project, copy_repo_project

ACE_SECONDS = 600


def _ace() -> str | None:
    """ACE_CLI, the copy `make test` installs (.tools/), or one on PATH."""
    local = REPO / ".tools/node_modules/.bin/ace-cli"
    return os.environ.get("ACE_CLI") or (str(local) if local.is_file() else None) or shutil.which("ace-cli")


def _chromium() -> str | None:
    given = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if given and Path(given).is_file():
        return given
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_ace() is None, reason="DAISY Ace not found (npm @daisy/ace-cli; or set ACE_CLI)"),
    pytest.mark.skipif(_chromium() is None, reason="no Chromium for Ace (apt-get install chromium)"),
]


def build(root: Path) -> Path:
    pub, _ = content.load(root)
    (job,) = Epub().jobs(pub)
    staging = root / "staging"
    staging.mkdir()
    Epub().build(pub, job, staging, BuildOptions(source_date_epoch=EPOCH))
    return staging / job.targets[0]


def violations(report: dict) -> list[str]:
    """One line per failed Ace assertion: file, rule, impact, what it says."""
    found = []
    for subject in report.get("assertions", []):
        for check in subject.get("assertions", []):
            if check["earl:result"]["earl:outcome"] != "pass":
                test = check["earl:test"]
                found.append(f"{subject['earl:testSubject']['url']}: {test['dct:title']} ({test['earl:impact']}): "
                             f"{check['earl:result'].get('dct:description', '')[:200]}")
    return found


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 60), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("project", ["real", "edge", "features"])
def test_ace_reports_no_violations(project: str, tmp_path: Path) -> None:
    root = copy_repo_project(tmp_path) if project == "real" else copy_project(tmp_path)
    if project == "edge":
        add_edge_cases(root)
        add_scripts(root)  # a chapter in every script, a Hebrew one, Chinese in a font of the publication's own
    if project == "features":  # footnotes, code, task and definition lists, figures, cross-references
        (root / "content/essay/03-alles.md").write_text((FIXTURES / "features-chapter.md").read_text("utf-8"))
        (root / "content/essay/vlak.png").write_bytes(PNG)
        # and Markdown as authors bring it: callouts, spans, sub/sup, mark, kbd, abbr, sized images
        (root / "content/essay/04-readme.md").write_text((FIXTURES / "authors/04-readme.md").read_text("utf-8"))
        (root / "content/essay/foto.jpg").write_bytes(_jpeg())
    book = build(root)
    out = tmp_path / "ace"
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=_chromium() or "", PUPPETEER_SKIP_DOWNLOAD="1")
    run = subprocess.run([_ace(), "--force", "--silent", "--outdir", str(out), str(book)],
                         env=env, capture_output=True, text=True, timeout=ACE_SECONDS)
    assert run.returncode == 0 and (out / "report.json").is_file(), f"Ace failed:\n{run.stdout}\n{run.stderr}"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    found = violations(report)
    assert found == [], "Ace:\n" + "\n".join(found)
    assert report["earl:result"]["earl:outcome"] == "pass"
    # every XHTML page was checked, not just the package
    checked = {s["earl:testSubject"]["url"] for s in report["assertions"]}
    assert {"nav.xhtml", "links.xhtml", "reading-times.xhtml"} <= checked
    if project == "edge":
        assert {"chapter-05-schrift.xhtml", "chapter-06-ivrit.xhtml"} <= checked
    assert report["a11y-metadata"]["empty"] == []
    assert {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
            "schema:accessibilitySummary", "schema:accessModeSufficient"} <= set(report["a11y-metadata"]["present"])
