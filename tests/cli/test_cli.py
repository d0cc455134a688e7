"""The command line as an author meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import REPO


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_help_shows_examples():
    result = run("--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and "--watch" in result.stdout and "--keep-html" in result.stdout


def test_bad_usage_exits_2():
    for args in (["nonsense"], ["--jobs", "0"], ["--frobnicate"], ["-q", "-v"]):
        result = run(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr


def test_check_valid_project(mini: Path):
    result = run("check", "--root", str(mini))
    assert result.returncode == 0, result.stderr
    assert "content is valid: 2 chapters, 1 module(s)" in result.stdout


def test_check_reports_file_line_col_and_exits_1(mini: Path):
    (mini / "content/publication.yaml").write_text(
        (mini / "content/publication.yaml").read_text().replace("reading_speed: 200", "reading_speed: fast"))
    result = run("check", "--root", str(mini))
    assert result.returncode == 1
    assert "content/publication.yaml:11:16: reading_speed:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_strict_makes_warnings_errors(mini: Path):
    path = mini / "content/course/03-robots.yaml"
    path.write_text(path.read_text().replace("https://waymo.com/", "https://example.com/a"))
    assert run("check", "--root", str(mini)).returncode == 0
    result = run("check", "--strict", "--root", str(mini))
    assert result.returncode == 1 and "placeholder URL" in result.stderr


def test_not_a_project(tmp_path: Path):
    result = run("check", "--root", str(tmp_path))
    assert result.returncode == 2 and "has no content/ folder" in result.stderr
