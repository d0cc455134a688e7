#!/usr/bin/env python3
"""Benchmark: wall times of the builds an author meets, on a copy of this project.

    python bench/run.py [--runs N]        (or: make bench)

Prints a table of median wall times (and peak memory of the largest process) for
  (a) a cold full build            (b) a no-op rebuild
  (c) rebuild after editing one essay chapter
  (d) rebuild after editing one course section
  (e) WeasyPrint alone rendering the booklet's own intermediate HTML (the floor)
  (f) the essay ×10 (cold full build), for scaling
and the ratios (a)/(e), (b)/(a), (c)/(a), (d)/(a), (f)/(a).
Not a test: numbers depend on the machine; the README quotes one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
# Runs a command and reports the peak RSS of its largest (grand)child in KiB.
WRAP = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
        "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(r.returncode)")


def copy_project(dest: Path, scale: int = 1) -> Path:
    for folder in ("content", "templates", "styles"):
        shutil.copytree(REPO / folder, dest / folder)
    if scale > 1:
        essay = dest / "content/essay"
        chapters = sorted(essay.glob("*.md"))
        for i in range(1, scale):
            for chapter in chapters:
                number, slug = chapter.name.split("-", 1)
                (essay / f"{i:02d}{number}-{slug}").write_text(chapter.read_text("utf-8"), "utf-8")
    return dest


def timed(args: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([PY, "-c", WRAP, *args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"benchmark command failed: {' '.join(args)}\n{proc.stdout}\n{proc.stderr}")
    rss = next((int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("MAXRSS")), 0)
    return seconds, rss


def build(root: Path, *extra: str) -> tuple[float, int]:
    return timed([PY, str(REPO / "build.py"), "-q", "--root", str(root), *extra], root)


def cold(root: Path) -> tuple[float, int]:
    shutil.rmtree(root / "dist", ignore_errors=True)
    return build(root)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def edit_chapter(root: Path, flip: list[bool]) -> None:
    chapter = sorted((root / "content/essay").glob("*.md"))[1]
    flip[0] = not flip[0]
    text = chapter.read_text("utf-8").rstrip("\n")
    chapter.write_text(text + ("\n\nExtra zin voor de benchmark.\n" if flip[0] else "\n"), "utf-8")


def edit_section(root: Path, flip: list[bool]) -> None:
    module = sorted((root / "content/course").glob("*.yaml"))[0]
    flip[0] = not flip[0]
    old, new = ("minutes: 5", "minutes: 6") if flip[0] else ("minutes: 6", "minutes: 5")
    edit(module, old, new)


def weasyprint_floor(root: Path) -> tuple[float, int]:
    """(e): a process that imports WeasyPrint and renders the booklet's own HTML, with the
    same stylesheets and fetcher, and nothing else (no content loading, no imposition)."""
    html = root.parent / "booklet.html"
    if not html.is_file():  # the HTML the booklet job gives WeasyPrint, made once, untimed
        dump = ("import sys, pathlib; from persklaar.core.load import load; "
                "from persklaar.outputs import BuildOptions; "
                "from persklaar.outputs.booklet.page import page_html; "
                "pub, _ = load(pathlib.Path(sys.argv[1])); "
                "pathlib.Path(sys.argv[2]).write_text(page_html(pub, BuildOptions()), 'utf-8')")
        subprocess.run([PY, "-c", dump, str(root), str(html)], cwd=REPO, check=True)
    script = ("import sys, pathlib; from persklaar.render import pdf; "
              "from persklaar.outputs.booklet.design import STYLESHEETS; "
              "root = pathlib.Path(sys.argv[1]); markup = pathlib.Path(sys.argv[2]).read_text('utf-8'); "
              "from persklaar.render.styles import of_file; "
              "styles = [of_file(root / 'styles' / name, name) for name in STYLESHEETS]; "
              "pdf.render_pdf(markup, root, styles, 'bench', 'bench', 'ua-1+a-2u')")
    return timed([PY, "-c", script, str(root), str(html)], root)


CASES = ("(a) cold full build", "(b) no-op rebuild", "(c) edit one essay chapter",
         "(d) edit one course section", "(e) WeasyPrint alone (booklet HTML)", "(f) essay x10, cold full build")


def median(samples: list[tuple[float, int]]) -> tuple[float, int]:
    return statistics.median(s for s, _ in samples), max(m for _, m in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env_note = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in CASES}
    with tempfile.TemporaryDirectory(prefix="persklaar-bench-") as tmp:
        root = copy_project(Path(tmp) / "p")
        chapter_flip, section_flip = [False], [False]
        # One round runs every case once, so a machine that slows down for a while (a shared
        # VM) slows all cases alike instead of the ones that happened to run then.
        for _ in range(args.runs):
            samples[CASES[0]].append(cold(root))
            samples[CASES[1]].append(build(root))
            edit_chapter(root, chapter_flip)
            samples[CASES[2]].append(build(root))
            edit_section(root, section_flip)
            samples[CASES[3]].append(build(root))
            samples[CASES[4]].append(weasyprint_floor(root))
        big = copy_project(Path(tmp) / "x10", scale=10)
        samples[CASES[5]] = [cold(big) for _ in range(max(1, args.runs - 1))]
    results = {name: median(values) for name, values in samples.items()}
    print_table(results, env_note)


def print_table(results: dict[str, tuple[float, int]], env_note: str) -> None:
    a = results["(a) cold full build"][0]
    e = results["(e) WeasyPrint alone (booklet HTML)"][0]
    print(f"persklaar benchmark ({env_note}); median wall time, peak RSS of the largest process\n")
    print(f"| {'case':<36} | {'seconds':>8} | {'peak MiB':>8} |")
    print(f"|{'-' * 38}|{'-' * 10}|{'-' * 10}|")
    for name, (seconds, rss) in results.items():
        print(f"| {name:<36} | {seconds:8.2f} | {rss / 1024:8.0f} |")
    print()
    ratios = {
        "(a)/(e) full build vs WeasyPrint floor": a / e,
        "(b)/(a) no-op vs full": results["(b) no-op rebuild"][0] / a,
        "(c)/(a) chapter edit vs full": results["(c) edit one essay chapter"][0] / a,
        "(d)/(a) section edit vs full": results["(d) edit one course section"][0] / a,
        "(f)/(a) x10 content vs full": results["(f) essay x10, cold full build"][0] / a,
    }
    for name, value in ratios.items():
        print(f"{name:<42} {value:6.2f}")
    print(json.dumps({k: round(v[0], 3) for k, v in results.items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
