"""Disk faults are the author's to fix, not bugs: dist/ or .persklaar/ not a folder or not
writable, the disk full, dist/ on another file system. Each is `path: message`, exit 1, dist/
as it was, never exit 70 or a traceback."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from persklaar.build import files
from persklaar.build.pipeline import Request, build
from persklaar.build.report import Reporter
from persklaar.build.state import STATE_NAME, State
from persklaar.errors import BuildError
from support import REPO


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=300)


def snapshot(dist: Path) -> dict[str, str]:
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(dist.rglob("*")) if p.is_file()}


def refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_dist_that_is_a_file_is_an_error(mini: Path) -> None:
    (mini / "dist").write_text("mine", "utf-8")
    refused(cli(mini, "web"), f"{mini / 'dist'}: is not a folder")
    assert (mini / "dist").read_text("utf-8") == "mine"


def test_scratch_that_is_a_file_is_an_error(mini: Path) -> None:
    scratch = mini / ".persklaar"
    if scratch.is_dir():  # the test fonts' cache lives there: move it aside
        scratch.rename(mini / "cache-aside")
    scratch.write_text("mine", "utf-8")
    refused(cli(mini, "web"), f"{scratch}: is not a folder")
    assert not (mini / "dist").exists() or snapshot(mini / "dist") == {}


def test_dist_that_is_a_dangling_link_is_an_error(mini: Path, tmp_path: Path) -> None:
    (mini / "dist").symlink_to(tmp_path / "nowhere" / "at-all")
    refused(cli(mini, "web"), "is a link to nowhere")


def test_a_folder_where_the_state_goes_is_an_error(mini: Path) -> None:
    (mini / "dist" / STATE_NAME).mkdir(parents=True)
    refused(cli(mini, "web"), f"{STATE_NAME}: is a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in any folder")
def test_dist_not_writable_is_an_error(mini: Path) -> None:
    (mini / "dist").mkdir()
    (mini / "dist").chmod(0o555)
    try:
        refused(cli(mini, "web"), "not writable")
    finally:
        (mini / "dist").chmod(0o755)


def in_process(root: Path) -> None:
    build(Request(root, ("web",), jobs=1), Reporter(0))


def changed(root: Path) -> None:
    page = root / "content/essay/01-begin.md"
    page.write_text(page.read_text("utf-8") + "\nNog een zin.\n", "utf-8")


def test_a_full_disk_is_an_error_and_leaves_dist_as_it_was(mini: Path, monkeypatch) -> None:
    in_process(mini)
    before = snapshot(mini / "dist")
    changed(mini)
    real = files.shutil.copyfile

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(mini / "dist/web/index.html"))

    monkeypatch.setattr(os, "replace", full)  # every move into dist/ (and the state's) meets a full disk
    monkeypatch.setattr(files.shutil, "copyfile", real)
    with pytest.raises(BuildError) as caught:
        in_process(mini)
    assert str(caught.value) == f"{mini / 'dist/web/index.html'}: no space left on the disk"
    monkeypatch.undo()
    assert snapshot(mini / "dist") == before
    assert not list((mini / ".persklaar").glob("staging-*")), "the staging folder goes with its build"


def test_a_full_disk_in_a_worker_is_the_jobs_error(mini: Path, monkeypatch) -> None:
    from persklaar.build import workers
    from persklaar.outputs import REGISTRY, BuildOptions, Job

    web = REGISTRY.get("web")

    def full(pub, job, staging, options):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(staging / "index.html"))

    monkeypatch.setattr(web, "build", full)
    result = workers._build(None, Job("web", "", ("web/index.html",)), mini / ".persklaar/s", BuildOptions())
    assert not result.ok and result.error.endswith("index.html: no space left on the disk"), result.error


def test_dist_on_another_file_system_is_copied_then_renamed(mini: Path, monkeypatch) -> None:
    real = os.replace
    crossings: list[str] = []

    def across(source, dest, **kwargs):  # .persklaar/ → dist/ crosses devices; within dist/ it does not
        if Path(source).is_relative_to(mini / ".persklaar") and Path(dest).is_relative_to(mini / "dist"):
            crossings.append(str(dest))
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(source), str(dest))
        return real(source, dest, **kwargs)

    monkeypatch.setattr(os, "replace", across)
    in_process(mini)
    dist = mini / "dist"
    assert crossings and (dist / "web/index.html").is_file()
    assert not [p for p in dist.rglob("*") if ".persklaar-" in p.name and p.name.endswith(".tmp")]
    assert State.load(dist).problem == "" and State.load(dist).jobs["web"].targets
    assert not list((mini / ".persklaar").glob("staging-*"))


def test_dist_not_writable_is_an_error_even_for_root(mini: Path, monkeypatch) -> None:
    (mini / "dist").mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != mini / "dist")
    with pytest.raises(BuildError, match=r"/dist: not writable \(it is where the outputs go\)$"):
        in_process(mini)
    monkeypatch.undo()
    assert snapshot(mini / "dist") == {}


def test_a_permission_error_while_publishing_is_path_message(mini: Path, monkeypatch) -> None:
    real = files.move_into

    def denied(source, dest):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dest))

    monkeypatch.setattr("persklaar.build.pipeline.move_into", denied)
    with pytest.raises(BuildError, match=r"/dist/web/[\w.-]+: not writable \(permission denied\)$"):
        in_process(mini)
    assert real is files.move_into
