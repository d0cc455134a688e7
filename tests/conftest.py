"""Shared fixtures: sample projects copied into tmp_path (Sphinx's tests/roots habit).

Helpers live in support.py (tests/ is on the import path: `from support import …`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import copy_project

# Determinism in tests: no clock leaks into outputs.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1735689600")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return copy_project(tmp_path, "mini")
