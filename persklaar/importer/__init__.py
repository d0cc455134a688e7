"""Import course modules from Hugo/Wowchemy pages, on top of the core.

    text = decode(page)                  # core.sources: strict UTF-8, positions on error
    module, problems = import_page(text) # hugo.py: front matter, body, resources
    yaml_text = dump_module(module)      # dump.py: readable YAML in the format's order
    validate(yaml_text)                  # the loader's own YAML reader and schema
    write atomically                     # never half a file, never over one without --force
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..core import schema, yamlsrc
from ..core.sources import MAX_FILE_BYTES, decode
from ..errors import ContentError, Diagnostic, Diagnostics, SourceLocation, promoted
from .dump import dump_module
from .hugo import import_page, module_filename

__all__ = ["dump_module", "import_page", "module_filename", "run_import", "validate"]


def run_import(pages: list[str], out_dir: str, force: bool, report: Callable[[str], None],
               strict: bool = False) -> int:
    """Import each page into `out_dir`/NN-slug.yaml; 0 when all went well, else 1.

    A page with errors (with `strict`: warnings too) is not written, and an existing file
    is only replaced with `force`; every problem and every written file is passed to `report`.
    """
    status = 0
    written: set[Path] = set()
    for page in pages:
        status |= _import_one(page, Path(out_dir), force, report, written, strict)
    return status


def _import_one(page: str, out: Path, force: bool, report: Callable[[str], None], written: set[Path],
                strict: bool) -> int:
    """Import and write one page; the exit status for it (0 or 1)."""
    text = _read_page(page, report)
    if text is None:
        return 1
    module, problems = import_page(text, page)
    if strict:
        problems = [promoted(p) for p in problems]
    for problem in problems:
        report(str(problem))
    if any(p.severity == "error" for p in problems):
        report(f"{page}: not written because of the errors above")
        return 1
    target = out / module_filename(module)
    data = dump_module(module, source=page)
    refusal = _refusal(target, force, written)
    invalid = validate(data, str(target))
    for problem in ([Diagnostic(SourceLocation(str(target)), refusal)] if refusal else []) + invalid:
        report(str(problem))
    if refusal or invalid:
        return 1
    _write_atomic(target, data)
    written.add(target)
    report(f"wrote {target}")
    return 0


def validate(text: str, shown: str) -> list[Diagnostic]:
    """What the loader would say of a module file with this text (its YAML and schema)."""
    diags = Diagnostics()
    try:
        data, pos = yamlsrc.load(text, shown)
    except ContentError as exc:
        return exc.diagnostics
    schema.validate(schema.ModuleFile, data, pos, diags)
    return diags.errors


def _refusal(target: Path, force: bool, written: set[Path]) -> str | None:
    """Why `target` must not be written, or None."""
    if target in written:
        return "two pages in this run give this file; not overwritten"
    if target.exists() and not force:
        return "already exists; not overwritten (use --force to replace it)"
    return None


def _read_page(page: str, report: Callable[[str], None]) -> str | None:
    """The page as text, or None after reporting why it cannot be read."""
    try:
        with open(page, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        report(str(Diagnostic(SourceLocation(page), f"cannot read: {exc.strerror or exc}")))
        return None
    if len(data) > MAX_FILE_BYTES:
        report(str(Diagnostic(SourceLocation(page), f"file is larger than {MAX_FILE_BYTES // 1024} KiB")))
        return None
    try:
        return decode(data, page)
    except ContentError as exc:
        for d in exc.diagnostics:
            report(str(d))
        return None


def _write_atomic(target: Path, text: str) -> None:
    """Write via a temporary file in the same directory, so a crash never leaves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600; keep the file readable like its neighbours
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
