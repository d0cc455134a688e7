"""Watch mode: rebuild on every saved change; a broken save reports and keeps watching."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import ContentError, PersklaarError
from .state import WATCHED, _ignored

DEBOUNCE_MS = 300


def _filter(change, path: str) -> bool:
    """Ignore dist/, the scratch folder and editor temp files."""
    p = Path(path)
    return not _ignored(p) and "dist" not in p.parts and ".persklaar" not in p.parts


def watch(req, verbosity: int, stop_event=None) -> int:
    """Build, then rebuild after each change until Ctrl-C (exit 0)."""
    from watchfiles import watch as watch_changes

    from .cli import build_once

    _attempt(req, verbosity)
    folders = [str(req.root / f) for f in WATCHED if (req.root / f).is_dir()]
    print(f"watching {', '.join(Path(f).name + '/' for f in folders)} (Ctrl-C to stop)", flush=True)
    try:
        for changes in watch_changes(*folders, watch_filter=_filter, debounce=DEBOUNCE_MS,
                                     stop_event=stop_event, raise_interrupt=False):
            names = sorted({Path(p).relative_to(req.root).as_posix() for _, p in changes})
            print(f"changed: {', '.join(names)}", flush=True)
            _attempt(req, verbosity)
    except KeyboardInterrupt:
        pass
    print("stopped watching", flush=True)
    return 0


def _attempt(req, verbosity: int) -> None:
    from .cli import build_once

    try:
        build_once(req, verbosity)
    except ContentError as exc:
        for d in exc.diagnostics:
            print(d, file=sys.stderr, flush=True)
        print("not built; fix the problem and save again (still watching)", file=sys.stderr, flush=True)
    except PersklaarError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        print("the previous outputs were kept (still watching)", file=sys.stderr, flush=True)
