#!/usr/bin/env python3
"""Benchmark: wall times of the builds an author meets, on copies of this project.

    python bench/run.py [--runs N] [--shipped-only]        (or: make bench)

Prints a table of median wall times (and peak memory of the largest process) for the
shipped publication and a large one (bench/grow.py: the essay three times over, with
hundreds of distinct links and code blocks):
  (a) a cold full build (dist/ removed; the cache of .persklaar/ kept, as an author has it)
  (a0) the first build of all (no cache either)
  (b) a no-op rebuild   (c) after editing one essay chapter   (d) after editing a course section
  (e) WeasyPrint alone on the booklet's own HTML and stylesheets, same PDF options: the floor
  (e') the same, the fonts served already decoded: layout and writing only
  (g), (h), (h') the large publication's cold build and floors
and the ratios of builds to their floors.
Not a test: numbers depend on the machine; the README quotes runs.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import grow  # noqa: E402  (bench/grow.py: the large publication)

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's persklaar, whatever the venv has installed
# Runs a command and reports the peak RSS of its largest (grand)child in KiB.
WRAP = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
        "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(r.returncode)")


def timed(args: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([PY, "-c", WRAP, *args], cwd=cwd, capture_output=True, text=True, env=ENV)
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


DUMP = """
import json, pathlib, sys
from persklaar.core.load import load
from persklaar.outputs import BuildOptions
from persklaar.outputs.booklet.design import STYLESHEETS
from persklaar.outputs.booklet.page import page_html
from persklaar.render import views
from persklaar.render.styles import stylesheets
pub, _ = load(pathlib.Path(sys.argv[1]))
sheets = [{"text": s.text, "base": str(s.base), "path": str(s.path) if s.path else None}
          for s in stylesheets(pub, STYLESHEETS, pub.settings.page)]
epoch = int(views.build_moment(pub, None).timestamp())
pathlib.Path(sys.argv[2]).write_text(json.dumps({
    "html": page_html(pub, BuildOptions()), "sheets": sheets, "epoch": epoch,
    "standard": pub.settings.pdf_standard, "identifier": pub.meta.identifier}), "utf-8")
"""

# WeasyPrint alone: the booklet's HTML and stylesheets, the same PDF options (tagged, to the
# same standard, same identifier), WeasyPrint's own URL fetcher; nothing of persklaar runs.
FLOOR = """
import json, os, pathlib, sys
job = json.loads(pathlib.Path(sys.argv[1]).read_text("utf-8"))
os.environ["SOURCE_DATE_EPOCH"] = str(job["epoch"])
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse
fetch = URLFetcher()
if sys.argv[2] == "decoded":  # fonts decoded already, as a warm persklaar cache serves them
    from persklaar.render.pdf import decoded_woff2
    class Decoded(URLFetcher):
        def fetch(self, url, headers=None):
            got = super().fetch(url, headers)
            data = got.read()
            if data[:4] == b"wOF2":
                return URLFetcherResponse(url, decoded_woff2(pathlib.Path(sys.argv[3]), data),
                                          {"Content-Type": "font/ttf"})
            return URLFetcherResponse(url, data, dict(got.headers.items()))
    fetch = Decoded()
from persklaar.render.standards import VARIANTS
fonts = FontConfiguration()
css = [CSS(filename=s["path"], font_config=fonts, url_fetcher=fetch) if s["path"] else
       CSS(string=s["text"], base_url=pathlib.Path(s["base"]).as_uri() + "/", font_config=fonts, url_fetcher=fetch)
       for s in job["sheets"]]
HTML(string=job["html"], base_url=pathlib.Path(sys.argv[3]).as_uri() + "/", url_fetcher=fetch).write_pdf(
    stylesheets=css, font_config=fonts, presentational_hints=False, pdf_identifier=b"0" * 32,
    pdf_variant=VARIANTS[job["standard"]], pdf_tags=True)
