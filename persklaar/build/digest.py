"""Content hashes for change detection (doit's habit: by content, not by clock)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import SourceLocation

PACKAGE = Path(__file__).resolve().parent.parent  # the whole persklaar package
SKIPPED = frozenset({"source", "sources", "root", "tokens", "glyphs", "where"})


def canonical(value: Any) -> Any:
    """A JSON-able form of model data, without source positions.

    Positions are left out on purpose: adding a line to one course section moves the
    line numbers of the next, but must not make that section's handout stale. A parsed
    text counts by its text (its tokens follow from it and the code, which is hashed too).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in SKIPPED}
    if isinstance(value, (SourceLocation, Path)):
        return None
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def of(value: Any) -> str:
    """sha256 of a value's canonical JSON."""
    text = json.dumps(canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_digest() -> str:
    """The builder's own version: a hash of every source file of the package."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(path.relative_to(PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()
