"""The author's loop, end to end: `persklaar serve` (the real CLI, in a subprocess) and a
real browser (headless Chromium over the DevTools protocol, tests/browser.py).

A saved edit appears in the open page without a reload by hand; a broken save shows the
overlay with path:line:col over the last good page; the fix clears it; the PDFs and the
EPUB follow and are linked from the status bar; Ctrl-C stops everything. Waits are
generous (this is not a speed test: bench/run.py measures the time from save to page).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from browser import Browser, Page
from support import REPO, copy_project
from webtools import chromium_present

CHAPTER = "content/essay/01-begin.md"
HEAD = "---\ntitle: Het begin\npart: Deel een\n---\n"


class Serving:
    """`persklaar serve --port 0` in a subprocess, its output collected line by line."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--jobs", "1", "--root", str(root)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root)
        self.lines: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_line(r"serving the web edition at (http://127\.0\.0\.1:\d+/)").group(1)
        self.wait_line(r"^watching ")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, pattern: str, timeout: float = 120) -> re.Match:
        regex = re.compile(pattern)
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    if m := regex.search(line):
                        return m
                if time.monotonic() > end or self.process.poll() is not None:
                    raise AssertionError(f"no line like {pattern!r}:\n" + "\n".join(self.lines))
                self.cond.wait(0.2)

    def children(self) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def write(root: Path, body: str) -> None:
    """Save the chapter as an editor does: a new file renamed over the old one."""
    tmp = root / "content/essay/.01-begin.md.tmp"
    tmp.write_text(HEAD + body, "utf-8")
    os.replace(tmp, root / CHAPTER)


def main_text(page: Page, words: str) -> str:
    return f"(document.querySelector('main') || document.body).innerText.includes({words!r})"


OVERLAY_SHOWN = "(() => { const o = document.getElementById('persklaar-overlay'); return !!o && !o.hidden; })()"
OVERLAY_TEXT = "document.getElementById('persklaar-problems').textContent"


def test_edit_reload_error_overlay_fix_and_background_outputs(project: Path) -> None:
    chromium_present()
    serving = Serving(project)
    try:
        with Browser() as browser:
            page = browser.page(1024, 800)
            page.goto(serving.url + "chapter-01-begin.html")
            page.wait_for("!!document.getElementById('persklaar-status')")
            assert page.evaluate("document.querySelector('h1').textContent") == "Het begin"

            write(project, "Een zin die er net bij kwam.\n")
            start = time.monotonic()
            page.wait_for(main_text(page, "Een zin die er net bij kwam."), timeout=60)
            print(f"edit visible in the open page after {time.monotonic() - start:.2f} s")  # bench/ measures this

            write(project, "Een kapotte zin met <b>HTML</b> erin.\n")
            page.wait_for(OVERLAY_SHOWN, timeout=60)
            problems = page.evaluate(OVERLAY_TEXT)
            assert re.search(r"^content/essay/01-begin\.md:5:\d+: raw HTML is not allowed \('<b>'\)", problems, re.M)
            assert page.evaluate(main_text(page, "Een zin die er net bij kwam."))  # the last good page underneath
            assert not page.evaluate(main_text(page, "kapotte zin"))
            assert page.evaluate("document.querySelectorAll('#persklaar-problems b').length") == 0  # text, not HTML

            write(project, "Hersteld, en weer [netjes](https://waymo.com/).\n")
            page.wait_for(main_text(page, "Hersteld, en weer netjes"), timeout=60)
            page.wait_for(f"!({OVERLAY_SHOWN})", timeout=30)

            ready = ("fetch('/__persklaar/status').then(r => r.json()).then(s => Object.values(s.outputs)"
                     ".every(o => o.state === 'ready'))")
            page.wait_for(ready, timeout=300)
            page.wait_for("document.querySelectorAll('#persklaar-status a[href$=\".pdf\"]').length >= 2", timeout=30)
            head = page.evaluate("fetch(document.querySelector('#persklaar-status a[href$=\".epub\"]').href)"
                                 ".then(r => r.arrayBuffer()).then(b => String.fromCharCode(...new Uint8Array(b)"
                                 ".slice(0, 2)))")
            assert head == "PK"
            summary = page.evaluate("document.querySelector('#persklaar-status summary').textContent")
            assert all(name in summary for name in ("booklet", "epub", "handouts"))
        assert (project / "dist/mini-boekje.pdf").read_bytes().startswith(b"%PDF")
        workers = serving.children()
    finally:
        code = serving.stop()
    assert code == 0, "\n".join(serving.lines)
    assert serving.lines[-1] == "stopped serving"
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # no worker outlives it
    assert "Traceback" not in "\n".join(serving.lines)
