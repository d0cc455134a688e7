"""The build recipe: load → plan (what is stale, and why) → build in a pool → publish.

    state = State.load(dist)                      # what was built from what
    if nothing changed: return (no parsing, no WeasyPrint)
    pub = content.load(root)                      # every content error, at once
    plan = plan_jobs(pub, outputs)                # fingerprint each job, compare
    results = run_pool(plan.stale)                # each job into its own staging dir
    publish(results)                              # os.replace into dist/, only if checked
    post-steps (combined handouts), prune orphans, save state

Outputs are written to `.persklaar/` beside `dist/` and moved in whole, so a failed or
killed build never leaves a partial file in `dist/` and the previous good output stays.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import resource
import shutil
import signal
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import digest
from ..errors import BuildError, ContentError, Diagnostic, PersklaarError
from ..outputs import BuildOptions, Job, module
from ..render.pdf import KEPT_HTML
from .state import State, scan

ALL_OUTPUTS = ("booklet", "epub", "handouts")
SCRATCH = ".persklaar"
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


@dataclass
class Summary:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Request:
    """What the author asked for."""

    root: Path
    outputs: tuple[str, ...] = ALL_OUTPUTS
    jobs: int = os.cpu_count() or 1
    strict: bool = False
    options: BuildOptions = field(default_factory=BuildOptions)

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def scratch(self) -> Path:
        return self.root / SCRATCH


def build(req: Request, report) -> Summary:
    """Build what is stale among `req.outputs`; raise PersklaarError on any failure."""
    start = time.perf_counter()
    summary = Summary()
    state = State.load(req.dist)
    files = scan(req.root, state.files)
    quick = {name: _quick_digest(name, files, req) for name in req.outputs}
    if _nothing_changed(state, quick, req):
        summary.skipped = list(req.outputs)
        report.skipped_all(req.outputs)
        summary.seconds = time.perf_counter() - start
        return summary
    # A worker starts now and imports the renderers while this process reads the content.
    pool = _start_pool(req)
    try:
        pub, warnings = _load(req, report)
        summary.warnings = warnings
        plan = [(job, name) for name in req.outputs for job in module(name).jobs(pub)]
        stale = _stale(pub, plan, state, files, req, report, summary)
        sheets_left = {job.id for job in stale if job.output == "handouts"}
        post_errors: list[str] = []

        def done(result: Result) -> None:  # each output is published as soon as it is checked
            _publish(result, state, req, summary)
            sheets_left.discard(result.job.id)
            if result.job.output == "handouts" and not sheets_left:
                post_errors.extend(_post_steps(pub, plan, state, req, report, summary))  # while the booklet renders

        results = run_pool(pool, pub, stale, req, report, done)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if not any(job.output == "handouts" for job in stale):
        post_errors.extend(_post_steps(pub, plan, state, req, report, summary))  # e.g. it was deleted
    for entry in state.jobs.values():
        entry.pop("next", None)
    _prune(plan, state, req)
    state.files = files
    for name in req.outputs:
        if not summary.failed:
            state.quick[name] = quick[name]
    state.save(req.dist, req.scratch)
    summary.seconds = time.perf_counter() - start
    if summary.failed:
        raise BuildError("\n".join([r.error for r in results if not r.ok] + post_errors))
    return summary


# ---------------------------------------------------------------- deciding


def _quick_digest(name: str, files: dict[str, list], req: Request) -> str:
    """Everything an output could depend on, for the no-parse no-op check."""
    h = hashlib.sha256(name.encode())
    for rel, (_, _, sha) in sorted(files.items()):
        h.update(f"{rel}\0{sha}\n".encode())
    h.update(digest.code_digest().encode())
    h.update(repr((_options_key(req), req.strict)).encode())
    return h.hexdigest()


def _options_key(req: Request) -> tuple:
    return (req.options.keep_html, req.options.source_date_epoch)


def _nothing_changed(state: State, quick: dict[str, str], req: Request) -> bool:
    for name, value in quick.items():
        if state.quick.get(name) != value:
            return False
        targets = [t for jid, j in state.jobs.items() if jid.split(":")[0] == name for t in j["targets"]]
        if not targets or not all((req.dist / t).is_file() for t in targets):
            return False
    return True


def _load(req: Request, report):
    from ..core import load as content  # imported here: pydantic is not needed for a no-op

    pub, warnings = content.load(req.root)
    for w in warnings:
        report.diagnostic(w)
    if req.strict and warnings:
        raise ContentError([Diagnostic(w.where, w.message + " (--strict)") for w in warnings])
    return pub, warnings


def _parts(pub, job: Job, name: str, files: dict[str, list], req: Request) -> dict[str, str]:
    mod = module(name)
    prefixes = tuple(f"templates/{t}" for t in mod.TEMPLATES) + tuple(f"styles/{s}" for s in mod.STYLES)
    used = {rel: sha for rel, (_, _, sha) in files.items() if rel.startswith(prefixes)}
    return {
        "content": digest.of(mod.content_key(pub, job)),
        "settings": digest.of(pub.settings),
        "templates and styles": digest.of(used),
        "builder code": digest.code_digest(),
        "options": digest.of(list(_options_key(req)) + [list(job.targets)]),
    }


def _stale(pub, plan, state: State, files, req: Request, report, summary: Summary) -> list[Job]:
    stale = []
    for job, name in plan:
        parts = _parts(pub, job, name, files, req)
        reason = _why(state.jobs.get(job.id), parts, job, req)
        state.jobs.setdefault(job.id, {})["next"] = parts
        if reason:
            stale.append(job)
            report.stale(job, reason)
        else:
            summary.skipped.append(job.id)
            report.skip(job)
    return sorted(stale, key=lambda j: -j.weight)


def _why(before: dict | None, parts: dict[str, str], job: Job, req: Request) -> str:
    if not before or "parts" not in before:
        return "no previous build"
    changed = [k for k, v in parts.items() if before["parts"].get(k) != v]
    if changed:
        return "changed: " + ", ".join(changed)
    missing = [t for t in job.targets if not (req.dist / t).is_file()]
    return f"missing: {', '.join(missing)}" if missing else ""


# ---------------------------------------------------------------- running


def _start_pool(req: Request) -> ProcessPoolExecutor:
    """The worker pool, with its first worker warming up (importing WeasyPrint and the
    outputs) at once; it takes the heaviest job. The others start with their first job,
    so they do not compete with this process while it reads the content."""
    pool = ProcessPoolExecutor(max_workers=max(1, req.jobs), initializer=_limit_worker)
    pool.submit(_warm_up, req.outputs)
    return pool


def _warm_up(outputs: tuple[str, ...]) -> None:
    """In a worker: import what the jobs will need (about 0.7 s, hidden behind loading)."""
    for name in outputs:
        module(name)
    importlib.import_module("weasyprint")  # every output renders with it (the EPUB its cover)
    importlib.import_module("pypdf")  # imposition, and the check before publishing


def run_pool(pool: ProcessPoolExecutor, pub, stale: list[Job], req: Request, report,
             done: Callable[[Result], None]) -> list[Result]:
    """Run `stale` (heaviest first) in `pool`; `done` gets each result as it comes in."""
    if not stale:
        return []
    _clean_scratch(req.scratch)
    staging = req.scratch / f"staging-{os.getpid()}"
    results = []
    futures = {}
    for job in stale:
        report.started(job)
        futures[pool.submit(_run_job, pub, job, staging, req.options)] = job
    for future in as_completed(futures):
        result = _result(future, futures[future])
        report.finished(result)
        results.append(result)
        done(result)
    return results


def _result(future, job: Job) -> Result:
    try:
        return future.result()
    except Exception as exc:  # the worker died (memory limit, signal): a build error
        return Result(job, False, 0.0, error=f"{job.id}: build failed: {type(exc).__name__}: {exc}")


def _limit_worker() -> None:
    """Cap a worker's memory; a runaway renderer then fails instead of the machine."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = JOB_MEMORY if hard == resource.RLIM_INFINITY else min(JOB_MEMORY, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _run_job(pub, job: Job, staging: Path, options: BuildOptions) -> Result:
    """In a worker: build one job into its own staging folder and check what it wrote."""
    start = time.perf_counter()
    where = staging / job.id.replace(":", "_")
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(JOB_SECONDS)
    try:
        module(job.output).build(pub, job, where, options)
        _verify(job, where)
        kept = sorted(p.relative_to(where).as_posix() for p in (where / KEPT_HTML).rglob("*.html"))
        return Result(job, True, time.perf_counter() - start, where, files=(*job.targets, *kept))
    except PersklaarError as exc:
        return Result(job, False, time.perf_counter() - start, error=f"{job.id}: {exc}")
    except MemoryError:
        return Result(job, False, time.perf_counter() - start, error=f"{job.id}: stopped: used more than {JOB_MEMORY >> 30} GiB")
    except Exception as exc:  # a renderer crash is reported, not dumped as a traceback
        return Result(job, False, time.perf_counter() - start, error=f"{job.id}: build failed: {type(exc).__name__}: {exc}")
    finally:
        signal.alarm(0)


