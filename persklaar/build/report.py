"""What the author sees while building: a live table on a terminal, plain lines otherwise."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from ..errors import Diagnostic

if TYPE_CHECKING:
    from rich.progress import TaskID


class Reporter:
    """Plain lines (CI, pipes, tests). `verbosity`: 0 quiet, 1 normal, 2 verbose."""

    def __init__(self, verbosity: int = 1, stream=None) -> None:
        self.verbosity = verbosity
        self.out = stream or sys.stdout
        self.err = sys.stderr
        self.hidden_warnings = 0  # -q: counted, and named in one line at the end

    def line(self, text: str, level: int = 1) -> None:
        if self.verbosity >= level:
            print(text, file=self.out, flush=True)

    def diagnostic(self, d: Diagnostic) -> None:
        if self.verbosity == 0 and d.severity == "warning":
            self.hidden_warnings += 1
            return
        print(str(d), file=self.err, flush=True)

    def skipped_all(self, outputs) -> None:
        self.line(f"up to date: {', '.join(outputs)} (no input changed)")

    def stale(self, job, reason: str) -> None:
        self.line(f"rebuild {job.id}: {reason}", level=2)

    def skip(self, job) -> None:
        self.line(f"skip    {job.id}: unchanged", level=2)

    def started(self, job) -> None:
        self.line(f"build   {job.id} …", level=2)

    def finished(self, result) -> None:
        mark = "built " if result.ok else "FAILED"
        self.line(f"{mark}  {result.job.id:<18} {result.seconds:6.1f} s  {targets(result.job)}")

    def summary(self, summary) -> None:
        if self.hidden_warnings:
            print(f"{self.hidden_warnings} warning(s) not shown (-q); `python build.py check` lists them",
                  file=self.err, flush=True)
        self.line(
            f"done in {summary.seconds:.1f} s: {len(summary.built)} built, "
            f"{len(summary.skipped)} skipped, {len(summary.warnings)} warning(s)"
        )

    def close(self) -> None:
        pass


class RichReporter(Reporter):
    """A live table, one line per output with its time (only on a terminal, not in CI)."""

    def __init__(self, verbosity: int = 1) -> None:
        super().__init__(verbosity)
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=False)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=self.console, transient=False)
        self.tasks: dict[str, TaskID] = {}
        self.progress.start()

    def line(self, text: str, level: int = 1) -> None:
        if self.verbosity >= level:
            self.progress.console.print(text, markup=False, highlight=False)

    def started(self, job) -> None:
        self.tasks[job.id] = self.progress.add_task(f"{job.id:<18}", total=1)

    def finished(self, result) -> None:
        task = self.tasks.get(result.job.id)
        state = "[green]built[/]" if result.ok else "[red]FAILED[/]"
        text = f"{result.job.id:<18} {state} {targets(result.job)}"
        if task is None:
            task = self.progress.add_task(text, total=1)
        self.progress.update(task, description=text, completed=1)

    def close(self) -> None:
        self.progress.stop()


def targets(job, most: int = 4) -> str:
    """A job's files for one line: all of them, or the first two and the count (a site has many)."""
    names = job.targets
    return ", ".join(names) if len(names) <= most else f"{', '.join(names[:2])}, … ({len(names)} files)"


def make_reporter(verbosity: int) -> Reporter:
    tty = sys.stdout.isatty() and not os.environ.get("CI")
    if tty and verbosity > 0:
        try:
            return RichReporter(verbosity)
        except ImportError:
            pass
    return Reporter(verbosity)

