"""Reading an author's files: size cap, strict UTF-8, BOM/CRLF tolerance, paths kept inside.

Content is untrusted: a file that resolves outside `content/` (through `..`, an absolute
path or a symlink) is refused, and bytes that are not UTF-8 are an error naming the line.

A publication's files (content, templates, styles, fonts, images) are read only when their
real path lies inside the publication: `links_out` finds every link that leads out, before
anything is read (the loader's first step), and `link_out` is the one test every reader of a
publication file asks again. Links that stay inside the publication are fine.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from ..errors import ContentError, Diagnostic, Diagnostics, SourceLocation

LINK_OUT = "is a link to a file outside the publication"
OWN_FOLDERS = ("content", "templates", "styles", "fonts")  # what a publication brings

MAX_FILE_BYTES = 2 * 1024 * 1024
# Double-encoded UTF-8 read as Latin-1/CP1252: "Ã«" for "ë", "ðŸ" for emoji, "â€" for quotes.
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|ðŸ|â€[\u0080-\u00bf™œ˜\u201a-\u201e]")
# Characters XML 1.0 forbids (tab, LF and CR excepted): one of them in a text would make
# every XHTML/EPUB output malformed, so it is refused here, with its position.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def relpath(path: Path, root: Path) -> str:
    """The path as an author knows it: relative to the project root, with slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def inside(path: Path, base: Path) -> bool:
    """True when `path`, with symlinks resolved, lies under `base`."""
    try:
        path.resolve(strict=True).relative_to(base.resolve())
        return True
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return False


def link_out(path: Path, root: Path) -> bool:
    """True when `path`, written under the publication at `root`, really lies outside it: it, or
    a folder on its way, is a link leading out. A path not written under `root` (a file of the
    default theme) is not the publication's: False."""
    written, real_root = Path(os.path.abspath(path)), Path(os.path.realpath(root))
    if not (written.is_relative_to(os.path.abspath(root)) or written.is_relative_to(real_root)):
        return False
    return not Path(os.path.realpath(path)).is_relative_to(real_root)


def refuse_link_out(path: Path, root: Path) -> None:
    """Raise the content error for a publication file that is a link out of it (see `link_out`)."""
    if link_out(path, root):
        raise ContentError.at(SourceLocation(relpath(Path(os.path.abspath(path)), root)), LINK_OUT)


def links_out(root: Path) -> list[Diagnostic]:
    """An error for every link in the publication's own folders that leads outside it (a link
    to a folder outside is one error, not one per file in it). Nothing is followed or read."""
    root = Path(os.path.abspath(root))
    found: list[Diagnostic] = []

    def visit(path: Path) -> bool:
        if path.is_symlink() and link_out(path, root):
            found.append(Diagnostic(SourceLocation(relpath(path, root)), LINK_OUT))
            return False
        return True

    for folder in OWN_FOLDERS:
        base = root / folder
        if not visit(base) or not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if visit(here / d))
            for name in sorted(filenames):
                visit(here / name)
    return found


def read_text(path: Path, root: Path, base: Path | None = None) -> str:
    """Read one UTF-8 source file, refusing what an author's file must not be."""
    refuse_link_out(path, root)
    shown = relpath(path, root)
    where = SourceLocation(shown, 1, 1)
    if base is not None and not inside(path, base):
        raise ContentError.at(where, f"refused: resolves outside {relpath(base, root)}/ "
                                     "(or is a broken or looping link)")
    if not path.is_file():
        raise ContentError.at(where, "not a regular file")
    with path.open("rb") as handle:  # never more than the cap in memory, whatever the file
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ContentError.at(where, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
    return decode(data, shown)


def normalized(text: str) -> str:
    """A text without a BOM and with LF line ends (CRLF and CR are accepted)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, shown: str) -> str:
    """Strict UTF-8 with the BOM dropped, CRLF/CR turned into LF, in Unicode's composed form (NFC)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError.at(
            SourceLocation(shown, line, col),
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
        ) from None
    _refuse_control_characters(text, shown)
    # NFC: a letter and its mark written apart (o + U+031B, as macOS and some keyboards
    # save them) become the one character the fonts draw and `check` knows (ơ)
    return unicodedata.normalize("NFC", normalized(text))


def _refuse_control_characters(text: str, shown: str) -> None:
    """A NUL (a binary file) or another character no XML text may hold is an error."""
    match = _NOT_TEXT.search(text)
    if match is None:
        return
    start = match.start()
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    char = match.group()
    what = "binary file (NUL byte)" if char == "\x00" else f"control character U+{ord(char):04X} is not text"
    raise ContentError.at(SourceLocation(shown, line, col), f"{what}; remove it or save the file as plain UTF-8 text")


def check_mojibake(text: str, shown: str, diags: Diagnostics, first_line: int = 1) -> None:
    """Warn (an error under --strict) about text that looks double-encoded."""
    for number, line in enumerate(text.split("\n"), start=first_line):
        match = _MOJIBAKE.search(line)
        if match:
            diags.warn(
                SourceLocation(shown, number, match.start() + 1),
                f"looks double-encoded (mojibake {match.group()!r}); "
                "re-save as UTF-8 or fix with `ftfy`",
            )
