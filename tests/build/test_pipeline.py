"""Incremental, atomic, parallel builds, driven through the real CLI on a sample project.

Handouts are the cheapest real output, so most cases build them; the EPUB joins where
the question is which outputs an edit touches.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue

import pytest

from support import REPO


def cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=600, env=env)


def ok(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = cli(root, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file in dist/ (the state file included)."""
    dist = root / "dist"
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(dist.rglob("*")) if p.is_file()}


def rebuilt(result: subprocess.CompletedProcess) -> set[str]:
    return {line.split()[1].rstrip(":") for line in result.stdout.splitlines() if line.startswith("rebuild ")}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture
def built(mini: Path) -> Path:
    ok(mini, "handouts", "epub")
    return mini


def test_first_build_writes_outputs_and_state(built: Path):
    files = snapshot(built)
    assert {"handouts/03-robots-in-de-klas.pdf", "handouts/03-1-zonder-bronnen.pdf",
            "handouts/alle-handouts.pdf", "mini-boekje.epub", ".persklaar-state.json"} <= set(files)
    assert not list((built / ".persklaar").glob("staging-*/*")), "staging folders are cleaned up"


def test_noop_rebuild_skips_everything_without_weasyprint(built: Path):
    before = snapshot(built)
    probe = ("import sys; from persklaar.cli import main; code = main(sys.argv[1:]); "
             "print('weasyprint' in sys.modules, 'pydantic' in sys.modules); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", probe, "--root", str(built), "handouts", "epub", "-v"],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert result.stdout.strip().endswith("False False")  # neither imported
    assert snapshot(built) == before


def test_template_change_rebuilds_with_reason(built: Path):
    css = built / "styles/handout.css"
    css.write_text(css.read_text("utf-8") + "\n/* changed */\n", "utf-8")
    result = ok(built, "handouts", "epub", "-v")
    assert {"handouts:3", "handouts:3.1"} <= rebuilt(result)
    assert "mini-boekje" not in result.stdout.split("rebuild")[-1] or "epub" not in rebuilt(result)
    assert "changed: templates and styles" in result.stdout
    assert "skip    epub: unchanged" in result.stdout


def test_setting_change_rebuilds(built: Path):
    edit(built / "content/publication.yaml", "short_max_minutes: 10", "short_max_minutes: 20")
    result = ok(built, "handouts", "epub", "-v")
    assert {"handouts:3", "handouts:3.1", "epub"} <= rebuilt(result)
    assert "settings" in result.stdout


def test_section_edit_rebuilds_only_that_handout(built: Path):
    before = snapshot(built)
    edit(built / "content/course/03-robots.yaml", "Deze paragraaf heeft geen bronnen.",
         "Deze paragraaf heeft nog geen bronnen.")
    result = ok(built, "handouts", "epub", "-v")
    assert rebuilt(result) == {"handouts:3.1", "epub"}
    after = snapshot(built)
    assert after["handouts/03-robots-in-de-klas.pdf"] == before["handouts/03-robots-in-de-klas.pdf"]
    assert after["handouts/03-1-zonder-bronnen.pdf"] != before["handouts/03-1-zonder-bronnen.pdf"]
    assert after["handouts/alle-handouts.pdf"] != before["handouts/alle-handouts.pdf"]


def test_chapter_edit_never_rerenders_handouts(built: Path):
    edit(built / "content/essay/01-begin.md", "eerste alinea", "allereerste alinea")
    result = ok(built, "handouts", "epub", "-v")
    assert rebuilt(result) == {"epub"}


def test_content_error_leaves_outputs_untouched(built: Path):
    before = snapshot(built)
    edit(built / "content/course/03-robots.yaml", "minutes: 4", "minutes: vier")
    result = cli(built, "handouts", "epub")
    assert result.returncode == 1
    assert ("content/course/03-robots.yaml:14:18: sections[1].resources[1].minutes: "
            "expected a whole number of minutes, got 'vier'") in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(built) == before


def test_renderer_error_leaves_outputs_untouched(built: Path):
    """What only laying out can find (a handout running past its pages) fails that job in
    its worker; its previous sheet stays in dist/, and so does everything else."""
    before = snapshot(built)
    long_intro = "\n\n".join(["Een alinea die de klas lang bezig houdt, met veel woorden erin."] * 150)
    edit(built / "content/course/03-robots.yaml", "intro: Deze paragraaf heeft geen bronnen.",
         "intro: |\n" + "".join(f"      {line}\n" for line in long_intro.splitlines()).rstrip("\n"))
    assert cli(built, "check").returncode == 0  # check cannot know: it does not lay out
    result = cli(built, "handouts")
    assert result.returncode == 1
    assert re.search(r"handouts:3\.1: .*section 3\.1 needs \d+ pages; a handout has at most 2", result.stderr)
    assert "left as they were" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    after, before = snapshot(built), dict(before)
    after.pop(".persklaar-state.json")
    before.pop(".persklaar-state.json")
    assert after == before


