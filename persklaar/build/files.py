"""The build's own file operations on dist/ and .persklaar/: what it may delete, how a file
moves into dist/ (across file systems too), and an OS error said as `path: message`.

A build deletes only files under dist/ (or its scratch folder), by a relative path that is
checked as a path (no absolute path, no `..`, no hidden first part) and again once resolved
(no link that leads out), never because a state file names them.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path, PurePosixPath

from ..errors import BuildError

MAX_PATH = 1024  # characters in one recorded output path


def safe_relative(rel: object) -> bool:
    """A path an output may write under dist/: relative, plain, no `..`, nothing hidden on top."""
    if not isinstance(rel, str) or not rel or len(rel) > MAX_PATH or "\\" in rel or "\0" in rel:
        return False
    path = PurePosixPath(rel)
    if path.is_absolute() or path.as_posix() != rel or not path.parts:
        return False
    return not any(part in ("", ".", "..") for part in path.parts) and not path.parts[0].startswith(".")


def inside(base: Path, rel: str) -> Path | None:
    """`base / rel` with its folders resolved, when it stays under `base` resolved; else None.
    The last part is not resolved: a link there is the file itself (unlinking it removes the link)."""
    if not safe_relative(rel):
        return None
    top = base.resolve()
    path = base / rel
    try:
        parent = path.parent.resolve(strict=False)
    except (OSError, RuntimeError):  # a link loop
        return None
    if parent != top and top not in parent.parents:
        return None
    return parent / path.name


def remove_output(dist: Path, rel: str, root: Path) -> None:
    """Delete the output `rel` under dist/ if it is a file (or a link) truly under dist/; never a
    folder, never anything when dist/ is (a link to) the publication's folder or one above it."""
    top = dist.resolve()
    own = root.resolve()
    if own == top or top in own.parents:
        return
    path = inside(dist, rel)
    if path is None:
        return
    try:
        if stat.S_ISDIR(path.lstat().st_mode):
            return
        path.unlink()
    except FileNotFoundError:
        pass


def move_into(source: Path, dest: Path) -> None:
    """Move a finished file into place at once (os.replace). Across file systems (dist/ on another
    disk, EXDEV) it is copied to a temporary name beside `dest` first, then renamed there: a reader
    sees the old file or the whole new one, never part of one."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, dest)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    tmp = dest.with_name(f".{dest.name}.persklaar-{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    source.unlink(missing_ok=True)


def ready(folder: Path, what: str) -> None:
    """Make sure `folder` is a folder this build can write in, or say why not (before any work)."""
    if folder.is_symlink() and not folder.exists():
        raise BuildError(f"{folder}: is a link to nowhere; {what} must be a folder")
    if folder.exists() and not folder.is_dir():
        raise BuildError(f"{folder}: is not a folder (it is where {what} go); move it away")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(describe(exc, folder)) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BuildError(f"{folder}: not writable (it is where {what} go)")


def describe(exc: OSError, fallback: Path | str | None = None) -> str:
    """`path: message` for an OS error (ENOSPC: "No space left on device")."""
    where = exc.filename if exc.filename is not None else fallback
    message = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        message = "no space left on the disk"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        message = "not writable (permission denied)"
    elif exc.errno == errno.EROFS:
        message = "on a read-only file system"
    return f"{where}: {message}" if where is not None else message


def remove_tree(path: Path) -> None:
    """Remove a staging folder; a link there is removed as a link (never followed)."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass


LOCK = ".lock"
ORPHAN_SECONDS = 60  # a staging folder without its lock file, older than this, was left by a killed build


class Staging:
    """One build's staging folder, `.persklaar/staging-<pid>-<random>/`, locked (flock) for as long
    as the build or one of its workers lives: a later build removes the folders whose lock it can
    take, which a killed build's are (the kernel drops a dead process's locks; a reused pid is no
    matter)."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.path: Path | None = None
        self.fd: int | None = None

    def open(self) -> Path:
        if self.path is None:
            clean_scratch(self.scratch)
            self.scratch.mkdir(parents=True, exist_ok=True)
            path = Path(tempfile.mkdtemp(prefix=f"staging-{os.getpid()}-", dir=self.scratch))
            self.fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            self.path = path
        return self.path

    def close(self) -> None:
        if self.path is not None:
            remove_tree(self.path)
            self.path = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def clean_scratch(scratch: Path) -> None:
    """Remove what killed builds left in .persklaar/: staging folders, finish folders, state temp files."""
    if not scratch.is_dir() or scratch.is_symlink():
        return
    for entry in scratch.iterdir():
        name = entry.name
        staging = name.startswith("staging-") and _abandoned(entry)
        if staging or (name.startswith(("finish-", "state-")) and not _alive(_pid_in(name))):
            remove_tree(entry)


def _abandoned(folder: Path) -> bool:
    if folder.is_symlink() or not folder.is_dir():
        return True
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:  # no lock: an old-style folder (its pid says), or one just being made
        pid = _pid_in(folder.name)
        if folder.name.count("-") == 1:
            return not _alive(pid)
        try:
            return time.time() - folder.stat().st_mtime > ORPHAN_SECONDS
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True  # its build is gone (the lock is released when the folder goes)
    except OSError:
        return False
    finally:
        os.close(fd)


def _pid_in(name: str) -> int:
    field = name.split("-")[1] if name.count("-") else ""
    return int(field) if field.isdigit() else 0


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