def _too_long(signum, frame):
    raise BuildError(f"stopped: took longer than {JOB_SECONDS} s")


def _verify(job: Job, where: Path) -> None:
    """Every target exists and reads back before anything is published."""
    from ..render.pdf import check_pdf

    for target in job.targets:
        path = where / target
        if not path.is_file():
            raise BuildError(f"{target} was not written")
        if path.suffix == ".pdf":
            check_pdf(path.read_bytes(), target)
        elif path.suffix == ".epub":
            _check_zip(path, target)


def _check_zip(path: Path, target: str) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            first = z.namelist()[0] if z.namelist() else ""
    except zipfile.BadZipFile as exc:
        raise BuildError(f"{target}: not a readable zip ({exc})") from None
    if bad or first != "mimetype":
        raise BuildError(f"{target}: damaged EPUB ({bad or 'mimetype is not the first entry'})")


# ---------------------------------------------------------------- publishing


def _publish(result: Result, state: State, req: Request, summary: Summary) -> None:
    """Move a checked job's files from staging into dist/ (each with os.replace)."""
    if not result.ok:
        summary.failed.append(result.job.id)
        return
    for target in result.files:
        dest = req.dist / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(result.staged / target, dest)
    entry = state.jobs[result.job.id]
    for gone in set(entry.get("targets", [])) - set(result.files):  # e.g. HTML no longer kept
        (req.dist / gone).unlink(missing_ok=True)
    entry["parts"] = entry.pop("next")
    entry["targets"] = list(result.files)
    summary.built.append(result.job.id)
    shutil.rmtree(result.staged, ignore_errors=True)