"""


def weasyprint_floor(root: Path, fonts: str) -> tuple[float, int]:
    """WeasyPrint alone rendering the booklet's own HTML (made once, untimed); `fonts`:
    "woff2" (WeasyPrint decodes the theme's fonts itself, as the weasyprint command does)
    or "decoded" (served already decoded: layout and writing only)."""
    job = root.parent / f"{root.name}-booklet.json"
    if not job.is_file():
        subprocess.run([PY, "-c", DUMP, str(root), str(job)], cwd=REPO, check=True, env=ENV)
    return timed([PY, "-c", FLOOR, str(job), fonts, str(root)], root)


SHIPPED, LARGE = "shipped", "large"
CASES = {
    "a": "(a) cold full build",
    "a0": "(a0) first build (no cache)",
    "b": "(b) no-op rebuild",
    "c": "(c) edit one essay chapter",
    "d": "(d) edit one course section",
    "e": "(e) WeasyPrint alone",
    "e'": "(e') WeasyPrint alone, fonts decoded",
    "g": "(g) large: cold full build",
    "h": "(h) large: WeasyPrint alone",
    "h'": "(h') large: WeasyPrint, fonts decoded",
}


def median(samples: list[tuple[float, int]]) -> tuple[float, int]:
    return statistics.median(s for s, _ in samples), max(m for _, m in samples)


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shipped-only", action="store_true", help="skip the large publication")
    args = parser.parse_args()
    env_note = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    samples: dict[str, list[tuple[float, int]]] = {key: [] for key in CASES}
    with tempfile.TemporaryDirectory(prefix="persklaar-bench-") as tmp:
        root = grow.copy_project(Path(tmp) / SHIPPED)
        big = None if args.shipped_only else grow.grow(Path(tmp) / LARGE)
        chapter_flip, section_flip = [False], [False]
        # One round runs every case once, so a machine that slows down for a while (a shared
        # VM) slows all cases alike instead of the ones that happened to run then.
        for _ in range(args.runs):
            shutil.rmtree(root / ".persklaar", ignore_errors=True)  # the cache, too
            samples["a0"].append(cold(root))
            samples["a"].append(cold(root))
            samples["b"].append(build(root))
            edit_chapter(root, chapter_flip)
            samples["c"].append(build(root))
            edit_section(root, section_flip)
            samples["d"].append(build(root))
            samples["e"].append(weasyprint_floor(root, "woff2"))
            samples["e'"].append(weasyprint_floor(root, "decoded"))
            if big is not None:
                samples["g"].append(cold(big))
                samples["h"].append(weasyprint_floor(big, "woff2"))
                samples["h'"].append(weasyprint_floor(big, "decoded"))
        sizes = {name: pages(folder / "dist/toekomst-van-arbeid.pdf")
                 for name, folder in ((SHIPPED, root), (LARGE, big)) if folder is not None}
    results = {CASES[key]: median(values) for key, values in samples.items() if values}
    print_table(results, env_note, sizes)


def print_table(results: dict[str, tuple[float, int]], env_note: str, sizes: dict[str, int]) -> None:
    print(f"persklaar benchmark ({env_note}); median wall time, peak RSS of the largest process")
    print("booklet pages: " + ", ".join(f"{name} {n}" for name, n in sizes.items()) + "\n")
    print(f"| {'case':<40} | {'seconds':>8} | {'peak MiB':>8} |")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 10}|")
    for name, (seconds, rss) in results.items():
        print(f"| {name:<40} | {seconds:8.2f} | {rss / 1024:8.0f} |")
    print()
    t = {key: results[name][0] for key, name in CASES.items() if name in results}
    ratios = {
        "(a)/(e)  shipped: build vs WeasyPrint alone": t["a"] / t["e"],
        "(a)/(e') shipped: build vs WeasyPrint, fonts decoded": t["a"] / t["e'"],
        "(a0)/(e) shipped: first build vs WeasyPrint alone": t["a0"] / t["e"],
        "(b)/(a)  no-op vs full": t["b"] / t["a"],
        "(c)/(a)  chapter edit vs full": t["c"] / t["a"],
        "(d)/(a)  section edit vs full": t["d"] / t["a"],
    }
    if "g" in t:
        ratios["(g)/(h)  large: build vs WeasyPrint alone"] = t["g"] / t["h"]
        ratios["(g)/(h') large: build vs WeasyPrint, fonts decoded"] = t["g"] / t["h'"]
    for name, value in ratios.items():
        print(f"{name:<54} {value:6.2f}")
    print(json.dumps({k: round(v, 3) for k, v in t.items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
