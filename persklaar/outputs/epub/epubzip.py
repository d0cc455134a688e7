"""Write an EPUB's zip container deterministically (two builds, same bytes).

ebooklib stamps every entry with the current time and writes entries in the order it
meets them. The OCF rules ask for `mimetype` first, stored (not compressed) and
without extra fields; reproducibility asks for fixed times, fixed permissions and a
fixed order. `rezip` reads what ebooklib wrote and writes it again that way.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

MIMETYPE = "mimetype"
EPUB_MIMETYPE = b"application/epub+zip"
ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # zip cannot store earlier times
FILE_MODE = 0o100644  # a regular file, rw-r--r--, whoever's umask built it
UNIX = 3  # "made by" system: permissions are read as Unix modes


def zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """The entry time stored for every file: `moment` in UTC, clamped to 1980."""
    moment = max(moment.astimezone(dt.UTC), ZIP_EPOCH)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def read_entries(path: Path) -> dict[str, bytes]:
    """Every file of a zip, by name (directories are implied by names, so dropped)."""
    with zipfile.ZipFile(path) as source:
        return {info.filename: source.read(info) for info in source.infolist() if not info.is_dir()}


def write(entries: Mapping[str, bytes], target: Path, moment: dt.datetime) -> None:
    """Write `entries` as an EPUB container: `mimetype` first and stored, the rest sorted."""
    stamp = zip_time(moment)
    names = sorted(name for name in entries if name != MIMETYPE)
    with zipfile.ZipFile(target, "w") as out:
        out.writestr(_info(MIMETYPE, stamp, zipfile.ZIP_STORED), EPUB_MIMETYPE)
        for name in names:
            out.writestr(_info(name, stamp, zipfile.ZIP_DEFLATED), entries[name], compresslevel=9)


def _info(name: str, stamp: tuple[int, int, int, int, int, int], method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = method
    info.create_system = UNIX
    info.external_attr = FILE_MODE << 16
    return info


def rezip(source: Path, target: Path, moment: dt.datetime,
          edit: Callable[[str, bytes], bytes] | None = None) -> None:
    """Re-write the zip at `source` deterministically to `target`, passing each entry
    through `edit(name, data)` first (used to post-process the package document)."""
    entries = read_entries(source)
    if edit is not None:
        entries = {name: edit(name, data) for name, data in entries.items()}
    write(entries, target, moment)
