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
from .files import move_into, safe_relative

STATE_NAME = ".persklaar-state.json"
WATCHED = ("content", "templates", "styles", "fonts")
THEME = "(theme)/"  # how the default theme's files are named in the state, beside the publication's
VERSION = 2
MAX_STATE_BYTES = 64 * 1024**2  # a state file larger than this is not read
MAX_INT = 2**63 - 1


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

    problem: str = field(default="", compare=False)  # why the file in dist/ was not used ("" : it was, or none)

    @classmethod
    def load(cls, dist: Path) -> State:
        """The state in dist/, checked record by record: a file that is damaged, forged or from
        another version gives an empty state (everything is rebuilt, nothing is pruned) and,
        unless it is merely absent or older, says why in `problem`."""
        try:
            data = _read(dist / STATE_NAME)
            if data is None:
                return cls()
            if isinstance(data, dict) and type(data.get("version")) is int and data["version"] != VERSION:
                return cls()  # written by another version of persklaar: rebuilt, without a word
            return _parse(data)
        except _Damaged as exc:
            return cls(problem=str(exc))

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
            try:
                tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
                move_into(tmp, dist / STATE_NAME)  # dist/ on another disk: copied beside, then renamed
            finally:
                tmp.unlink(missing_ok=True)

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


class _Damaged(Exception):
    """The state file is not one persklaar wrote: why, in a few words."""


def _read(path: Path) -> object:
    """The parsed JSON, None when there is no state file; never follows a link or blocks on a pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _Damaged("is a link" if path.is_symlink() else f"cannot be read ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _Damaged("is not a regular file")
        if st.st_size > MAX_STATE_BYTES:
            raise _Damaged(f"is larger than {MAX_STATE_BYTES >> 20} MiB")
        raw = os.read(fd, MAX_STATE_BYTES + 1)
    except OSError as exc:
        raise _Damaged(f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise _Damaged(f"is not valid JSON ({type(exc).__name__})") from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise _Damaged(what)


def _is_int(value: object, low: int = 0) -> bool:
    return type(value) is int and low <= value <= MAX_INT


def _str_map(value: object, what: str) -> dict[str, str]:
    _expect(isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) and len(v) <= 4096
                                            for k, v in value.items()), f"{what} is not a map of strings")
    assert isinstance(value, dict)
    return value


def _parse(data: object) -> State:
    """A State from the file's JSON, exactly in the shape `save` writes, or _Damaged."""
    _expect(isinstance(data, dict), "is not a JSON object")
    assert isinstance(data, dict)
    _expect(set(data) == {"version", "quick", "files", "jobs"}, "has unexpected or missing fields")
    _expect(data["version"] == VERSION and type(data["version"]) is int, "has no valid version")
    quick = _str_map(data["quick"], "`quick`")
    _expect(isinstance(data["files"], dict), "`files` is not a map")
    files: dict[str, FileStamp] = {}
    for rel, v in data["files"].items():
        _expect(isinstance(rel, str) and len(rel) <= 4096, "a file name is not a string")
        _expect(isinstance(v, list) and len(v) == 3 and _is_int(v[0]) and _is_int(v[1], -MAX_INT)
                and isinstance(v[2], str) and len(v[2]) <= 4096, f"the record of {rel!r} is damaged")
        files[rel] = FileStamp(*v)
    _expect(isinstance(data["jobs"], dict), "`jobs` is not a map")
    jobs: dict[str, JobRecord] = {}
    for jid, v in data["jobs"].items():
        _expect(isinstance(v, dict) and set(v) == {"output", "key", "parts", "targets"}
                and isinstance(v["output"], str) and isinstance(v["key"], str), f"the job {jid!r} is damaged")
        _expect(jid == (f"{v['output']}:{v['key']}" if v["key"] else v["output"]), f"the job {jid!r} is misnamed")
        parts = _str_map(v["parts"], f"the job {jid!r}'s parts")
        targets = v["targets"]
        _expect(isinstance(targets, list) and all(safe_relative(t) for t in targets),
                f"the job {jid!r} names a file outside dist/ (or not a plain path)")
        jobs[jid] = JobRecord(v["output"], v["key"], parts, tuple(targets))
    return State(files, jobs, quick)
