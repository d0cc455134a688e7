"""The server of `persklaar serve`, over real HTTP on 127.0.0.1: what it serves, and what not.

The server runs in this process on a free port with a hand-made site folder; the
requests go through http.client, which sends a path exactly as written (`..` included).
The whole loop (builds, browser) is in test_serve_browser.py.
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from persklaar.build.serve import LiveServer, LiveState, published_file, site_file
from persklaar.errors import UsageError
from support import REPO, cli, copy_project

SECRET = "the author's private notes"
PAGE = "<!DOCTYPE html>\n<html lang=\"nl\"><head><title>t</title></head><body><p>hallo</p></body></html>\n"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveState, Path]]:
    dist = tmp_path / "dist"
    site = dist / "web"
    (site / "sub").mkdir(parents=True)
    (site / "index.html").write_text(PAGE, "utf-8")
    (site / "sub" / "index.html").write_text(PAGE.replace("hallo", "sub"), "utf-8")
    (site / "style.css").write_text("body { color: black; }\n", "utf-8")
    (site / ".hidden").write_text(SECRET, "utf-8")
    (tmp_path / "outside.txt").write_text(SECRET, "utf-8")
    (site / "link-out.txt").symlink_to(tmp_path / "outside.txt")
    (site / "sub" / "up").symlink_to(tmp_path)
    (dist / "boek.pdf").write_bytes(b"%PDF-1.7 booklet")
    (dist / ".persklaar-state.json").write_text(SECRET, "utf-8")
    state = LiveState(("booklet",))
    server = LiveServer(0, site, dist, state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, state, site
    finally:
        state.close()
        server.shutdown()
        server.server_close()


def get(server: LiveServer, path: str, host: str | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Host": host} if host else {}
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_binds_to_the_loopback_address_only(served) -> None:
    server, _, _ = served
    assert server.socket.getsockname()[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}/"


def test_pages_get_the_live_script_the_files_do_not(served) -> None:
    server, state, site = served
    status, headers, body = get(server, "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b'<script src="/__persklaar/live.js" data-version="0" defer="defer"></script>\n</head>' in body
    assert (site / "index.html").read_text("utf-8") == PAGE  # the site itself stays without script
    state.change(version=3)
    assert b'data-version="3"' in get(server, "/sub/")[2]
    status, headers, body = get(server, "/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and b"script" not in body
    assert headers["cache-control"] == "no-store"
    status, headers, body = get(server, "/__persklaar/live.js")
    assert status == 200 and b"EventSource" in body and b"textContent" in body and b"innerHTML" not in body


@pytest.mark.parametrize("path", [
    "/../outside.txt", "/..%2foutside.txt", "/%2e%2e/outside.txt", "/sub/../../outside.txt",
    "/sub/%2e%2e/%2e%2e/outside.txt", "/%2E%2E%2Foutside.txt", "/..\\outside.txt", "/..%5coutside.txt",
    "/link-out.txt", "/sub/up/outside.txt", "/.hidden", "/%2ehidden", "/index.html%00.txt",
    "//etc/passwd", "/etc/passwd", "/__persklaar/dist/../outside.txt", "/__persklaar/dist/.persklaar-state.json",
    "/__persklaar/dist/boek.pdf", "/__persklaar/dist/%2e%2e/outside.txt", "/web/index.html",
])
def test_nothing_outside_the_site_is_served(served, path: str) -> None:
    server, _, _ = served
    status, _, body = get(server, path)
    assert status == 404 and SECRET.encode() not in body


# Paths sent as written (http.client does not normalise them); {out} is the absolute path of
# a file beside dist/, {out_q} the same with every "/" as %2F. The state lists them all as
# published (as a damaged or forged state file could): the listing never lets a file out.
D = "/__persklaar/dist/"
HOSTILE = [
    D + "/{out}", D + "{out}", D + "{out_q}", D + "%2F{out_q}", D + "///{out}", D + "file:{out}", "/{out}", "/{out_q}",
    D + "..%2Foutside.txt", D + "%2e%2e%2foutside.txt", D + ".%2e/outside.txt", D + "..\\outside.txt",
    D + "%252e%252e%252foutside.txt", D + "%252e%252e/outside.txt", "/%252e%252e/outside.txt",
    D + "web/..%2F..%2Foutside.txt", D + "web/%2e%2e/%2e%2e/outside.txt",
    D + "boek.pdf%00", D + "boek.pdf%00.txt", D + "%00/boek.pdf", D + "%ff%fe", D + "x" * 5000,
    D + "link-out.pdf", D + "up/outside.txt", D + "%2e%2epersklaar-state.json", D + ".persklaar-state.json",
]


@pytest.fixture
def listed_everything(served) -> tuple[LiveServer, Path]:
    server, state, site = served
    dist = site.parent
    out = str(dist.parent / "outside.txt")
    (dist / "link-out.pdf").symlink_to(dist.parent / "outside.txt")
    (dist / "up").symlink_to(dist.parent)
    state.set_output("booklet", state="ready", files=[
        "boek.pdf", out, out.lstrip("/"), "../outside.txt", "link-out.pdf", "up/outside.txt", ".persklaar-state.json"])
    return server, dist.parent


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_paths_get_nothing_from_outside_dist(listed_everything, template: str) -> None:
    server, tmp = listed_everything
    out = str(tmp / "outside.txt").lstrip("/")
    path = template.format(out=out, out_q=out.replace("/", "%2F"))
    status, _, body = get(server, path)
    assert status in (400, 404) and SECRET.encode() not in body, (status, body[:80])
    assert get(server, "/__persklaar/dist/boek.pdf")[:3:2] == (200, b"%PDF-1.7 booklet")  # the server is still well


def test_a_raw_nul_or_a_bad_request_line_is_refused(listed_everything) -> None:
    server, _ = listed_everything
    for line in (b"GET /__persklaar/dist/boek.pdf\x00.txt HTTP/1.1", b"GET /../../outside.txt HTTP/1.1",
                 b"GET " + b"/%2e%2e" * 3000 + b" HTTP/1.1", b"GET \xff\xfe HTTP/1.1"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(line + f"\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.split(b" ", 2)[1] in (b"400", b"404", b"414") and SECRET.encode() not in answer, answer[:80]


def test_published_file_is_relative_to_dist_and_listed(tmp_path: Path) -> None:
    (tmp_path / "dist/handouts").mkdir(parents=True)
    (tmp_path / "dist/handouts/m.pdf").write_bytes(b"%PDF")
    (tmp_path / "secret.txt").write_text(SECRET)
    listed = {"handouts/m.pdf", str(tmp_path / "secret.txt"), "../secret.txt"}
    assert published_file(tmp_path / "dist", "handouts/m.pdf", listed) == (tmp_path / "dist/handouts/m.pdf").resolve()
    assert published_file(tmp_path / "dist", "handouts/m.pdf", set()) is None
    assert published_file(tmp_path / "dist", str(tmp_path / "secret.txt"), listed) is None
    assert published_file(tmp_path / "dist", "../secret.txt", listed) is None


def _request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


@pytest.mark.parametrize("path", ["/big.bin", "/__persklaar/dist/big.pdf"])
def test_a_client_gone_mid_download_is_quiet(served, capfd, path: str) -> None:
    server, state, site = served
    big = b"%PDF" + b"x" * (48 << 20)  # far more than the loopback socket buffers hold
    (site / "big.bin").write_bytes(big)
    (site.parent / "big.pdf").write_bytes(big)
    state.set_output("booklet", state="ready", files=["big.pdf"])
    for gone in ("reset", "close"):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
        assert b" 200 " in sock.recv(4096)
        if gone == "reset":  # a reset (RST) at once, as a cancelled download or a killed browser does
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        deadline = time.monotonic() + 20
        while _request_threads() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _request_threads(), "the server is still sending"
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err and "Exception" not in err, err
    assert get(server, "/style.css")[0] == 200


def test_published_files_of_other_outputs_are_served_once_listed(served) -> None:
    server, state, _ = served
    assert get(server, "/__persklaar/dist/boek.pdf")[0] == 404
    state.set_output("booklet", state="ready", files=["boek.pdf"])
    status, headers, body = get(server, "/__persklaar/dist/boek.pdf")
    assert (status, headers["content-type"], body) == (200, "application/pdf", b"%PDF-1.7 booklet")


def test_another_host_name_is_refused(served) -> None:
    server, _, _ = served
    assert get(server, "/", host=f"attacker.example:{server.port}")[0] == 403  # DNS rebinding
    assert get(server, "/", host=f"localhost:{server.port}")[0] == 200


def test_only_get_and_head(served) -> None:
    server, _, _ = served
    status, _, body = get(server, "/", method="HEAD")
    assert status == 200 and body == b""
    assert get(server, "/", method="POST")[0] == 501
    assert get(server, "/", method="PUT")[0] == 501


def test_site_file_stays_inside(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.html").write_text("a")
    (tmp_path / "b.html").write_text("b")
    assert site_file(tmp_path / "site", "/a.html") == (tmp_path / "site" / "a.html").resolve()
    assert site_file(tmp_path / "site", "/../b.html") is None
    assert site_file(tmp_path / "missing", "/") is None


def test_events_stream_the_state_on_every_change(served) -> None:
    server, state, _ = served
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/__persklaar/events")
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"

    def next_state() -> dict:
        lines = []
        while (line := response.fp.readline().decode()) != "\n":
            lines.append(line)
        data = next(x for x in lines if x.startswith("data: "))
        return json.loads(data.removeprefix("data: "))

    first = next_state()
    assert first == {"version": 0, "errors": [], "outputs": {"booklet": {"state": "waiting", "files": [],
                                                                          "message": ""}}}
    state.change(errors=["content/essay/01.md:3:1: raw HTML is not allowed ('<b>')"])
    assert next_state()["errors"] == ["content/essay/01.md:3:1: raw HTML is not allowed ('<b>')"]
    state.change(errors=[], version=1)
    assert next_state()["version"] == 1
    conn.close()


def test_a_port_in_use_gets_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"port {port} on 127.0.0.1 is in use"):
            LiveServer(port, tmp_path, tmp_path, LiveState(()))
        root = copy_project(tmp_path)
        result = cli("serve", "--port", str(port), "--root", str(root), timeout=60)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "--port N" in result.stderr
    assert not (root / "dist").exists()  # nothing was built


def test_bad_port_is_bad_usage(tmp_path: Path) -> None:
    result = cli("serve", "--port", "70000", "--root", str(copy_project(tmp_path)), timeout=60)
    assert result.returncode == 2 and "--port" in result.stderr


# ---------------------------------------------------------------- stopping


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _started(args: list[str], root: Path, until: str) -> tuple[subprocess.Popen, list[str]]:
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), *args, "--root", str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if until in line:
            return process, lines
    raise AssertionError("\n".join(lines))


def _finish(process: subprocess.Popen, lines: list[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    return process.returncode, "\n".join(lines) + "\n" + out


def test_ctrl_c_while_the_pdfs_build_stops_the_workers_at_once(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    process, lines = _started(["serve", "--port", "0", "--jobs", "1", "-v"], root, "build   booklet")
    workers = _children(process.pid)
    assert workers, "the background build runs in a worker"
    start = time.monotonic()
    code, out = _finish(process, lines)
    assert code == 0 and out.rstrip().endswith("stopped serving"), out
    assert time.monotonic() - start < 30  # the booklet in progress is not waited for
    assert "Traceback" not in out and "KeyboardInterrupt" not in out  # our one line, not the watcher library's
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert not (root / "dist/mini-boekje.pdf").exists()  # nothing half-built was published


def test_ctrl_c_during_a_build_is_one_line_and_no_worker_survives(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    process, lines = _started(["booklet", "--jobs", "1", "-v"], root, "build   booklet")
    workers = _children(process.pid)
    code, out = _finish(process, lines)
    assert code == 130 and "interrupted" in out and "Traceback" not in out, out
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def test_serve_shows_a_publication_made_by_new(tmp_path: Path) -> None:
    folder = tmp_path / "nieuw"
    made = cli("new", str(folder), "--language", "nl", "--title", "Mijn eigen boek", timeout=60)
    assert made.returncode == 0, made.stderr
    process, lines = _started(["serve", "--port", "0", "--jobs", "1"], folder, "watching")
    url = next(line.split(" at ")[1].split()[0] for line in lines if " at http://" in line)
    with urllib.request.urlopen(url, timeout=10) as response:
        page = response.read().decode()
    code, out = _finish(process, lines)
    assert '<html lang="nl">' in page and '<h1 id="title">Mijn eigen boek</h1>' in page
    assert "/__persklaar/live.js" in page and "/__persklaar/live.js" not in (folder / "dist/web/index.html").read_text()
    assert code == 0, out
