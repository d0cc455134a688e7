"""A killed build (SIGTERM, Ctrl-C, kill -9 of the build alone) leaves no worker running, the next
build removes the staging folder it left, and dist/ holds, file by file, the old or the new
complete output: never a part of one."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from persklaar.build.state import STATE_NAME, State
from support import EPOCH, REPO, copy_project

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

OUTPUTS = ("handouts", "web")


def start(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root), *OUTPUTS],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def ok(root: Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *OUTPUTS],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "warning" not in result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The mini project with its handouts and web edition built once (its course file dated
    EPOCH, as `write` dates it): each test starts from a copy, so its first `ok` has a complete
    previous build and the state to compare with, without building everything again."""
    root = copy_project(tmp_path_factory.mktemp("built"), "mini")
    course = root / "content/course/03-robots.yaml"
    write(course, course.read_text("utf-8"))
    ok(root)
    return root


@pytest.fixture
def mini(built: Path, tmp_path: Path) -> Path:
    """A copy of `built`: content, dist/ and the cache (.persklaar/), their dates kept."""
    return Path(shutil.copytree(built, tmp_path / "mini", symlinks=True))


def group(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def gone_within(pgid: int, seconds: float) -> list[int]:
    deadline = time.time() + seconds
    while (left := group(pgid)) and time.time() < deadline:
        time.sleep(0.1)
    return left


def stale(root: Path, n: int) -> None:
    course = root / "content/course/03-robots.yaml"
    text = course.read_text("utf-8")
    assert "geen bronnen." in text
    course.write_text(text.replace("geen bronnen.", f"geen bronnen ({n}).", 1), "utf-8")


def wait_for_workers(root: Path, proc: subprocess.Popen) -> Path:
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        folders = [f for f in (root / ".persklaar").glob("staging-*") if any(f.glob("handouts_*"))]
        if folders and len(group(proc.pid)) > 1:
            return folders[0]
        time.sleep(0.02)
    raise AssertionError("the build ended before its workers were seen")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_a_killed_build_leaves_no_worker_and_the_next_cleans_up(mini: Path, how: signal.Signals) -> None:
    ok(mini)
    stale(mini, 1)
    proc = start(mini)
    staging = wait_for_workers(mini, proc)
    workers = [pid for pid in group(proc.pid) if pid != proc.pid]
    assert workers, "the build has workers to leave behind"
    proc.send_signal(how)  # the build alone, not its group: the workers must follow by themselves
    proc.wait(timeout=30)
    left = gone_within(proc.pid, 5)
    for pid in left:  # a failing run leaves no orphan behind either
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"workers outlived their build ({how.name})"
    if how != signal.SIGKILL:
        assert proc.returncode == 130 and not staging.exists(), "stopped cleanly, it removes its own staging"
    else:
        assert staging.exists()  # kill -9: nothing could clean up; the next build does
    ok(mini)
    assert not staging.exists() and not list((mini / ".persklaar").glob("staging-*"))


def test_a_live_builds_staging_is_not_taken_for_a_dead_ones(mini: Path) -> None:
    from persklaar.build.files import Staging, clean_scratch

    mine = Staging(mini / ".persklaar")
    path = mine.open()
    (path / "job").mkdir()
    dead = mini / ".persklaar" / "staging-1-oldbuild"  # a killed build's: its lock is free
    dead.mkdir()
    (dead / ".lock").write_text("", "utf-8")
    legacy = mini / ".persklaar" / f"staging-{2**22 + 12345}"  # an older persklaar's, its pid gone
    legacy.mkdir()
    clean_scratch(mini / ".persklaar")
    assert (path / "job").is_dir() and not dead.exists() and not legacy.exists()
    mine.close()
    assert not path.exists()


def write(path: Path, text: str) -> None:
    """The same text at the same mtime: an output that shows a file's date is then the same too."""
    path.write_text(text, "utf-8")
    os.utime(path, (EPOCH, EPOCH))


def snapshot(dist: Path) -> dict[str, str]:
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(dist.rglob("*")) if p.is_file() and p.name != STATE_NAME}


def test_a_build_killed_at_random_points_leaves_the_old_or_the_new_files(mini: Path) -> None:
    """Fault injection: kill -9 the whole build at seeded random moments; every file in dist/ is
    then the complete old or the complete new one, and the state names only files that are there."""
    course = mini / "content/course/03-robots.yaml"
    old_text = course.read_text("utf-8")
    new_text = old_text.replace("Deze paragraaf heeft geen bronnen.", "Deze paragraaf heeft nog geen bronnen.")
    assert new_text != old_text
    write(course, old_text)
    ok(mini)
    old = snapshot(mini / "dist")
    write(course, new_text)
    began = time.time()
    ok(mini)
    seconds = time.time() - began  # a build of this one change, as each round below starts
    new = snapshot(mini / "dist")
    assert set(old) == set(new) and old != new
    changed = {rel for rel in old if old[rel] != new[rel]}
    assert any(rel.startswith("handouts/") for rel in changed) and any(rel.startswith("web/") for rel in changed)
    rng = random.Random(21)
    for round_ in range(3):
        write(course, old_text if round_ % 2 == 0 else new_text)
        proc = start(mini)
        time.sleep(rng.uniform(0.2, seconds))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        now = snapshot(mini / "dist")
        assert set(now) == set(old), f"round {round_}: files appeared or vanished"
        mixed = [rel for rel in now if now[rel] not in (old[rel], new[rel])]
        assert not mixed, f"round {round_}: partial or foreign files {mixed}"
        state = State.load(mini / "dist")
        assert state.problem == ""
        listed = {t for record in state.jobs.values() for t in record.targets}
        assert listed and all((mini / "dist" / t).is_file() for t in listed)
        json.loads((mini / "dist" / STATE_NAME).read_text("utf-8"))  # whole, never half-written
    write(course, new_text)
    ok(mini)  # and the next build makes exactly the new set
    assert snapshot(mini / "dist") == new
    assert not list((mini / ".persklaar").glob("staging-*"))
