"""The worker pool's priorities: light work yields the cores to the heaviest job."""

from __future__ import annotations

import os
import threading

import pytest

from persklaar.build import workers


def test_finish_work_runs_in_a_lower_priority_thread_and_its_errors_come_back() -> None:
    seen: list[tuple[int, int]] = []
    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def work() -> None:
        seen.append((threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))

    workers.in_background(work)
    ((tid, nice),) = seen
    assert tid != threading.get_native_id()
    assert nice == max(main, workers.BACKGROUND_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main  # this thread is untouched

    def broken() -> None:
        raise ValueError("from the finish step")

    with pytest.raises(ValueError, match="from the finish step"):
        workers.in_background(broken)


def test_only_jobs_lighter_than_the_heaviest_run_in_the_background(tmp_path, monkeypatch) -> None:
    from persklaar.outputs import BuildOptions, Job

    submitted: list[tuple[str, bool]] = []

    class Pool:
        def submit(self, fn, pub, job, staging, options, background):
            from concurrent.futures import Future

            submitted.append((job.id, background))
            future: Future = Future()
            future.set_result(workers.Result(job, True, 0.0))
            return future

    class Report:
        def started(self, job): ...
        def finished(self, result): ...

    pool = workers.Workers.__new__(workers.Workers)
    pool.pool = Pool()  # type: ignore[assignment]
    jobs = [Job("booklet", "", ("a.pdf",), weight=10), Job("epub", "", ("a.epub",), weight=3),
            Job("handouts", "8.1", ("h.pdf",))]
    pool.run(None, jobs, tmp_path, BuildOptions(), Report(), lambda result: None)  # type: ignore[arg-type]
    assert submitted == [("booklet", False), ("epub", True), ("handouts:8.1", True)]
    submitted.clear()
    pool.run(None, jobs[2:], tmp_path, BuildOptions(), Report(), lambda result: None)  # type: ignore[arg-type]
    assert submitted == [("handouts:8.1", False)]  # alone (or all alike): nothing to yield to
