"""Shared fixtures: sample projects copied into tmp_path (Sphinx's tests/roots habit)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECTS = FIXTURES / "projects"

# Determinism in tests: no clock leaks into outputs.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1735689600")


def copy_project(dest: Path, name: str = "mini") -> Path:
    """A copy of a sample project (content/ from the fixture, templates/ and styles/ from the repo)."""
    root = dest / name
    shutil.copytree(PROJECTS / name, root)
    for folder in ("templates", "styles"):
        if not (root / folder).exists():
            shutil.copytree(REPO / folder, root / folder)
    return root


def copy_repo_project(dest: Path) -> Path:
    """A copy of the real publication (content/, templates/, styles/)."""
    root = dest / "repo"
    for folder in ("content", "templates", "styles"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return copy_project(tmp_path, "mini")
