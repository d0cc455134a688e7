"""The web checkers the tests use: a plain static server on 127.0.0.1, and the npm tools
`make test` installs into tests/js/node_modules (axe-core, the Nu Html Checker).

A test skips only when npm itself is missing (the tools cannot be installed at all);
npm present but the tools absent is a failure that says how to install them.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support import REPO

NODE_MODULES = REPO / "tests" / "js" / "node_modules"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """`folder` as any static host would serve it, on 127.0.0.1 (a free port); yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def npm_tool(relative: str) -> Path:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed, so the web checkers (tests/js/package.json) cannot be; "
                    "on Debian: apt-get install npm, then make test")
    path = NODE_MODULES / relative
    assert path.is_file(), f"{path} is missing: run `make test` (it runs npm ci in tests/js/)"
    return path


def vnu_jar() -> Path:
    return npm_tool("vnu-jar/build/dist/vnu.jar")


def axe_script() -> str:
    return npm_tool("axe-core/axe.min.js").read_text("utf-8")


def chromium_present() -> None:
    assert shutil.which("chromium"), "Chromium is missing: on Debian, apt-get install chromium (make test says so)"


def add_markdown_features(root: Path) -> None:
    """Notes, a definition list, a task list, code and a captioned figure: the web's HTML for each."""
    (root / "content/essay/05-meer.md").write_text(
        "---\ntitle: Meer Markdown\n---\n"
        "Een bewering met een voetnoot.[^bron] En nog een.[^twee]\n\n"
        "Term\n: De uitleg van de term.\n\n"
        "- [x] gedaan\n- [ ] nog te doen\n\n"
        "```python\ndef hallo(naam):\n    return f'dag {naam}'  # groet\n```\n\n"
        "[^bron]: De bron van de bewering.\n[^twee]: Een tweede noot.\n",
        encoding="utf-8")
