#!/usr/bin/env python3
"""Benchmark of the author's loop: `persklaar serve` on a copy of this project, an open page
in headless Chromium, and one essay chapter saved again and again.

    python bench/serve.py [--runs N]        (make bench runs it after bench/run.py)

For each save (with the PDFs and EPUB of the previous save finished, so the machine is
otherwise idle), it measures from the moment the file is written:
  (s1) the server announces a new site version (the page is told to reload)
  (s2) the new sentence is visible in the open page (Chromium reloaded it by itself)
  (s3) the booklet, the EPUB and the handouts are ready again (the status bar says so)
and prints the medians. Not a test: numbers depend on the machine; the README quotes one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from browser import Browser  # noqa: E402  (the tests' DevTools client)


def status(url: str) -> dict:
    with urllib.request.urlopen(url + "__persklaar/status", timeout=10) as response:
        return json.load(response)


def wait(predicate, timeout: float, every: float = 0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    sys.exit(f"benchmark: gave up after {timeout} s")


def all_ready(url: str) -> bool:
    outputs = status(url)["outputs"].values()
    return all(o["state"] == "ready" for o in outputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {"(s1) save → new site version announced": [],
                                       "(s2) save → visible in the open page": [],
                                       "(s3) save → PDFs and EPUB ready": []}
    with tempfile.TemporaryDirectory(prefix="persklaar-bench-serve-") as tmp:
        root = Path(tmp) / "p"
        for folder in ("content", "templates", "styles"):
            shutil.copytree(REPO / folder, root / folder)
        server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--root", str(root)],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            url = next(line.split(" at ")[1].split()[0] for line in server.stdout if " at http://" in line)
            wait(lambda: all_ready(url), 600, 0.2)
            chapter = sorted((root / "content/essay").glob("*.md"))[1]
            page_name = f"chapter-{chapter.stem}.html"
            original = chapter.read_text("utf-8")
            with Browser() as browser:
                page = browser.page(1280, 900)
                page.goto(url + page_name)
                page.wait_for("!!document.getElementById('persklaar-status')")
                for run in range(args.runs):
                    sentence = f"Benchmarkzin nummer {run}."
                    before = status(url)["version"]
                    start = time.monotonic()
                    chapter.write_text(original.rstrip("\n") + f"\n\n{sentence}\n", "utf-8")
                    wait(lambda b=before: status(url)["version"] != b, 60, 0.005)
                    samples["(s1) save → new site version announced"].append(time.monotonic() - start)
                    page.wait_for(f"document.querySelector('main').innerText.includes({sentence!r})", 60, 0.005)
                    samples["(s2) save → visible in the open page"].append(time.monotonic() - start)
                    time.sleep(0.5)  # the background build has been queued by then
                    wait(lambda: all_ready(url), 600, 0.05)
                    samples["(s3) save → PDFs and EPUB ready"].append(time.monotonic() - start)
            chapter.write_text(original, "utf-8")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    print(f"persklaar serve benchmark ({os.cpu_count()} cores, Python {sys.version.split()[0]}), "
          f"{args.runs} saves of one essay chapter; median (min–max) seconds\n")
    print(f"| {'case':<40} | {'median':>7} | {'min':>6} | {'max':>6} |")
    print(f"|{'-' * 42}|{'-' * 9}|{'-' * 8}|{'-' * 8}|")
    for name, values in samples.items():
        print(f"| {name:<40} | {statistics.median(values):7.2f} | {min(values):6.2f} | {max(values):6.2f} |")


if __name__ == "__main__":
    main()
