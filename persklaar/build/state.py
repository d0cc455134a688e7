"""The small state file in dist/: what was built from which inputs.

Per file: size, mtime and sha256 (the hash is recomputed only when size or mtime
moved). Per job: its fingerprint parts and targets, so `-v` can say why a job is
rebuilt and a no-op rebuild can stop before parsing anything.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .digest import file_sha

STATE_NAME = ".persklaar-state.json"
WATCHED = ("content", "templates", "styles")
VERSION = 1


@dataclass
class State:
    files: dict[str, list] = field(default_factory=dict)      # rel path -> [size, mtime_ns, sha]
    jobs: dict[str, dict] = field(default_factory=dict)       # job id -> {"parts": {...}, "targets": [...]}
    quick: dict[str, str] = field(default_factory=dict)       # output name -> digest of all inputs

    @classmethod
    def load(cls, dist: Path) -> "State":
        try:
            data = json.loads((dist / STATE_NAME).read_text("utf-8"))
            if data.get("version") != VERSION:
                return cls()
            return cls(data["files"], data["jobs"], data.get("quick", {}))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()  # no state (or a damaged one): everything is rebuilt

    def save(self, dist: Path, scratch: Path) -> None:
        """Write atomically: a temp file beside the work, then os.replace."""
        scratch.mkdir(parents=True, exist_ok=True)
        tmp = scratch / f"state-{os.getpid()}.json"
        data = {"version": VERSION, "files": self.files, "jobs": self.jobs, "quick": self.quick}
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
        dist.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dist / STATE_NAME)


def scan(root: Path, cache: dict[str, list]) -> dict[str, list]:
    """[size, mtime_ns, sha] of every input file; hashes only what looks changed.

    Links are never followed here: a link is recorded by where it points (the loader
    then refuses one that leads out of the project, or nowhere), so scanning reads no
    file outside the project, and a new broken or looping link still counts as a change.
    """
    found: dict[str, list] = {}
    for folder in WATCHED:
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            dirnames.sort()
            here = Path(dirpath)
            names = sorted(filenames) + [d for d in dirnames if (here / d).is_symlink()]
            for name in names:
                path = here / name
                if _ignored(path):
                    continue
                rel = path.relative_to(root).as_posix()
                st = path.lstat()
                if not stat.S_ISREG(st.st_mode):
                    found[rel] = _odd(path)
                    continue
                old = cache.get(rel)
                if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
                    found[rel] = old
                else:
                    found[rel] = [st.st_size, st.st_mtime_ns, file_sha(path)]
    return dict(sorted(found.items()))


def _odd(path: Path) -> list:
    """A link (by its target) or a special file, without opening it."""
    if path.is_symlink():
        return [0, 0, "link:" + os.readlink(path)]
    return [0, 0, "special"]


def _ignored(path: Path) -> bool:
    """Editor temp files and hidden files are never inputs."""
    name = path.name
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))
