"""What the commands do, for the CLI and for watch mode alike (so neither imports the other)."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .build.pipeline import Request, build
from .build.report import make_reporter
from .outputs import REGISTRY


def build_once(req: Request, verbosity: int) -> int:
    """One build with a report; raises PersklaarError (content or build) on failure. A SIGTERM
    stops it as Ctrl-C does: its workers are stopped and its staging folder removed."""
    reporter = make_reporter(verbosity)
    try:
        with _terminate_as_interrupt():
            summary = build(req, reporter)
    finally:
        reporter.close()
    reporter.summary(summary)
    return 0


def serve(req: Request, port: int, verbosity: int) -> int:
    """`persklaar serve`: the web edition live on 127.0.0.1, rebuilt on every save, until Ctrl-C."""
    from .build.live import serve as serve_live

    return serve_live(req, port, verbosity)


def check(root: Path, strict: bool, quiet: bool = False) -> int:
    """Validate the publication as every output's build would; 0 when it would build."""
    from .build.check import load_checked  # the schemas and the parser: not needed for a no-op build

    pub, warnings = load_checked(root, REGISTRY.names(), strict)
    for warning in warnings:
        print(warning, file=sys.stderr)
    if not quiet:
        written = sum(not c.back_matter for c in pub.chapters)  # not the bibliography persklaar adds
        print(f"content is valid: {written} chapters, {len(pub.modules)} module(s), "
              f"{len(pub.tables)} data table(s), {len(pub.links)} links, {len(warnings)} warning(s)")
    return 0


def new(folder: Path, language: str, title: str | None, author: str | None, quiet: bool = False) -> int:
    """Make a publication that builds at once; say what was made and what to do next."""
    from .starter import create

    written = create(folder, language, title, author)
    if not quiet:
        print(f"made a new publication in {folder}/ ({len(written)} files):")
        for path in written:
            print(f"  {path.relative_to(folder).as_posix()}")
        print(f"next: cd {folder} && persklaar   (builds the booklet, its print version, the EPUB, "
              "the handouts and the web edition into dist/; `persklaar serve` shows it live while you write; "
              "README.md says what comes after)")
    return 0


def schema(kind: str, write: Path | None) -> int:
    """Print one content file's JSON Schema, or write all of them to a folder."""
    from .core.schema import json_schemas
    from .starter import write_schemas

    if write is not None:
        for path in write_schemas(write):
            print(f"wrote {path}")
        return 0
    print(json.dumps(json_schemas()[kind], indent=2, ensure_ascii=False))
    return 0


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt while a build runs (in the main thread, when nobody else
    handles it: watch mode has its own handler)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
