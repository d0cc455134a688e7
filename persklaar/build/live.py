"""`persklaar serve`: the author's loop. Save, and the open page shows the change.

    server = LiveServer(port, dist/web, …)        # 127.0.0.1 only; the site folder only (serve.py)
    watch(req, rebuild)                           # the watch mode's loop (watch.py)
      rebuild: build(site output)                 # in this process: well under a second
               → open pages reload, or show the content errors over the last good page
               → background.request()             # the PDFs and EPUB, in the worker pool
    Ctrl-C: the workers are stopped, the server closes.

The site output is the registered output with a `site` folder (the web edition); the
pipeline builds it and the others exactly as `persklaar build` does, one build of each
kind at a time. A save during a background build queues one more (edits are never lost,
and a long booklet is not restarted on every keystroke).
"""

from __future__ import annotations

import dataclasses
import threading

from ..errors import ContentError, PersklaarError, UsageError
from ..outputs import REGISTRY, Output
from .pipeline import Request, build
from .report import Reporter
from .serve import LiveServer, LiveState, published_file
from .state import State
from .watch import watch


def site_output() -> Output:
    for output in REGISTRY:
        if output.site:
            return output
    raise UsageError("persklaar: no registered output writes a site to serve")


def serve(req: Request, port: int, verbosity: int) -> int:
    """Build, serve and rebuild until Ctrl-C (exit 0). A port in use is a UsageError."""
    site = site_output()
    others = tuple(name for name in req.outputs if name != site.name)
    state = LiveState(others)
    server = LiveServer(port, req.dist / site.site, req.dist, state)
    background = Background(dataclasses.replace(req, outputs=others), state, verbosity)
    threading.Thread(target=server.serve_forever, name="persklaar-http", daemon=True).start()
    print(f"serving the {site.name} edition at {server.url} (Ctrl-C to stop)", flush=True)
    background.start()
    site_req = dataclasses.replace(req, outputs=(site.name,))
    try:
        return watch(req, lambda: rebuild(site_req, state, background, verbosity))
    finally:
        background.stop()
        state.close()
        server.shutdown()
        server.server_close()
        print("stopped serving", flush=True)


def rebuild(req: Request, state: LiveState, background: Background, verbosity: int) -> int:
    """Build the site; tell the open pages (reload, or the errors); then queue the other outputs."""
    reporter = Reporter(verbosity)
    try:
        summary = build(req, reporter)
    except ContentError as exc:
        state.change(errors=[str(d) for d in exc.diagnostics])
        raise
    except PersklaarError as exc:
        state.change(errors=str(exc).splitlines())
        raise
    state.change(errors=[], version=state.version + (1 if summary.built else 0))
    reporter.summary(summary)
    background.request()
    return 0


class Background(threading.Thread):
    """Builds the other outputs after each good save, one build at a time, and reports
    each output's state (building, ready, failed) to the open pages."""

    def __init__(self, req: Request, state: LiveState, verbosity: int) -> None:
        super().__init__(name="persklaar-background", daemon=True)
        self.req, self.state, self.verbosity = req, state, verbosity
        self.cond = threading.Condition()
        self.pending = self.stopping = False
        self.cancel = threading.Event()

    def request(self) -> None:
        for name in self.req.outputs:
            self.state.set_output(name, state="building", message="")
        with self.cond:
            self.pending = True
            self.cond.notify()

    def stop(self) -> None:
        with self.cond:
            self.stopping = True
            self.cond.notify()
        self.cancel.set()  # the workers are killed: a booklet in progress is not waited for
        if self.is_alive():
            self.join(timeout=30)

    def run(self) -> None:
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.pending or self.stopping)
                if self.stopping:
                    return
                self.pending = False
            self.build_once()

    def build_once(self) -> None:
        if not self.req.outputs:
            return
        try:
            build(self.req, StatusReporter(self.state, self.verbosity), self.cancel)
            self.state.change(other_errors=[])
        except ContentError as exc:  # what only another output's check refuses (a glyph its fonts lack)
            self.state.change(other_errors=[str(d) for d in exc.diagnostics])
            for name in self.req.outputs:
                self.state.set_output(name, state="failed", message="content error (see above)")
        except PersklaarError:
            pass  # each failed job was reported to the state as it came in
        except Exception as exc:  # noqa: BLE001 - the server outlives any single failed build
            for name in self.req.outputs:
                self.state.set_output(name, state="failed", message=f"internal error: {type(exc).__name__}: {exc}")
        self.settle()

    def settle(self) -> None:
        """Outputs still building are ready (unless another save is queued); link their files."""
        records = State.load(self.req.dist)
        with self.cond:
            queued = self.pending or self.stopping
        for name, status in list(self.state.outputs.items()):
            files = [t for t in records.targets_of(name) if published_file(self.req.dist, t, {t})]
            done = status.state == "building" and not queued
            self.state.set_output(name, files=files, state="ready" if done else status.state)


class StatusReporter(Reporter):
    """The background build's report: lines on the terminal, each failed job in the status bar.
    Warnings were printed by the site's build of the same content already."""

    def __init__(self, state: LiveState, verbosity: int) -> None:
        super().__init__(verbosity)
        self.state = state

    def diagnostic(self, d) -> None:
        pass

    def finished(self, result) -> None:
        super().finished(result)
        if not result.ok and result.job.output in self.state.outputs:
            self.state.set_output(result.job.output, state="failed", message=result.error)
