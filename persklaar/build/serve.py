"""The local web server of `persklaar serve`: the site folder, and nothing else, on 127.0.0.1.

    GET /…                      a file of the site folder (dist/web/); pages get the live script
    GET /__persklaar/events     server-sent events: the live state (site version, errors, outputs)
    GET /__persklaar/live.js    the live script (and live.css): only ever added by this server
    GET /__persklaar/status     the live state as JSON
    GET /__persklaar/dist/F     F, when F is a file another output published (a PDF, the EPUB)

A path is decoded once and looked up segment by segment: `..`, hidden names, backslashes
and NUL are refused, empty segments dropped (`//etc/passwd` is `etc/passwd` of the folder),
and the resolved file must lie inside the folder served (a link out of it is refused too);
`dist/` files must also be listed as published. Requests naming another host (DNS
rebinding) are refused. A client that goes away mid-answer is no error: nothing is printed.
"""

from __future__ import annotations

import errno
import json
import sys
import threading
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import UsageError
from . import livejs

PREFIX = "/__persklaar/"
HOST = "127.0.0.1"
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)  # the client went away
PING_SECONDS = 15.0  # a comment line on a quiet event stream notices a closed tab
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript",
         ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".webp": "image/webp", ".woff2": "font/woff2", ".txt": "text/plain; charset=utf-8",
         ".pdf": "application/pdf", ".epub": "application/epub+zip", ".json": "application/json"}
