"""Untrusted content cannot read outside the project or reach the network (issue 8).

A secret lives beside the project (tmp_path/secret.txt, and a JPEG whose comment holds
the same random marker: WeasyPrint copies JPEG bytes into a PDF unchanged, so a leaked
image would carry the marker along). Three layers are tested:

1. content: every way an author's file could point at the secret is refused by
   `build.py` before anything is rendered;
2. renderer: `pdf.render_pdf` with hostile HTML (as if a template or the Markdown
   renderer let something through) refuses every fetch outside content/, templates/
   and styles/ with a BuildError, and the marker is found in no PDF: not in the raw
   bytes, not in any decompressed stream, not as an attachment. Positive controls
   show that the same checks do find a file that *is* allowed;
3. network: a server on 127.0.0.1 records every request; hostile renders and a full
   build of a project full of links to it must not make a single one.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import subprocess
import sys
import threading
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image
from pypdf import PdfReader

from persklaar.core.standards import DEFAULT
from persklaar.errors import BuildError
from persklaar.render import pdf
from support import REPO, copy_project

MARKER = f"PERSKLAAR-SECRET-{secrets.token_hex(12)}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def jpeg_with(comment: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (160, 40, 40)).save(buffer, "JPEG", comment=comment.encode())
    return buffer.getvalue()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """tmp_path/secret.txt and secret.jpg, both holding MARKER; the project is tmp_path/mini."""
    (tmp_path / "secret.txt").write_text(f"{MARKER}\n")
    (tmp_path / "secret.jpg").write_bytes(jpeg_with(MARKER))
    return tmp_path / "secret.txt"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args, "--root", str(root)],
                          capture_output=True, text=True, timeout=600, env=env)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()] if folder.exists() else []


# ------------------------------------------------------------------ 1. content


def _chapter(root: Path, body: str, name: str = "03-geheim.md") -> None:
    (root / "content/essay" / name).write_text(f"---\ntitle: Geheim\n---\n{body}\n")


def image_symlink(root: Path, secret: Path) -> None:
    (root / "content/essay/foto.jpg").symlink_to(secret.with_name("secret.jpg"))
    _chapter(root, "![een foto](foto.jpg)")


def image_dotdot(root: Path, secret: Path) -> None:
    _chapter(root, "![een foto](../../../secret.jpg)")  # content/essay → mini → tmp_path


def image_absolute(root: Path, secret: Path) -> None:
    _chapter(root, f"![een foto]({secret.with_name('secret.jpg')})")


def image_file_url(root: Path, secret: Path) -> None:
    _chapter(root, f"![een foto](file://{secret.with_name('secret.jpg')})")


def chapter_symlink(root: Path, secret: Path) -> None:
    outside = secret.with_name("05-buiten.md")
    outside.write_text(f"---\ntitle: Buiten\n---\n{MARKER}\n")
    (root / "content/essay/03-buiten.md").symlink_to(outside)


def essay_folder_symlink(root: Path, secret: Path) -> None:
    outside = secret.with_name("essay-buiten")
    outside.mkdir()
    (outside / "01-buiten.md").write_text(f"---\ntitle: Buiten\n---\n{MARKER}\n")
    essay = root / "content/essay"
    for path in essay.iterdir():
        path.unlink()
    essay.rmdir()
    essay.symlink_to(outside, target_is_directory=True)


def data_symlink(root: Path, secret: Path) -> None:
    outside = secret.with_name("tabel.yaml")
    outside.write_text(f"title: {MARKER}\ncolumns: [{{key: a, label: A}}]\nrows: [{{a: x}}]\n")
    (root / "content/data/geheim.yaml").symlink_to(outside)


def raw_html_img(root: Path, secret: Path) -> None:
    _chapter(root, f'Tekst <img src="file://{secret.with_name("secret.jpg")}"> en meer.')


def raw_html_attachment(root: Path, secret: Path) -> None:
    _chapter(root, f'<link rel="attachment" href="file://{secret}">')


def intro_image_dotdot(root: Path, secret: Path) -> None:
    course = root / "content/course/03-robots.yaml"
    course.write_text(course.read_text().replace(
        "intro: Deze paragraaf heeft geen bronnen.", "intro: '![foto](../../secret.jpg)'"))


ATTEMPTS = [image_symlink, image_dotdot, image_absolute, image_file_url, chapter_symlink,
            essay_folder_symlink, data_symlink, raw_html_img, raw_html_attachment, intro_image_dotdot]


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.__name__ for a in ATTEMPTS])
def test_content_pointing_outside_is_refused(attempt, secret: Path):
    root = copy_project(secret.parent)
    attempt(root, secret)
    result = cli(root)  # every output
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert re.search(r"^content/\S+:\d+:\d+: ", result.stderr, re.M), output
    assert MARKER not in output
    # Nothing published, nothing staged (the cache of decoded fonts the test project starts with aside).
    assert not files_under(root / "dist")
    assert not [p for p in files_under(root / ".persklaar") if "cache" not in p.relative_to(root / ".persklaar").parts]


# ------------------------------------------------------------------ 2. renderer


def streams(data: bytes) -> list[bytes]:
    """The raw PDF plus every stream, decompressed where it is Flate-compressed."""
    found = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1)
        found.append(raw)
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompressobj().decompress(raw))
    return found


def leaks(data: bytes, marker: str) -> bool:
    """True when `marker` is anywhere in the PDF: bytes, streams, attachments."""
    reader = PdfReader(io.BytesIO(data))
    attached = [body for bodies in reader.attachments.values() for body in bodies]
    return any(marker.encode() in chunk for chunk in streams(data) + attached)


def page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="nl"><head><title>t</title>{head}</head>'
            f"<body><p>Tekst.</p>{body}</body></html>")


def hostile_pages(secret: Path, root: Path, port: int) -> dict[str, str]:
    """HTML that tries every way WeasyPrint has to read a file or a URL."""
    txt, jpg, outside = secret, secret.with_name("secret.jpg"), secret.parent
    (root / "content/inside.svg").write_text(  # an allowed file that points outside
        f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><image href="file://{jpg}" width="8" height="8"/></svg>')
    (root / "content/link.jpg").symlink_to(jpg)
    svg_xxe = ('data:image/svg+xml,<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file://'
               f'{txt}">]><svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><text>%26x;</text></svg>')
    http = f"http://127.0.0.1:{port}"
    return {
        "img-file-url": page(f'<img src="file://{jpg}" alt="x">'),
        "img-relative-dotdot": page('<img src="../secret.jpg" alt="x">'),  # from the publication's folder
        "img-symlink-in-content": page(f'<img src="file://{root}/content/link.jpg" alt="x">'),
        "base-href": page('<img src="secret.jpg" alt="x">', f'<base href="file://{outside}/">'),
        "link-attachment": page("", f'<link rel="attachment" href="file://{txt}">'),
        "a-attachment": page(f'<a rel="attachment" href="file://{txt}">bijlage</a>'),
        "link-stylesheet": page("", f'<link rel="stylesheet" href="file://{txt}">'),
        "css-import": page("", f'<style>@import url("file://{txt}");</style>'),
        "css-font-face": page("", f"<style>@font-face {{ font-family: X; src: url(file://{txt}) }} p {{ font-family: X }}</style>"),
        "style-attribute-url": page(f"<p style=\"background-image: url('file://{jpg}')\">x</p>"),
        "svg-inline-image": page(f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><image href="file://{jpg}" width="8" height="8"/></svg>'),
        "svg-file-in-content": page(f'<img src="file://{root}/content/inside.svg" alt="x">'),
        "svg-data-url-xxe": page(f"<img src='{svg_xxe}' alt='x'>"),
        "object-embed": page(f'<object data="file://{jpg}"></object><embed src="file://{jpg}">'),
        "http-img": page(f'<img src="{http}/x.jpg" alt="x">'),
        "http-css-url": page("", f"<style>body {{ background: url({http}/bg.jpg) }}</style>"),
        "http-stylesheet": page("", f'<link rel="stylesheet" href="{http}/s.css">'),
        "http-attachment": page("", f'<link rel="attachment" href="{http}/a.txt">'),
        "http-base": page('<img src="x.jpg" alt="x">', f'<base href="{http}/">'),
        "iframe": page(f'<iframe src="file://{txt}"></iframe><iframe src="{http}/frame"></iframe>'),
    }


# Cases where WeasyPrint fetches nothing (it ignores iframes; expat never loads an
# external entity, so the SVG fails to parse): a PDF or an error, neither holding the
# marker. Every other case must be refused, by name, with a BuildError.
NOT_FETCHED = {"iframe", "svg-data-url-xxe"}


class _Recorder(BaseHTTPRequestHandler):
    def _record(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        self.send_response(302)  # were it followed, a redirect into the file system
        self.send_header("Location", f"file://{self.server.secret}")  # type: ignore[attr-defined]
        self.end_headers()

    do_GET = do_HEAD = do_POST = _record

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An HTTP server on 127.0.0.1 that records every request (for the module's tests)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.requests = []  # type: ignore[attr-defined]
    httpd.secret = tmp_path_factory.mktemp("server") / "secret.txt"  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, server) -> dict[str, tuple[str, bytes | BuildError]]:
    """Render every hostile page once: name → (marker, PDF bytes or the BuildError)."""
    base = tmp_path_factory.mktemp("hostile")
    (base / "secret.txt").write_text(f"{MARKER}\n")
    (base / "secret.jpg").write_bytes(jpeg_with(MARKER))
    root = copy_project(base)
    outcomes: dict[str, tuple[str, bytes | BuildError]] = {}
    for name, html in hostile_pages(base / "secret.txt", root, server.server_port).items():
        try:
            outcomes[name] = (html, pdf.render_pdf(html, root, [], "hostile", name, DEFAULT))
        except BuildError as exc:
            outcomes[name] = (html, exc)
    return outcomes


HOSTILE = ("img-file-url", "img-relative-dotdot", "img-symlink-in-content", "base-href",
           "link-attachment", "a-attachment", "link-stylesheet", "css-import", "css-font-face",
           "style-attribute-url", "svg-inline-image", "svg-file-in-content", "svg-data-url-xxe",
           "object-embed", "http-img", "http-css-url", "http-stylesheet", "http-attachment",
           "http-base", "iframe")


@pytest.mark.parametrize("name", HOSTILE)
def test_renderer_refuses_hostile_html(name: str, hostile):
    html, outcome = hostile[name]
    if name in NOT_FETCHED:
        assert MARKER not in str(outcome)
    else:
        assert isinstance(outcome, BuildError), f"{name}: rendered without refusing"
        message = str(outcome)
        assert message.startswith(f"{name}: ") and "refused to" in message, message
        assert MARKER not in message
    if isinstance(outcome, bytes):
        assert not leaks(outcome, MARKER)
        assert not PdfReader(io.BytesIO(outcome)).attachments


def test_every_hostile_page_is_tested(hostile):
    assert sorted(hostile) == sorted(HOSTILE)


def test_server_got_no_request_from_hostile_renders(hostile, server):
    assert len(hostile) >= 20
    assert server.requests == []


def test_allowed_files_are_embedded_so_leak_checks_can_fail(tmp_path: Path):
    """Positive control: files under content/ do reach the PDF, and `leaks` finds them."""
    root = copy_project(tmp_path)
    inside = f"INSIDE-{secrets.token_hex(8)}"
    (root / "content/foto.jpg").write_bytes(jpeg_with(inside))
    (root / "content/bijlage.txt").write_text(inside)
    image = page(f'<img src="file://{root}/content/foto.jpg" alt="x">')
    attachment = page("", f'<link rel="attachment" href="file://{root}/content/bijlage.txt">')
    assert leaks(pdf.render_pdf(image, root, [], "control", "image", DEFAULT), inside)
    # PDF/UA only: PDF/A-2 (the default's other half) forbids attachments; WeasyPrint drops them.
    data = pdf.render_pdf(attachment, root, [], "control", "attachment", "ua-1")
    assert leaks(data, inside) and "bijlage.txt" in PdfReader(io.BytesIO(data)).attachments
    assert inside.encode() not in data  # compressed: only the decompression finds it


# ------------------------------------------------------------------ 3. a full build


TEMPLATE_TEXT = "{{ 7*7 }}"
SCRIPT_TEXT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def full_build(tmp_path_factory, server) -> Path:
    """Every output of a valid project whose text looks like templates, HTML and local URLs."""
    root = copy_project(tmp_path_factory.mktemp("full"))
    local = f"http://127.0.0.1:{server.server_port}"
    essay = root / "content/essay/01-begin.md"
    essay.write_text(essay.read_text().replace("title: Het begin", f'title: "Het begin {TEMPLATE_TEXT}"')
                     + f"\nEen [lokale link]({local}/essay) en `{SCRIPT_TEXT}` als code, {{% raw %}} ook.\n")
    course = root / "content/course/03-robots.yaml"
    text = course.read_text().replace("title: Robots in de klas\nicon", f"title: Robots {TEMPLATE_TEXT}\nicon")
    text = text.replace("url: https://waymo.com/", f"url: {local}/bron")
    text = text.replace("title: Zonder bronnen", f"title: \"Zonder bronnen {SCRIPT_TEXT}\"")
    course.write_text(text.replace("intro: Deze paragraaf", f"intro: Zie [hier]({local}/intro). Deze paragraaf"))
    result = cli(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)


def test_full_build_makes_no_request(full_build: Path, server):
    outputs = {p.suffix for p in files_under(full_build / "dist")}
    assert {".pdf", ".epub"} <= outputs
    assert server.requests == []


def test_content_is_never_a_template_in_pdfs(full_build: Path):
    booklet = pdf_text(full_build / "dist/mini-boekje.pdf")
    sheets = sorted((full_build / "dist/handouts").glob("*.pdf"))
    handouts = {p.name: pdf_text(p) for p in sheets}
    assert TEMPLATE_TEXT in booklet  # the chapter title, printed as written
    assert f"Robots {TEMPLATE_TEXT}" in handouts["03-robots-in-de-klas.pdf"]
    assert SCRIPT_TEXT in " ".join(handouts.values())  # escaped, so printed as text


def test_content_is_never_a_template_nor_markup_in_the_epub(full_build: Path):
    with zipfile.ZipFile(full_build / "dist/mini-boekje.epub") as epub:
        documents = {n: epub.read(n) for n in epub.namelist() if n.endswith((".xhtml", ".html"))}
    texts, elements = [], set()
    for name, data in documents.items():
        tree = ElementTree.fromstring(data)  # well-formed, or this raises
        texts.append("".join(tree.itertext()))
        elements |= {e.tag for e in tree.iter()}
        for element in tree.iter():
            assert not any(a.lower().startswith("on") for a in element.attrib), (name, element.attrib)
    everything = "\n".join(texts)
    assert TEMPLATE_TEXT in everything and SCRIPT_TEXT in everything
    assert f"{XHTML}script" not in elements and f"{XHTML}iframe" not in elements


def test_change_scan_never_opens_a_file_through_a_link(tmp_path: Path, monkeypatch):
    """The no-op check hashes inputs; a link out of the project is recorded, not read."""
    from persklaar.build import state

    root = copy_project(tmp_path)
    outside = tmp_path / "buiten.md"
    outside.write_text("geheim\n")
    (root / "content/essay/09-link.md").symlink_to(outside)
    (root / "content/essay/10-lus.md").symlink_to(root / "content/essay/10-lus.md")
    opened: list[Path] = []
    real = state.file_sha
    monkeypatch.setattr(state, "file_sha", lambda p: opened.append(Path(p)) or real(p))
    files = state.scan(root, {})
    assert files["content/essay/09-link.md"] == state.FileStamp(0, 0, f"link:{outside}")
    assert files["content/essay/10-lus.md"].sha.startswith("link:")
    assert opened and all(not p.is_symlink() and p.resolve().is_relative_to(root.resolve()) for p in opened)
