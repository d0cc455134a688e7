"""A worker process dies with its build: however the build ends (an exception, Ctrl-C, SIGTERM,
`kill -9`), no worker is left rendering for nobody.

On Linux the kernel sends the worker SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG);
everywhere, a watcher thread in the worker ends it once it has been handed to another parent.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def die_with_parent(build: int) -> None:
    """In a freshly started worker of the build process `build`: end this process when its parent
    goes (under forkserver the parent is the fork server, which ends with the build)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent or not _alive(build):  # the build went before the signal was asked for
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="persklaar-orphan-watch", daemon=True).start()


def _watch(parent: int) -> None:
    event = threading.Event()
    while not event.wait(WATCH_SECONDS):
        if os.getppid() != parent:
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
