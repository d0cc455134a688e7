"""`persklaar new`, and persklaar installed from a wheel, used outside the repository.

As a new author would: install, make a publication in an empty folder, build it, and
find every output there, in the publication's language.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import REPO, cli, epubcheck, labels, warm_fonts


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "notes.txt").write_text("mine\n")
    result = cli("new", str(tmp_path / "book"), cwd=tmp_path)
    assert result.returncode == 2 and "is not empty" in result.stderr
    assert sorted(p.name for p in (tmp_path / "book").iterdir()) == ["notes.txt"]


def test_new_refuses_a_language_it_has_no_starter_for(tmp_path: Path):
    result = cli("new", str(tmp_path / "book"), "--language", "sv", cwd=tmp_path)
    assert result.returncode == 2 and "choose from nl, en, de, fr" in result.stderr
    assert not (tmp_path / "book").exists()


@pytest.mark.parametrize("language", ["nl", "en", "de", "fr"])
def test_a_new_publication_is_valid_in_every_language(tmp_path: Path, language: str):
    book = tmp_path / "book"
    made = cli("new", str(book), "--language", language, "--title", 'Titel: "met" tekens #1', cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    checked = cli("check", cwd=book)  # run inside the folder: no --root needed
    assert checked.returncode == 0, checked.stderr
    assert "content is valid: 2 chapters, 1 module(s), 1 data table(s)" in checked.stdout
    assert "0 warning(s)" in checked.stdout
    publication = (book / "content/publication.yaml").read_text("utf-8")
    assert f"language: {language}" in publication and 'title: "Titel: \\"met\\" tekens #1"' in publication
    assert (book / "README.md").read_text("utf-8").startswith('# Titel: "met" tekens #1\n')
    schema = json.loads((book / ".schema/publication.json").read_text("utf-8"))
    assert "page" in schema["properties"] and "title" in schema["required"]


def test_schema_prints_json_schema_for_editors(tmp_path: Path):
    result = cli("schema", "module", cwd=tmp_path)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"].startswith("content/course/") and "sections" in schema["properties"]
    written = cli("schema", "--write", str(tmp_path / "s"), cwd=tmp_path)
    assert written.returncode == 0
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["data.json", "module.json", "publication.json"]


# ---------------------------------------------------------------- installed from a wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """persklaar built as a wheel (from a copy of the checkout: a build writes build/ and
    *.egg-info beside the sources) and installed into a folder of its own (not editable)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    made = {".git", ".venv", ".tools", "dist", ".persklaar", "build", ".pytest_cache", ".hypothesis"}

    def skipped(folder: str, names: list[str]) -> list[str]:  # what a checkout's builds and tools made
        top = Path(folder) == REPO
        return [n for n in names if (top and n in made) or n.endswith(".egg-info") or n == "__pycache__"]

    shutil.copytree(REPO, source, ignore=skipped)
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    str(source), "-w", str(base / "dist")], check=True, env=env, capture_output=True)
    (wheel,) = (base / "dist").glob("persklaar-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(base / "site"),
                    str(wheel)], check=True, env=env, capture_output=True)
    return base / "site"


def run_installed(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "persklaar", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.xdist_group("wheel")
def test_the_wheel_carries_the_theme_and_the_starters(installed: Path):
    package = installed / "persklaar"
    for needed in ("theme/templates/booklet/booklet.html", "theme/templates/labels/fr.yaml",
                   "theme/styles/booklet.css", "theme/styles/fonts/LICENSE-source-serif-4.txt",
                   "starter/de/content/publication.yaml", "starter/en/gitignore"):
        assert (package / needed).is_file(), needed
    assert len(list((package / "theme/styles/fonts").glob("*.woff2"))) >= 10
    shipped = {p.relative_to(REPO / "persklaar").as_posix() for p in (REPO / "persklaar").rglob("*.py")}
    assert shipped <= {p.relative_to(package).as_posix() for p in package.rglob("*.py")}


@pytest.mark.xdist_group("wheel")
def test_installed_persklaar_builds_a_new_publication_anywhere(installed: Path, tmp_path: Path):
    probe = subprocess.run([sys.executable, "-c", "import persklaar; print(persklaar.__file__)"], cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(installed)}, capture_output=True, text=True)
    assert probe.stdout.strip().startswith(str(installed)), probe.stdout  # the wheel, not the checkout
    made = run_installed(installed, "new", "book", "--language", "de", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    warm_fonts(tmp_path / "book")  # the fonts decoded, as in every test build (cold: tests/render/test_cache.py)
    built = run_installed(installed, cwd=tmp_path / "book")
    assert built.returncode == 0, built.stderr + built.stdout
    dist = tmp_path / "book/dist"
    found = sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file() and p.name[0] != ".")
    assert [f for f in found if not f.startswith("web/")] == [
        "handouts/01-erste-schritte.pdf", "handouts/alle-arbeitsblaetter.pdf",
        "meine-publikation-imposed.pdf", "meine-publikation.epub", "meine-publikation.pdf"]
    assert {"web/index.html", "web/style.css", "web/chapter-01-willkommen.html"} <= set(found)  # the wheel's web theme
    german = labels("de")
    text = " ".join(page.extract_text() for page in PdfReader(dist / "meine-publikation.pdf").pages)
    for word in (german["contents"], german["reading_times"], german["link_appendix"], german["colophon"]):
        assert word in text, word
    sheet = PdfReader(dist / "handouts/01-erste-schritte.pdf").pages[0].extract_text()
    assert german["sheet"] in sheet and german["qr_code"] in sheet
    with zipfile.ZipFile(dist / "meine-publikation.epub") as book:
        nav = book.read("EPUB/nav.xhtml").decode()
    assert f">{german['contents']}<" in nav and 'lang="de"' in nav
    assert epubcheck(dist / "meine-publikation.epub") == []
