"""A state file in dist/ is a cache: damaged, forged, copied from another machine or committed
by mistake, it must never name what a build deletes. Anything not in the shape persklaar writes
means one warning and a full build; deletions are checked by resolved path under dist/."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from persklaar.build.files import remove_output, safe_relative
from persklaar.build.state import STATE_NAME, VERSION, JobRecord, State
from support import REPO


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=300)


def good() -> dict:
    return {"version": VERSION, "quick": {"web": "q"}, "files": {"content/a.md": [3, 5, "ab"]},
            "jobs": {"web": {"output": "web", "key": "", "parts": {"content": "x"}, "targets": ["web/index.html"]},
                     "handouts:3.1": {"output": "handouts", "key": "3.1", "parts": {}, "targets": ["handouts/a.pdf"]}}}


def test_a_state_as_persklaar_writes_it_is_read(tmp_path: Path) -> None:
    (tmp_path / STATE_NAME).write_text(json.dumps(good()), "utf-8")
    state = State.load(tmp_path)
    assert state.problem == ""
    assert state.jobs["handouts:3.1"] == JobRecord("handouts", "3.1", {}, ("handouts/a.pdf",))
    assert state.files["content/a.md"].size == 3


def damage(change) -> str:
    data = good()
    change(data)
    return json.dumps(data)


DAMAGED = {
    "not JSON": "{\"version\": 2, ",
    "not UTF-8": b"\xff\xfe{}".decode("latin-1"),
    "a list": "[1, 2, 3]",
    "a string": "\"state\"",
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "NaN": damage(lambda d: d["files"].__setitem__("content/a.md", [3, float("nan"), "ab"])),
    "files as a list": damage(lambda d: d.__setitem__("files", [])),
    "jobs as a list": damage(lambda d: d.__setitem__("jobs", [["web", "x"]])),
    "a job as a string": damage(lambda d: d["jobs"].__setitem__("web", "web/index.html")),
    "targets as a string": damage(lambda d: d["jobs"]["web"].__setitem__("targets", "web/index.html")),
    "a target as a number": damage(lambda d: d["jobs"]["web"].__setitem__("targets", [7])),
    "parts as a list": damage(lambda d: d["jobs"]["web"].__setitem__("parts", ["x"])),
    "a huge size": damage(lambda d: d["files"].__setitem__("content/a.md", [10**400, 5, "ab"])),
    "a negative size": damage(lambda d: d["files"].__setitem__("content/a.md", [-1, 5, "ab"])),
    "a bool for a size": damage(lambda d: d["files"].__setitem__("content/a.md", [True, 5, "ab"])),
    "a stamp too short": damage(lambda d: d["files"].__setitem__("content/a.md", [3, 5])),
    "an extra field": damage(lambda d: d.__setitem__("delete", ["publication.yaml"])),
    "quick missing": damage(lambda d: d.pop("quick")),
    "a misnamed job": damage(lambda d: d["jobs"].__setitem__("web:other", d["jobs"]["web"])),
    "version as a string": damage(lambda d: d.__setitem__("version", "2")),
    "a target with ..": damage(lambda d: d["jobs"]["web"].__setitem__("targets", ["../content/publication.yaml"])),
    "an absolute target": damage(lambda d: d["jobs"]["web"].__setitem__("targets", ["/etc/hostname"])),
    "a hidden target": damage(lambda d: d["jobs"]["web"].__setitem__("targets", [STATE_NAME])),
}


@pytest.mark.parametrize("text", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_state_is_no_state_and_says_why(tmp_path: Path, text: str) -> None:
    (tmp_path / STATE_NAME).write_text(text, "utf-8", errors="surrogateescape")
    state = State.load(tmp_path)
    assert state.jobs == {} and state.files == {} and state.quick == {}
    assert state.problem, "a damaged state is said"


def test_a_state_that_is_a_link_a_folder_or_too_big_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(good()), "utf-8")
    for name, make in {"link": lambda p: p.symlink_to(outside), "folder": lambda p: p.mkdir(),
                       "fifo": lambda p: os.mkfifo(p)}.items():
        dist = tmp_path / name
        dist.mkdir()
        make(dist / STATE_NAME)
        state = State.load(dist)  # a pipe would block a plain open: it must not
        assert state.jobs == {} and state.problem, name


def test_a_missing_or_older_state_is_rebuilt_without_a_word(tmp_path: Path) -> None:
    assert State.load(tmp_path).problem == ""
    (tmp_path / STATE_NAME).write_text(json.dumps({"version": 1, "anything": []}), "utf-8")
    state = State.load(tmp_path)
    assert state.jobs == {} and state.problem == ""


@pytest.mark.parametrize("rel", ["", ".", "..", "../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a\\..\\b",
                                 ".persklaar-state.json", "a\0b", "x" * 2000])
def test_unsafe_output_paths_are_refused(rel: str) -> None:
    assert not safe_relative(rel)


def test_remove_output_never_leaves_dist_through_a_link(tmp_path: Path) -> None:
    root = tmp_path / "pub"
    (root / "dist").mkdir(parents=True)
    kept = root / "publication.yaml"
    kept.write_text("title: x\n", "utf-8")
    (root / "dist" / "up").symlink_to(root)  # dist/up → the publication itself
    remove_output(root / "dist", "up/publication.yaml", root)
    assert kept.exists()
    (root / "dist" / "made.pdf").write_text("pdf", "utf-8")
    remove_output(root / "dist", "made.pdf", root)
    assert not (root / "dist" / "made.pdf").exists()
    # dist/ itself a link to the publication's folder: nothing at all is deleted
    other = tmp_path / "other"
    other.mkdir()
    (other / "dist").symlink_to(other)
    (other / "keep.md").write_text("x", "utf-8")
    remove_output(other / "dist", "keep.md", other)
    assert (other / "keep.md").exists()


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "dist" not in p.relative_to(root).parts
            and ".persklaar" not in p.relative_to(root).parts}


def test_a_forged_state_deletes_nothing_of_the_authors(mini: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not the publication's", "utf-8")
    before = digests(mini)
    victims = ["../content/essay/01-begin.md", "../content/publication.yaml", str(outside),
               "../../outside.txt", "web/../../content/essay/02-cijfers.md"]
    forged = {"version": VERSION, "quick": {}, "files": {},
              "jobs": {"web:gone": {"output": "web", "key": "gone", "parts": {}, "targets": victims},
                       "web": {"output": "web", "key": "", "parts": {}, "targets": victims}}}
    (mini / "dist").mkdir()
    (mini / "dist" / STATE_NAME).write_text(json.dumps(forged), "utf-8")
    result = cli(mini, "web")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.count(f"dist/{STATE_NAME}") == 1 and "building everything again" in result.stderr
    assert digests(mini) == before and outside.read_text("utf-8") == "not the publication's"
    assert (mini / "dist/web/index.html").is_file()
    assert State.load(mini / "dist").problem == ""  # the next state is a sound one
    second = cli(mini, "web")
    assert second.returncode == 0 and "warning" not in second.stderr and "up to date" in second.stdout


def test_a_forged_but_well_shaped_state_cannot_delete_through_a_link_in_dist(mini: Path) -> None:
    assert cli(mini, "web").returncode == 0
    dist = mini / "dist"
    (dist / "up").symlink_to(mini)
    data = json.loads((dist / STATE_NAME).read_text("utf-8"))
    data["jobs"]["web:gone"] = {"output": "web", "key": "gone", "parts": {},
                                "targets": ["up/content/publication.yaml", "up/content/essay/01-begin.md"]}
    (dist / STATE_NAME).write_text(json.dumps(data), "utf-8")
    (mini / "content/essay/02-cijfers.md").write_text(
        (mini / "content/essay/02-cijfers.md").read_text("utf-8") + "\nMeer.\n", "utf-8")
    before = digests(mini)
    result = cli(mini, "web")
    assert result.returncode == 0, result.stderr
    assert digests(mini) == before  # the vanished job's "outputs" were pruned by path: none was under dist/
    assert "web:gone" not in State.load(dist).jobs


@pytest.mark.parametrize("text", ["[]", "{\"version\": 2, \"files\": {\"a\": [1e999, 0, \"x\"]}}",
                                  damage(lambda d: d["jobs"]["web"].__setitem__("targets", "web"))],
                         ids=["a list", "a huge number", "wrong types"])
def test_a_damaged_state_means_a_full_build_and_one_warning(mini: Path, text: str) -> None:
    (mini / "dist").mkdir()
    (mini / "dist" / STATE_NAME).write_text(text, "utf-8")
    result = cli(mini, "web")
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("warning: the build state") == 1
    assert "1 built" in result.stdout and (mini / "dist/web/index.html").is_file()
