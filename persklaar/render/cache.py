"""Results that are slow to make and depend only on their inputs, kept across builds.

A QR code depends on its URL, a decoded font on the WOFF2 file's bytes: each is made
once, stored under the publication's `.persklaar/cache/<kind>/` by the SHA-256 of what
it was made from (and the version of the library that made it), and read back by every
later build, in every worker. Each entry begins with the SHA-256 of its key and its
bytes, checked on every read: a damaged entry, or one whose content was swapped for
another's (a file copied over another, a stale folder from elsewhere), is a miss and is
made again, never used. The folder is scratch (`.persklaar/` is git-ignored):
deleting it costs one slower build, never a wrong one. A cache that cannot be written
(a read-only folder) is skipped, not an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

FOLDER = Path(".persklaar") / "cache"

_memory: dict[tuple[str, str], bytes] = {}


def key_of(*parts: str | bytes) -> str:
    """The SHA-256 (hex) of `parts`, each length-prefixed, so ("ab", "c") ≠ ("a", "bc")."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def cached(root: Path, kind: str, key: str, make: Callable[[], bytes]) -> bytes:
    """The bytes stored under `key` (from `key_of`) in the `kind` cache of the publication
    at `root`, made with `make()` and stored the first time."""
    data = load(root, kind, key)
    if data is None:
        data = make()
        store(root, kind, key, data)
    return data


def load(root: Path, kind: str, key: str) -> bytes | None:
    """The bytes stored under `key`, or None."""
    memo = (f"{root}\0{kind}", key)
    if memo not in _memory:
        data = _load(root / FOLDER / kind / f"{key}.bin", key)
        if data is None:
            return None
        _memory[memo] = data
    return _memory[memo]


def store(root: Path, kind: str, key: str, data: bytes) -> None:
    """Keep `data` under `key` (for this process at once, on disk if it can be written)."""
    _memory[(f"{root}\0{kind}", key)] = data
    _store(root / FOLDER / kind / f"{key}.bin", key, data)


def _seal(key: str, data: bytes) -> bytes:
    """What an entry begins with: the SHA-256 of its key and its bytes, so the bytes of
    another key's entry, though whole, do not pass for this one's."""
    return bytes.fromhex(key_of("entry", key, data))


def _load(path: Path, key: str) -> bytes | None:
    """The stored bytes, if the file is there, whole and made for `key` (its first 32
    bytes are `_seal(key, rest)`): anything else is made again, never used."""
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    check, data = stored[:32], stored[32:]
    return data if _seal(key, data) == check else None


def _store(path: Path, key: str, data: bytes) -> None:
    """Written to a temporary name and renamed: a reader sees the whole file or none."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_seal(key, data) + data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def unchanged(files: dict[str, str]) -> bool:
    """Whether every file (path → the SHA-256 it had when an entry was made) still has it:
    an entry made from files can then be used. Files are hashed once per size and mtime."""
    for path, sha in files.items():
        try:
            stat = Path(path).stat()
        except OSError:
            return False
        if _file_sha(path, stat.st_size, stat.st_mtime_ns) != sha:
            return False
    return True


@functools.lru_cache(maxsize=512)
def _file_sha(path: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
