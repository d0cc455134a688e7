"""The state file when builds of different outputs overlap (`persklaar serve` builds the
web edition while the PDFs are laid out): each save keeps the other outputs' records."""

from __future__ import annotations

import threading
from pathlib import Path

from persklaar.build.state import JobRecord, State


def record(output: str, digest: str) -> JobRecord:
    return JobRecord(output, "", {"content": digest}, (f"{output}.out",))


def test_a_save_keeps_the_records_of_outputs_it_did_not_build(tmp_path: Path) -> None:
    dist, scratch = tmp_path / "dist", tmp_path / ".persklaar"
    State(jobs={"booklet": record("booklet", "old"), "web": record("web", "old")},
          quick={"booklet": "q-old", "web": "q-old"}).save(dist, scratch)
    web_build = State.load(dist)  # the web build starts, then the booklet's build finishes:
    booklet_build = State.load(dist)
    booklet_build.jobs["booklet"] = record("booklet", "new")
    booklet_build.quick["booklet"] = "q-new"
    booklet_build.save(dist, scratch, ("booklet",))
    web_build.jobs["web"] = record("web", "new")
    web_build.quick["web"] = "q-new"
    web_build.save(dist, scratch, ("web",))  # its stale copy of the booklet's record is not written back
    final = State.load(dist)
    assert final.jobs["booklet"].parts == {"content": "new"} and final.jobs["web"].parts == {"content": "new"}
    assert final.quick == {"booklet": "q-new", "web": "q-new"}


def test_a_save_without_outputs_writes_what_it_has(tmp_path: Path) -> None:
    dist, scratch = tmp_path / "dist", tmp_path / ".persklaar"
    State(jobs={"booklet": record("booklet", "a")}).save(dist, scratch)
    State(jobs={"web": record("web", "b")}).save(dist, scratch)
    assert list(State.load(dist).jobs) == ["web"]


def test_saves_from_many_threads_lose_no_output(tmp_path: Path) -> None:
    dist, scratch = tmp_path / "dist", tmp_path / ".persklaar"
    names = [f"out{i}" for i in range(8)]

    def save(name: str) -> None:
        for round_ in range(5):
            state = State.load(dist)
            state.jobs[name] = record(name, str(round_))
            state.save(dist, scratch, (name,))

    threads = [threading.Thread(target=save, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = State.load(dist)
    assert sorted(final.jobs) == names and all(final.jobs[n].parts == {"content": "4"} for n in names)
