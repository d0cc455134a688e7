"""The build recipe. The pipeline names no output: it asks the registry.

    state, files = State.load(dist), scan(root)      # what was built from what
    if nothing changed: return                       # no parsing, no WeasyPrint
    with Workers(req) as workers:                    # one worker warms up meanwhile
        pub = load_checked(root, outputs)            # every content error, at once (as `check`)
        plan = make_plan(pub, outputs, state)        # each job's fingerprint: stale, and why
        workers.run(plan.stale, publisher.publish)   # each job in its own staging folder
    publisher.finish_all()                           # finish steps (the combined handouts)
    prune(plan, state); state.save()

Each output is published (os.replace into dist/) as soon as it is built and read back,
so a failed or killed build never leaves a partial file in dist/ and the previous good
output stays. An output's finish step runs as soon as its last job is in.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.theme import CUSTOM_CSS, FONTS, default_theme
from ..errors import BuildError, Diagnostic, PersklaarError, SourceLocation
from ..outputs import REGISTRY, BuildOptions, Job
from . import digest
from .files import describe, move_into, ready, remove_output, remove_tree
from .state import STATE_NAME, THEME, FileStamp, JobRecord, State, scan
from .workers import Result, Workers, in_background

if TYPE_CHECKING:
    from ..core.model import Publication

SCRATCH = ".persklaar"


@dataclass(frozen=True)
class Request:
    """What the author asked for."""

    root: Path
    outputs: tuple[str, ...]
    jobs: int = os.cpu_count() or 1
    strict: bool = False
    options: BuildOptions = field(default_factory=BuildOptions)

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def scratch(self) -> Path:
        return self.root / SCRATCH


@dataclass(frozen=True)
class Stale:
    """A job's fingerprint and why it must be built (doit's DependencyStatus); no reasons: fresh."""

    job: Job
    parts: dict[str, str]
    reasons: tuple[str, ...]


@dataclass
class Plan:
    jobs: list[Stale]

    @property
    def stale(self) -> list[Stale]:
        return sorted((s for s in self.jobs if s.reasons), key=lambda s: -s.job.weight)

    def of(self, output: str) -> list[Stale]:
        return [s for s in self.jobs if s.job.output == output]


@dataclass
class Summary:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


def build(req: Request, report, cancel: threading.Event | None = None) -> Summary:
    """Build what is stale among `req.outputs`; raise PersklaarError on any failure.

    Setting `cancel` stops the workers (their jobs fail; what was published stays)."""
    start = time.perf_counter()
    summary = Summary()
    state = State.load(req.dist)
    files = scan(req.root, state.files, default_theme())
    quick = {name: _quick_digest(name, files, req) for name in req.outputs}
    if _nothing_changed(state, quick, req):
        summary.skipped = list(req.outputs)
        report.skipped_all(req.outputs)
    else:
        damaged = _damaged_state(state, req, report)
        try:
            _build(req, report, cancel, summary, state, files, quick)
        except OSError as exc:  # dist/ or .persklaar/ unwritable, the disk full: said as `path: message`
            raise BuildError(describe(exc)) from None
        summary.warnings[:0] = damaged
    summary.seconds = time.perf_counter() - start
    if summary.failed:
        raise BuildError("\n".join(summary.errors))
    return summary


def _build(req: Request, report, cancel: threading.Event | None, summary: Summary, state: State,
           files: dict[str, FileStamp], quick: dict[str, str]) -> None:
    from .check import load_checked  # the schemas and the parser: not needed for a no-op

    with Workers(req.jobs, req.outputs) as workers:
        pub, summary.warnings = load_checked(req.root, req.outputs, req.strict, report)
        _ready(req)  # after the content's errors (as `check` gives them), before anything is written
        plan = make_plan(pub, req, state, files, report, summary)
        publisher = Publisher(pub, req, state, plan, summary, report)
        workers.run(pub, [s.job for s in plan.stale], req.scratch, req.options, report, publisher.publish, cancel)
    publisher.finish_all()
    _prune(pub, plan, state, req)
    state.files = files
    state.quick.update({} if summary.failed else quick)
    state.save(req.dist, req.scratch, req.outputs)


def _damaged_state(state: State, req: Request, report) -> list[Diagnostic]:
    """A state file that was not used, said once: everything is rebuilt, nothing it names is deleted."""
    if not state.problem:
        return []
    where = SourceLocation(f"{req.dist.name}/{STATE_NAME}")
    warning = Diagnostic(where, f"the build state {state.problem}; building everything again "
                         "(it is a cache: nothing it names is deleted)", "warning")
    report.diagnostic(warning)
    return [warning]


def _ready(req: Request) -> None:
    """dist/ and .persklaar/ are folders this build can write in, or a clear error before any work."""
    ready(req.dist, "the outputs")
    ready(req.scratch, "the build's work files")
    state = req.dist / STATE_NAME
    if state.is_dir() and not state.is_symlink():
        raise BuildError(f"{state}: is a folder where the build state goes; remove it")


# ---------------------------------------------------------------- deciding


def _quick_digest(name: str, files: dict[str, FileStamp], req: Request) -> str:
    """Everything an output could depend on, for the no-parse no-op check."""
    h = hashlib.sha256(name.encode())
    for rel, stamp in sorted(files.items()):
        h.update(f"{rel}\0{stamp.sha}\n".encode())
    h.update(digest.code_digest().encode())
    h.update(repr((_options_key(req), req.strict)).encode())
    return h.hexdigest()


def _options_key(req: Request) -> tuple:
    return (req.options.keep_html, req.options.source_date_epoch)


def _nothing_changed(state: State, quick: dict[str, str], req: Request) -> bool:
    for name, value in quick.items():
        targets = state.targets_of(name)
        if state.quick.get(name) != value or not targets or not all((req.dist / t).is_file() for t in targets):
            return False
    return True


def fingerprint(pub: Publication, job: Job, files: dict[str, FileStamp], req: Request) -> dict[str, str]:
    """The parts a job's output is made from; any part that changes makes it stale."""
    output = REGISTRY.get(job.output)
    prefixes = (*(f"templates/{t}" for t in output.templates), *(f"styles/{s}" for s in output.styles),
                "templates/labels/", CUSTOM_CSS, f"{FONTS}/")
    used = {rel: stamp.sha for rel, stamp in files.items() if rel.removeprefix(THEME).startswith(prefixes)}
    return {
        "content": digest.of(output.content_key(pub, job)),
        "settings": digest.of(pub.settings),
        "templates and styles": digest.of(used),
        "builder code": digest.code_digest(),
        "options": digest.of([*_options_key(req), list(job.targets)]),
    }


