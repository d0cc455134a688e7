"""The process pool: each job in a worker, under a time and memory limit, into its own
staging folder, read back by its output before anything is published.

An output that says it is cheap (`in_process`, the web edition) is built in this
process instead, while the workers render the rest. Workers ignore Ctrl-C: this process
stops them (at once, `kill`), so an interrupt prints one line, not a traceback per worker.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildError, PersklaarError
from ..outputs import KEPT_HTML, REGISTRY, BuildOptions, Job
from .files import Staging, clean_scratch, describe
from .orphans import die_with_parent

if TYPE_CHECKING:
    from ..core.model import Publication

JOB_SECONDS = 600           # a renderer that runs longer is stopped
JOB_MEMORY = 6 * 1024**3    # address-space cap per worker (bytes)


@dataclass
class Result:
    job: Job
    ok: bool
    seconds: float
    staged: Path | None = None
    error: str = ""
    files: tuple[str, ...] = ()  # what to publish: the targets, plus dist/html/ pages with --keep-html


class Workers:
    """The worker pool, its first worker warming up (importing the renderers) at once, while
    this process reads the content; it takes the heaviest job. The others start with their
    first job, so they do not compete with the loading."""

    staging: Staging | None = None  # this build's staging folder, made with its first job

    def __init__(self, count: int, outputs: tuple[str, ...]) -> None:
        pooled = tuple(name for name in outputs if not REGISTRY.get(name).in_process)
        self.pool = ProcessPoolExecutor(max_workers=max(1, count), initializer=_limit_worker,
                                        initargs=(os.getpid(),)) if pooled else None
        if self.pool is not None:
            self.pool.submit(_warm_up, pooled)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind, *exc) -> None:
        try:
            if self.pool is not None:
                if kind is not None:  # Ctrl-C, SIGTERM, a failure while publishing: nothing more is wanted
                    self.kill()
                self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            if self.staging is not None:
                self.staging.close()

    def kill(self) -> None:
        """Stop every worker now; they write only into their staging folders."""
        processes = getattr(self.pool, "_processes", None) or {}  # the executor has no public way to stop a job
        for process in list(processes.values()):
            process.kill()

    def run(self, pub: Publication, jobs: list[Job], scratch: Path, options: BuildOptions, report,
            done: Callable[[Result], None], cancel: threading.Event | None = None) -> None:
        """Run `jobs` (heaviest first); `done` gets each result as it comes in. Setting `cancel`
        stops the workers: their jobs come back failed."""
        if not jobs:
            clean_scratch(scratch)
            return
        if self.staging is None:
            self.staging = Staging(scratch)
        staging = self.staging.open()
        here = [job for job in jobs if REGISTRY.get(job.output).in_process]
        futures: dict[Future, Job] = {}
        top = max((job.weight for job in jobs if job not in here), default=0)
        for job in jobs:
            if job not in here:
                assert self.pool is not None, "a pool exists whenever an output needs one"
                report.started(job)
                background = job.weight < top  # lighter than the heaviest: yields the core to it
                futures[self.pool.submit(_run_job, pub, job, staging, options, background)] = job
        for job in here:
            report.started(job)
            _finished(_build(pub, job, staging, options), report, done)
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                _finished(_result(future, futures[future]), report, done)
            if pending and cancel is not None and cancel.is_set():
                self.kill()


def _finished(result: Result, report, done: Callable[[Result], None]) -> None:
    report.finished(result)
    done(result)


def _warm_up(outputs: tuple[str, ...]) -> None:
    """In a worker: import what the jobs will need (about 0.7 s, hidden behind loading)."""
    for name in outputs:
        REGISTRY.get(name).warm_up()


def _result(future: Future, job: Job) -> Result:
    try:
        return future.result()
    except Exception as exc:  # the worker died (memory limit, signal): a build error
        return Result(job, False, 0.0, error=f"{job.id}: build failed: {type(exc).__name__}: {exc}")


def _limit_worker(build: int) -> None:
    """Cap a worker's memory; a runaway renderer then fails instead of the machine. Ctrl-C and
    a watch mode's SIGTERM handler are for the main process, which stops the workers itself;
    a worker dies with its build, however the build ends (`kill -9` too)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(build)
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = JOB_MEMORY if hard == resource.RLIM_INFINITY else min(JOB_MEMORY, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _run_job(pub: Publication, job: Job, staging: Path, options: BuildOptions, background: bool = False) -> Result:
    """In a worker: `_build` under the time limit. A `background` job (lighter than the
    heaviest one of this build) runs at a lower CPU priority: on two cores the light jobs
    then fill the time the heaviest one leaves, instead of slowing it down. (The pool
    lives for one build, so a worker lowered for a light job is not reused for a heavy one.)"""
    if background:
        lower_priority()
    signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(JOB_SECONDS)
    try:
        return _build(pub, job, staging, options)
    finally:
        signal.alarm(0)


def _build(pub: Publication, job: Job, staging: Path, options: BuildOptions) -> Result:
    """Build one job into its own staging folder and check what it wrote."""
    start = time.perf_counter()
    where = staging / job.id.replace(":", "_")
    try:
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir(parents=True)
        output = REGISTRY.get(job.output)
        output.build(pub, job, where, options)
        for target in job.targets:
            if not (where / target).is_file():
                raise BuildError(f"{target} was not written")
            output.verify(where / target, target)
        kept = sorted(p.relative_to(where).as_posix() for p in (where / KEPT_HTML).rglob("*.html"))
        return Result(job, True, time.perf_counter() - start, where, files=(*job.targets, *kept))
    except PersklaarError as exc:
        return Result(job, False, time.perf_counter() - start, error=f"{job.id}: {exc}")
    except OSError as exc:  # the disk full, a folder not writable: `path: message`
        return Result(job, False, time.perf_counter() - start, error=f"{job.id}: {describe(exc)}")
    except MemoryError:
        return Result(job, False, time.perf_counter() - start,
                      error=f"{job.id}: stopped: used more than {JOB_MEMORY >> 30} GiB")
    except Exception as exc:  # a renderer crash is reported, not dumped as a traceback
        return Result(job, False, time.perf_counter() - start,
                      error=f"{job.id}: build failed: {type(exc).__name__}: {exc}")


BACKGROUND_NICENESS = 10


def lower_priority(thread: bool = False) -> None:
    """Lower this process's CPU priority (or, with `thread`, only the calling thread's: on
    Linux each thread has its own), once; where that cannot be done nothing changes."""
    try:
        who = threading.get_native_id() if thread else 0
        current = os.getpriority(os.PRIO_PROCESS, who)
        if current < BACKGROUND_NICENESS:
            os.setpriority(os.PRIO_PROCESS, who, BACKGROUND_NICENESS)
    except (AttributeError, OSError):
        pass


def in_background(work: Callable[[], None]) -> None:
    """Run `work` in a thread of lower CPU priority and wait for it (its exception is raised
    here): the finish steps run in this process while the heaviest job may still be working."""
    failure: list[BaseException] = []

    def run() -> None:
        lower_priority(thread=True)
        try:
            work()
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=run, name="persklaar-finish", daemon=True)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def _too_long(signum, frame):
    raise BuildError(f"stopped: took longer than {JOB_SECONDS} s")
