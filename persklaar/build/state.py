"""The small state file in dist/: what was built from which inputs, as typed records.

Per file: size, mtime and sha256 (the hash is recomputed only when size or mtime
moved). Per job: its fingerprint parts and the files it wrote, so `-v` can say why a
job is rebuilt, and a no-op rebuild can stop before parsing anything.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .digest import file_sha

STATE_NAME = ".persklaar-state.json"
WATCHED = ("content", "templates", "styles", "fonts")
THEME = "(theme)/"  # how the default theme's files are named in the state, beside the publication's
VERSION = 2


@dataclass(frozen=True, slots=True)
class FileStamp:
    """One input file as last seen: size, mtime and content hash (or a link's target)."""

    size: int
    mtime_ns: int
    sha: str


@dataclass(frozen=True, slots=True)
class JobRecord:
    """What a job (or an output's finish step) was last built from, and what it wrote."""

    output: str
    key: str
    parts: dict[str, str]  # fingerprint part → digest (see pipeline.fingerprint)
    targets: tuple[str, ...]


@dataclass
class State:
    """The state of dist/: replaced record by record as jobs are published."""

    files: dict[str, FileStamp] = field(default_factory=dict)
    jobs: dict[str, JobRecord] = field(default_factory=dict)  # by job id
    quick: dict[str, str] = field(default_factory=dict)  # output name → digest of every input

    @classmethod
    def load(cls, dist: Path) -> State:
        try:
            data = json.loads((dist / STATE_NAME).read_text("utf-8"))
            if data.get("version") != VERSION:
                return cls()
            files = {k: FileStamp(*v) for k, v in data["files"].items()}
            jobs = {k: JobRecord(v["output"], v["key"], v["parts"], tuple(v["targets"]))
                    for k, v in data["jobs"].items()}
            return cls(files, jobs, data.get("quick", {}))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()  # no state (or a damaged one): everything is rebuilt

    def save(self, dist: Path, scratch: Path, outputs: tuple[str, ...] | None = None) -> None:
        """Write atomically: a temp file beside the work, then os.replace.

        With `outputs`, only their records are this build's: the others are taken from the
        file as it is now, under a lock, so builds of different outputs may overlap (`persklaar
        serve` builds the web edition while the PDFs are still being laid out).
        """
        scratch.mkdir(parents=True, exist_ok=True)
        with _locked(scratch / "state.lock"):
            if outputs is not None:
                self._keep_others(State.load(dist), outputs)
            tmp = scratch / f"state-{os.getpid()}-{threading.get_ident()}.json"
            data = {"version": VERSION, "quick": self.quick,
                    "files": {k: [f.size, f.mtime_ns, f.sha] for k, f in self.files.items()},
                    "jobs": {k: asdict(j) for k, j in self.jobs.items()}}
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
            dist.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, dist / STATE_NAME)

    def _keep_others(self, now: State, outputs: tuple[str, ...]) -> None:
        self.jobs = {k: j for k, j in self.jobs.items() if j.output in outputs}
        self.jobs.update({k: j for k, j in now.jobs.items() if j.output not in outputs})
        self.quick = {k: v for k, v in self.quick.items() if k in outputs}
        self.quick.update({k: v for k, v in now.quick.items() if k not in outputs})

    def targets_of(self, output: str) -> list[str]:
        return [t for record in self.jobs.values() if record.output == output for t in record.targets]


class _locked:
    """An exclusive lock on a file (flock): between threads and processes alike."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def scan(root: Path, cache: dict[str, FileStamp], theme: Path | None = None) -> dict[str, FileStamp]:
    """A stamp of every input file (the publication's, and the default `theme`'s when it
    lives elsewhere, named `(theme)/templates/…`); hashes only what looks changed.

    Links are never followed here: a link is recorded by where it points (the loader
    then refuses one that leads out of the project, or nowhere), so scanning reads no
    file outside the project, and a new broken or looping link still counts as a change.
    """
    found = _walk(root, WATCHED, "", cache)
    if theme is not None and theme.resolve() != root.resolve():
        found |= _walk(theme, ("templates", "styles"), THEME, cache)
    return dict(sorted(found.items()))


def _walk(root: Path, folders: tuple[str, ...], prefix: str, cache: dict[str, FileStamp]) -> dict[str, FileStamp]:
    found: dict[str, FileStamp] = {}
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            dirnames.sort()
            here = Path(dirpath)
            names = sorted(filenames) + [d for d in dirnames if (here / d).is_symlink()]
            for name in names:
                path = here / name
                if not ignored(path):
                    rel = prefix + path.relative_to(root).as_posix()
                    found[rel] = _stamp(path, cache.get(rel))
    return found


def _stamp(path: Path, old: FileStamp | None) -> FileStamp:
    st = path.lstat()
    if not stat.S_ISREG(st.st_mode):
        return FileStamp(0, 0, "link:" + os.readlink(path) if path.is_symlink() else "special")
    if old and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns:
        return old
    return FileStamp(st.st_size, st.st_mtime_ns, file_sha(path))


def ignored(path: Path) -> bool:
    """Editor temp files and hidden files are never inputs."""
    name = path.name
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))