def _post_steps(pub, plan, state: State, req: Request, report, summary: Summary) -> list[str]:
    """The combined handout PDF, made from the published handouts once they are all done;
    returns the errors (a failure is recorded, not raised, so the other jobs finish)."""
    if "handouts" not in req.outputs or any(jid.startswith("handouts:") for jid in summary.failed):
        return []
    try:
        _combine_handouts(pub, plan, state, req, report, summary)
    except PersklaarError as exc:
        summary.failed.append("handouts:combined")
        return [f"handouts:combined: {exc}"]
    return []


def _combine_handouts(pub, plan, state: State, req: Request, report, summary: Summary) -> None:
    handouts = module("handouts")
    sheets = [job for job, name in plan if name == "handouts"]
    if not sheets:
        return
    key = digest.of([state.jobs[j.id]["parts"] for j in sheets])
    target = req.dist / handouts.COMBINED
    entry = state.jobs.get("handouts:combined", {})
    if entry.get("parts", {}).get("sheets") == key and target.is_file():
        summary.skipped.append("handouts:combined")
        return
    start = time.perf_counter()
    tmp = req.scratch / f"combined-{os.getpid()}.pdf"
    handouts.combine(pub, [req.dist / j.targets[0] for j in sheets], tmp)
    from ..render.pdf import check_pdf

    check_pdf(tmp.read_bytes(), handouts.COMBINED)
    os.replace(tmp, target)
    state.jobs["handouts:combined"] = {"parts": {"sheets": key}, "targets": [handouts.COMBINED]}
    summary.built.append("handouts:combined")
    report.finished(Result(Job("handouts", "combined", (handouts.COMBINED,)), True, time.perf_counter() - start))


def _prune(plan, state: State, req: Request) -> None:
    """Remove outputs of jobs that no longer exist (a deleted course section)."""
    live = {job.id for job, _ in plan} | {"handouts:combined"}
    for jid in list(state.jobs):
        if jid.split(":")[0] in req.outputs and jid not in live:
            for target in state.jobs.pop(jid).get("targets", []):
                (req.dist / target).unlink(missing_ok=True)


def _clean_scratch(scratch: Path) -> None:
    """Remove staging folders left by builds that were killed."""
    if not scratch.is_dir():
        return
    for folder in scratch.glob("staging-*"):
        pid = folder.name.split("-", 1)[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def describe(summary: Summary) -> str:
    return json.dumps({"built": summary.built, "skipped": summary.skipped, "failed": summary.failed})