NOT_BUILT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" /><title>persklaar serve</title></head>
<body><main><h1>Not built yet</h1><p>The web edition appears here once it is built.</p></main></body></html>
"""


@dataclass
class OutputStatus:
    """One other output as the status bar shows it."""

    state: str = "waiting"  # waiting | building | ready | failed
    files: list[str] = field(default_factory=list)  # published files, relative to dist/
    message: str = ""


class LiveState:
    """What the open pages are told: the site's version, content errors, the other outputs.

    Every change bumps `seq` and wakes the event streams."""

    def __init__(self, outputs: tuple[str, ...]) -> None:
        self.cond = threading.Condition()
        self.seq = 0
        self.version = 0  # bumped when the site was rebuilt: open pages reload
        self.errors: list[str] = []  # from the site's build: path:line:col: message
        self.other_errors: list[str] = []  # from the other outputs' checks
        self.outputs = {name: OutputStatus() for name in outputs}
        self.closed = False

    def change(self, **values) -> None:
        with self.cond:
            for key, value in values.items():
                setattr(self, key, value)
            self.seq += 1
            self.cond.notify_all()

    def set_output(self, name: str, **values) -> None:
        with self.cond:
            for key, value in values.items():
                setattr(self.outputs[name], key, value)
            self.seq += 1
            self.cond.notify_all()

    def snapshot(self) -> tuple[int, dict]:
        with self.cond:
            return self.seq, {"version": self.version, "errors": self.errors + self.other_errors,
                              "outputs": {name: asdict(status) for name, status in self.outputs.items()}}

    def wait(self, seen: int, timeout: float) -> int:
        with self.cond:
            self.cond.wait_for(lambda: self.seq != seen or self.closed, timeout)
            return self.seq

    def published(self) -> set[str]:
        with self.cond:
            return {f for status in self.outputs.values() for f in status.files}

    def close(self) -> None:
        self.change(closed=True)


class LiveServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, site: Path, dist: Path, state: LiveState) -> None:
        self.site, self.dist, self.state = site, dist, state
        try:
            super().__init__((HOST, port), Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"persklaar: port {port} on {HOST} is in use (another `persklaar serve`?); "
                                 "choose another with --port N (--port 0: any free port)") from None
            raise
        self.port = self.server_address[1]
        self.hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}

    def handle_error(self, request, client_address) -> None:
        """A closed tab or a cancelled download is quiet; anything else is printed as before."""
        if isinstance(sys.exc_info()[1], GONE):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"


def site_file(site: Path, url_path: str) -> Path | None:
    """The file of the folder `site` a URL path names, or None (never a file outside it).

    The path is percent-decoded once (a double-encoded `%252e%252e` names a file called
    `%2e%2e`, which is not there); absolute forms name a file of `site` or nothing."""
    try:
        text = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\0" in text or "\\" in text:
        return None
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." or p.startswith(".") for p in parts):
        return None
    candidate = site.joinpath(*parts)
    try:  # OSError: a name too long, a looping link, …; RuntimeError: a loop (Python 3.11)
        if candidate.is_dir():
            candidate = candidate / "index.html"
        real, root = candidate.resolve(strict=True), site.resolve(strict=True)
        return real if real.is_relative_to(root) and real.is_file() else None
    except (OSError, RuntimeError):
        return None


def published_file(dist: Path, url_path: str, listed: set[str]) -> Path | None:
    """The file of dist/ that `url_path` names when it is one of the `listed` ones (paths
    relative to dist/, as the state has them), or None."""
    found = site_file(dist, url_path)
    if found is None:
        return None
    rel = found.relative_to(dist.resolve()).as_posix()
    return found if rel in listed else None


class Handler(BaseHTTPRequestHandler):
    server: LiveServer
    server_version = "persklaar"

    def do_GET(self) -> None:
        self.respond(body=True)

    def do_HEAD(self) -> None:
        self.respond(body=False)

    def log_message(self, format: str, *args) -> None:  # the terminal shows builds, not requests
        pass

    def respond(self, body: bool) -> None:
        if self.headers.get("Host", "") not in self.server.hosts:
            return self.send(HTTPStatus.FORBIDDEN, b"unexpected Host header\n", ".txt", body)
        path = urlsplit(self.path).path
        if path == PREFIX + "events":
            return self.events()
        if path == PREFIX + "live.js":
            return self.send(HTTPStatus.OK, livejs.SCRIPT.encode(), ".js", body)
        if path == PREFIX + "live.css":
            return self.send(HTTPStatus.OK, livejs.STYLE.encode(), ".css", body)
        if path == PREFIX + "status":
            return self.send(HTTPStatus.OK, json.dumps(self.server.state.snapshot()[1]).encode(), ".json", body)
        if path.startswith(PREFIX + "dist/"):
            return self.published(path.removeprefix(PREFIX + "dist/"), body)
        version = self.server.state.snapshot()[1]["version"]  # before the file: a race only reloads once more
        found = site_file(self.server.site, path)
        if found is None:
            if path == "/" and not self.server.site.is_dir():
                return self.send(HTTPStatus.OK, self.live(NOT_BUILT.encode(), version), ".html", body)
            return self.send(HTTPStatus.NOT_FOUND, b"not found\n", ".txt", body)
        data = found.read_bytes()
        if found.suffix == ".html":
            data = self.live(data, version)
        self.send(HTTPStatus.OK, data, found.suffix, body)

    def live(self, page: bytes, version: int) -> bytes:
        """The page with the live script before `</head>` (the site itself has none)."""
        tag = f'<script src="{PREFIX}live.js" data-version="{version}" defer="defer"></script>\n'.encode()
        at = page.find(b"</head>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag

    def published(self, url_path: str, body: bool) -> None:
        """A file of dist/ another output published (only one the status bar lists)."""
        found = published_file(self.server.dist, url_path, self.server.state.published())
        if found is None:
            return self.send(HTTPStatus.NOT_FOUND, b"not found\n", ".txt", body)
        self.send(HTTPStatus.OK, found.read_bytes(), found.suffix, body)

    def send(self, status: HTTPStatus, data: bytes, suffix: str, body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", TYPES.get(suffix.lower(), "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def events(self) -> None:
        """The live state, once now and again after every change, until the server stops."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state, seen = self.server.state, -1
        try:
            while not state.closed:
                seq, snapshot = state.snapshot()
                if seq != seen:
                    self.wfile.write(f"event: state\ndata: {json.dumps(snapshot)}\n\n".encode())
                else:
                    self.wfile.write(b": ping\n\n")
                self.wfile.flush()
                seen = seq
                state.wait(seen, PING_SECONDS)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed or reloaded