def make_plan(pub: Publication, req: Request, state: State, files: dict[str, FileStamp], report,
              summary: Summary) -> Plan:
    plan = Plan([])
    for name in req.outputs:
        for job in REGISTRY.get(name).jobs(pub):
            parts = fingerprint(pub, job, files, req)
            stale = Stale(job, parts, _why(state.jobs.get(job.id), parts, job, req))
            plan.jobs.append(stale)
            if stale.reasons:
                report.stale(job, "; ".join(stale.reasons))
            else:
                summary.skipped.append(job.id)
                report.skip(job)
    return plan


def _why(before: JobRecord | None, parts: dict[str, str], job: Job, req: Request) -> tuple[str, ...]:
    if before is None:
        return ("no previous build",)
    changed = [k for k, v in parts.items() if before.parts.get(k) != v]
    if changed:
        return ("changed: " + ", ".join(changed),)
    missing = [t for t in job.targets if not (req.dist / t).is_file()]
    return (f"missing: {', '.join(missing)}",) if missing else ()


# ---------------------------------------------------------------- publishing


class Publisher:
    """Moves checked results into dist/, records them, and runs each output's finish step
    as soon as its last job is in (the combined handouts while the booklet renders)."""

    def __init__(self, pub: Publication, req: Request, state: State, plan: Plan, summary: Summary, report) -> None:
        self.pub, self.req, self.state, self.plan, self.summary, self.report = pub, req, state, plan, summary, report
        self.parts = {s.job.id: s.parts for s in plan.jobs}
        self.waiting = {name: {s.job.id for s in plan.of(name) if s.reasons} for name in req.outputs}
        self.finished: set[str] = set()
        self.failed: set[str] = set()  # outputs with a failed job: no finish step

    def publish(self, result: Result) -> None:
        job = result.job
        if not result.ok:
            self.failed.add(job.output)
            self.summary.failed.append(job.id)
            self.summary.errors.append(result.error)
        else:
            self._move(result)
            self.state.jobs[job.id] = JobRecord(job.output, job.key, self.parts[job.id], result.files)
            self.summary.built.append(job.id)
        self.waiting[job.output].discard(job.id)
        if not self.waiting[job.output]:
            self.finish(job.output)

    def _move(self, result: Result) -> None:
        assert result.staged is not None
        before = self._forget(result.job)
        for target in result.files:
            move_into(result.staged / target, self.req.dist / target)
        for gone in set(before.targets if before else ()) - set(result.files):  # e.g. HTML no longer kept
            remove_output(self.req.dist, gone, self.req.root)
        remove_tree(result.staged)

    def _forget(self, job: Job) -> JobRecord | None:
        """Before a job's files replace the old ones, its record (and its output's no-op digest) leave
        the state file: a build killed while publishing leaves that job stale, not taken for done."""
        before = self.state.jobs.pop(job.id, None)
        if before is not None or job.output in self.state.quick:
            self.state.quick.pop(job.output, None)
            self.state.save(self.req.dist, self.req.scratch, self.req.outputs)
        return before

    def finish_all(self) -> None:
        for name in self.req.outputs:
            self.finish(name)

    def finish(self, name: str) -> None:
        """The output's finish step over its published files, unless its jobs failed or nothing changed."""
        output = REGISTRY.get(name)
        targets = output.finish_targets(self.pub)
        if name in self.finished or not targets or name in self.failed:
            return
        self.finished.add(name)
        stales = self.plan.of(name)
        parts = {"jobs": digest.of([self.parts[s.job.id] for s in stales])}
        fid = f"{name}:finish"
        before = self.state.jobs.get(fid)
        if before and before.parts == parts and all((self.req.dist / t).is_file() for t in targets):
            self.summary.skipped.append(fid)
            return
        start = time.perf_counter()
        staging = self.req.scratch / f"finish-{os.getpid()}-{name}"
        shutil.rmtree(staging, ignore_errors=True)
        job = Job(name, "finish", targets)
        try:
            inputs = [self.req.dist / t for s in stales for t in s.job.targets]
            in_background(lambda: output.finish(self.pub, inputs, staging, self.req.options))
            for target in targets:
                output.verify(staging / target, target)
        except (PersklaarError, OSError) as exc:
            self.summary.failed.append(fid)
            self.summary.errors.append(f"{fid}: {describe(exc) if isinstance(exc, OSError) else exc}")
            shutil.rmtree(staging, ignore_errors=True)
            return
        self._move(Result(job, True, 0.0, staging, files=targets))
        self.state.jobs[fid] = JobRecord(name, "finish", parts, targets)
        self.summary.built.append(fid)
        self.report.finished(Result(job, True, time.perf_counter() - start))


def _prune(pub: Publication, plan: Plan, state: State, req: Request) -> None:
    """Remove outputs of jobs that no longer exist (a deleted course section)."""
    finishing = [name for name in req.outputs if REGISTRY.get(name).finish_targets(pub)]
    live = {s.job.id for s in plan.jobs} | {f"{name}:finish" for name in finishing}
    for jid, record in list(state.jobs.items()):
        if record.output in req.outputs and jid not in live:
            for target in state.jobs.pop(jid).targets:
                remove_output(req.dist, target, req.root)