def test_killed_build_leaves_no_partial_file(built: Path):
    before = snapshot(built)
    for path in (built / "content/course/03-robots.yaml", built / "content/essay/01-begin.md"):
        path.write_text(path.read_text("utf-8") + "\n", "utf-8")  # everything stale
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(built), "handouts", "epub"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    # A job's staging folder is made when it starts; its files appear only at the end of
    # rendering, so wait for the folder, then kill while the workers are rendering.
    while time.time() < deadline and proc.poll() is None and not any((built / ".persklaar").glob("staging-*/*")):
        time.sleep(0.02)
    time.sleep(1.0)  # let the workers get well into rendering
    assert proc.poll() is None, "the build ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = snapshot(built)
    # Every file in dist/ is a complete file: either the previous one, or a fully published new one.
    assert set(after) == set(before)
    import zipfile

    from pypdf import PdfReader

    for rel in after:
        if rel.endswith(".pdf"):
            assert len(PdfReader(built / "dist" / rel).pages) >= 1
        elif rel.endswith(".epub"):
            assert zipfile.ZipFile(built / "dist" / rel).testzip() is None
    ok(built, "handouts", "epub")  # and the next build recovers


def test_watch_rebuilds_and_survives_a_broken_save(built: Path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # Ctrl-C as a terminal sends it; SIGINT is reset because test runners (xdist) may ignore it
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(built), "handouts", "--watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: list[str] = []
    queue: Queue[str | None] = Queue()

    def pump() -> None:  # a thread reads, so a silent watcher fails the test instead of hanging it
        for line in proc.stdout:
            queue.put(line)
        queue.put(None)

    threading.Thread(target=pump, daemon=True).start()

    def wait_for(text: str, timeout: float = 120) -> None:
        deadline = time.time() + timeout
        while (left := deadline - time.time()) > 0:
            try:
                line = queue.get(timeout=left)
            except Empty:
                break
            if line is None:
                break
            lines.append(line)
            if text in line:
                return
        raise AssertionError(f"never saw {text!r}; output:\n{''.join(lines)}")

    try:
        wait_for("watching")
        course = built / "content/course/03-robots.yaml"
        # editor droppings and dist/ are ignored: they never show up as a change
        (built / "content/course/.03-robots.yaml.swp").write_text("x", "utf-8")
        (built / "content/course/03-robots.yaml~").write_text("x", "utf-8")
        (built / "dist/notes.txt").write_text("x", "utf-8")
        edit(course, "Deze paragraaf heeft geen bronnen.", "Nog steeds geen bronnen.")
        wait_for("built   handouts:3.1")
        changed = [line for line in lines if line.startswith("changed:")]
        assert changed and all(line.strip() == "changed: content/course/03-robots.yaml" for line in changed), lines
        edit(course, "minutes: 4", "minutes: [")
        wait_for("content/course/03-robots.yaml:")
        wait_for("still watching")
        edit(course, "minutes: [", "minutes: 5")
        wait_for("built   handouts:3 ")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        wait_for("stopped watching", timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in "".join(lines)
    assert "KeyboardInterrupt" not in "".join(lines)  # one line of our own, not the watcher library's


def test_keep_html_publishes_each_pdfs_html_and_drops_it_when_off(built: Path):
    ok(built, "handouts", "--keep-html")
    html = built / "dist/html"
    pages = sorted(p.name for p in html.glob("*.html"))
    assert pages == ["03-1-zonder-bronnen.html", "03-robots-in-de-klas.html"]
    sheet = (html / "03-robots-in-de-klas.html").read_text("utf-8")
    # a browser finds the stylesheets and the base WeasyPrint was given (the publication's folder)
    assert '<base href="../../">' in sheet
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)">', sheet)
    assert "styles/handout.css" in hrefs
    for href in hrefs:
        assert (built / href).resolve().is_file(), href
    assert "Robots in de klas" in sheet
    ok(built, "handouts")  # without the option the kept pages go again
    assert not list(html.glob("*.html"))


def test_quiet_prints_nothing_but_a_count_of_warnings(built: Path):
    chapter = next((built / "content/essay").glob("*.md"))
    chapter.write_text(chapter.read_text("utf-8") + "\nZie [dit](https://example.com/nog-niet).\n", "utf-8")
    result = ok(built, "handouts", "epub", "-q")
    assert result.stdout == ""
    assert result.stderr.strip() == "1 warning(s) not shown (-q); `python build.py check` lists them"
    loud = ok(built, "handouts", "epub", "--keep-html")  # something to rebuild, and the warning in full
    assert "warning: placeholder URL https://example.com/nog-niet" in loud.stderr
