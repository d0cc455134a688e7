"""Watch mode: rebuild on every saved change; a broken save reports and keeps watching."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import ContentError, PersklaarError
from .state import WATCHED, ignored

DEBOUNCE_MS = 300
# How often the watcher wakes up with no change; its first wake-up proves it is live.
TICK_MS = 200


def _filter(change, path: str) -> bool:
    """Ignore dist/, the scratch folder and editor temp files."""
    p = Path(path)
    return not ignored(p) and "dist" not in p.parts and ".persklaar" not in p.parts


def watch(req, build_once: Callable[[], int], stop_event=None) -> int:
    """Build (with `build_once`), then again after each change until Ctrl-C (exit 0)."""
    from watchfiles import watch as watch_changes

    # watchfiles logs its own "KeyboardInterrupt caught" on Ctrl-C; "stopped watching" says it.
    logging.getLogger("watchfiles.main").setLevel(logging.ERROR)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops watching as cleanly as Ctrl-C
    folders = [str(req.root / f) for f in WATCHED if (req.root / f).is_dir()]
    announced = False
    try:
        _attempt(build_once)
        # The file watcher starts when the generator is first resumed; with yield_on_timeout it
        # hands back an empty set after TICK_MS of quiet, so the first yield means "watching now".
        # Saying so only then keeps an edit made right after the message from being missed.
        for changes in watch_changes(*folders, watch_filter=_filter, debounce=DEBOUNCE_MS,
                                     rust_timeout=TICK_MS, yield_on_timeout=True,
                                     stop_event=stop_event, raise_interrupt=False):
            if not announced:
                names = ", ".join(Path(f).name + "/" for f in folders)
                print(f"watching {names} (Ctrl-C to stop)", flush=True)
                announced = True
            if not changes:
                continue
            changed = sorted({_relative(req.root, p) for _, p in changes})
            print(f"changed: {', '.join(changed)}", flush=True)
            _attempt(build_once)
    except KeyboardInterrupt:
        pass
    print("stopped watching", flush=True)
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _relative(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def _attempt(build_once: Callable[[], int]) -> None:
    try:
        build_once()
    except ContentError as exc:
        for d in exc.diagnostics:
            print(d, file=sys.stderr, flush=True)
        print("not built; fix the problem and save again (still watching)", file=sys.stderr, flush=True)
    except PersklaarError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        print("the previous outputs were kept (still watching)", file=sys.stderr, flush=True)
    except Exception as exc:  # noqa: BLE001 - watch mode must outlive any single failed build
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        print("the previous outputs were kept (still watching)", file=sys.stderr, flush=True)
