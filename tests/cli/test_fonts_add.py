"""`persklaar fonts add noto-sans-sc`, against a registry served on 127.0.0.1.

The registry answers as npm's does (`/@fontsource%2fNAME/latest` with `dist.tarball` and
`dist.integrity`) and serves a tarball laid out as fontsource's, holding a small font
with a few Chinese characters (made here with fontTools): no network is used. A tarball
whose SHA-512 is not the listed one is refused and nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import cli, copy_project, epubcheck

CHINESE = "中文，。人工智能"


def _font(weight: int) -> bytes:
    """A WOFF2 with a space and the characters of CHINESE (squares)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = sorted(set(CHINESE + " "))
    names = [".notdef", *(f"u{ord(c):04X}" for c in chars)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): f"u{ord(c):04X}" for c in chars})
    glyphs = {}
    for glyph in names:
        pen = TTGlyphPen(None)
        pen.moveTo((100, 0)), pen.lineTo((100, 800)), pen.lineTo((900, 800)), pen.lineTo((900, 0)), pen.closePath()
        glyphs[glyph] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({glyph: (1000, 100) for glyph in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Noto Sans SC Test", "styleName": "Bold" if weight == 700 else "Regular"})
    builder.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120, usWeightClass=weight)
    builder.setupPost()
    builder.font.flavor = "woff2"
    out = io.BytesIO()
    builder.font.save(out)
    return out.getvalue()


def _tarball() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        members = {f"package/files/noto-sans-sc-chinese-simplified-{w}-normal.woff2": _font(w) for w in (400, 700)}
        members["package/LICENSE"] = b"SIL Open Font License 1.1 (test)\n"
        members["package/install.js"] = b"require('child_process').exec('touch /tmp/pwned')\n"  # never run
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.fixture(scope="module")
def registry():
    """A registry on 127.0.0.1; `state["integrity"]` may be set to a wrong digest."""
    tarball = _tarball()
    state = {"integrity": "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/@fontsource%2fnoto-sans-sc/latest":
                body = json.dumps({"name": "@fontsource/noto-sans-sc", "version": "5.0.0-test", "license": "OFL-1.1",
                                   "dist": {"tarball": f"{host}/sc.tgz", "integrity": state["integrity"]}}).encode()
            elif self.path == "/sc.tgz":
                body = tarball
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()


def _add(root: Path, url: str, name: str = "noto-sans-sc"):
    return cli("fonts", "add", name, "--root", str(root), env={"PERSKLAAR_NPM_REGISTRY": url})


@pytest.mark.slow
def test_fonts_add_makes_a_chinese_chapter_build(tmp_path: Path, registry) -> None:
    url, _ = registry
    root = copy_project(tmp_path)
    (root / "content/essay/03-zh.md").write_text(f"---\ntitle: Zh\n---\nEen zin met {CHINESE} erin.\n", "utf-8")
    (root / "content/essay/04-zh.md").write_text(f"---\ntitle: Zh\nlanguage: zh\n---\n{CHINESE}\n", "utf-8")
    refused = cli("check", "--root", str(root))
    assert refused.returncode == 1 and "run `persklaar fonts add noto-sans-sc`" in refused.stderr
    result = _add(root, url)
    assert result.returncode == 0, result.stderr
    assert "added it to theme.fonts.scripts" in result.stderr
    assert sorted(p.name for p in (root / "fonts").iterdir()) == [
        "LICENSE-noto-sans-sc.txt", "noto-sans-sc-400.woff2", "noto-sans-sc-700.woff2"]
    yaml_text = (root / "content/publication.yaml").read_text("utf-8")
    assert "- regular: fonts/noto-sans-sc-400.woff2\n        bold: fonts/noto-sans-sc-700.woff2\n" in yaml_text
    again = _add(root, url)  # a second time: the entry is not doubled
    assert again.returncode == 0 and (root / "content/publication.yaml").read_text("utf-8") == yaml_text
    built = cli("--root", str(root), "booklet", "web", "epub")
    assert built.returncode == 0, built.stderr + built.stdout
    text = " ".join(page.extract_text() for page in PdfReader(root / "dist/mini-boekje.pdf").pages)
    assert "人工智能" in text.replace(" ", "")
    web_font = (root / "dist/web/fonts/noto-sans-sc-400.woff2").read_bytes()  # cut down to the text's characters
    assert web_font != (root / "fonts/noto-sans-sc-400.woff2").read_bytes()
    style = (root / "dist/web/style.css").read_text("utf-8")
    face = next(r for r in re.findall(r"@font-face\s*\{[^}]*\}", style) if "noto-sans-sc-400" in r)
    ranges = re.search(r"unicode-range: ([^;]+);", face).group(1)  # fetched only where Chinese is written
    assert ranges == "U+3002, U+4E2D, U+4EBA, U+5DE5, U+6587, U+667A, U+80FD, U+FF0C" and "font-display: swap" in face
    assert not Path("/tmp/pwned").exists()
    with zipfile.ZipFile(root / "dist/mini-boekje.epub") as epub:  # packed, used where the text is Chinese
        css, opf = epub.read("EPUB/css/epub.css").decode(), epub.read("EPUB/content.opf").decode()
        font = epub.read("EPUB/css/fonts/noto-sans-sc-400.woff2")
    from fontTools.ttLib import TTFont

    assert {ord(c) for c in CHINESE} <= set(TTFont(io.BytesIO(font)).getBestCmap())  # the subset keeps them
    assert ':lang(zh) { font-family: "Publication Script 1"; }' in css and "body { font-family" not in css
    assert 'href="css/fonts/noto-sans-sc-700.woff2"' in opf and 'media-type="font/woff2"' in opf
    assert epubcheck(root / "dist/mini-boekje.epub") == []


def test_a_tarball_whose_digest_differs_is_refused_and_nothing_is_written(tmp_path: Path, registry) -> None:
    url, state = registry
    root = copy_project(tmp_path)
    before = (root / "content/publication.yaml").read_bytes()
    right, state["integrity"] = state["integrity"], "sha512-" + base64.b64encode(bytes(64)).decode()
    try:
        result = _add(root, url)
    finally:
        state["integrity"] = right
    assert result.returncode == 1
    assert "the tarball's SHA-512 is not the one the registry lists" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "fonts").exists() or not any((root / "fonts").iterdir())
    assert (root / "content/publication.yaml").read_bytes() == before


def test_an_unknown_font_and_an_unreachable_registry_are_one_line_each(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    unknown = cli("fonts", "add", "comic-sans", "--root", str(root))
    assert unknown.returncode == 1 and "unknown font 'comic-sans'" in unknown.stderr
    offline = _add(root, "http://127.0.0.1:9")  # the discard port: nothing listens
    assert offline.returncode == 1 and "cannot reach http://127.0.0.1:9/" in offline.stderr
    assert "Traceback" not in offline.stderr + unknown.stderr


@pytest.mark.parametrize(("before", "after"), [
    ("title: X\n", "title: X\ntheme:\n  fonts:\n    scripts:\n      - regular: fonts/a-400.woff2\n"
                   "        bold: fonts/a-700.woff2\n"),
    ("theme:\n  accent: '#123456'  # mine\n", "theme:\n  fonts:\n    scripts:\n      - regular: fonts/a-400.woff2\n"
     "        bold: fonts/a-700.woff2\n  accent: '#123456'  # mine\n"),
    ("theme:\n  fonts:\n    body: Source Sans 3\n",
     "theme:\n  fonts:\n    scripts:\n      - regular: fonts/a-400.woff2\n"
     "        bold: fonts/a-700.woff2\n    body: Source Sans 3\n"),
    ("theme:\n  fonts:\n    scripts:\n      - fonts/runen.ttf\n# end\nchapters: {}\n",
     "theme:\n  fonts:\n    scripts:\n      - fonts/runen.ttf\n      - regular: fonts/a-400.woff2\n"
     "        bold: fonts/a-700.woff2\n# end\nchapters: {}\n"),
])
def test_the_entry_is_added_keeping_the_rest_of_publication_yaml(tmp_path: Path, before: str, after: str) -> None:
    from persklaar.importer.fontsource import _register

    config = tmp_path / "publication.yaml"
    config.write_text(before, "utf-8")
    said: list[str] = []
    _register(config, {"regular": "fonts/a-400.woff2", "bold": "fonts/a-700.woff2"}, said.append)
    assert config.read_text("utf-8") == after, said


def test_a_shape_it_cannot_edit_safely_is_left_alone_with_the_lines_to_add(tmp_path: Path) -> None:
    from persklaar.importer.fontsource import _register

    config = tmp_path / "publication.yaml"
    config.write_text("theme: {fonts: {scripts: [fonts/runen.ttf]}}\n", "utf-8")
    said: list[str] = []
    _register(config, {"regular": "fonts/a-400.woff2", "bold": "fonts/a-700.woff2"}, said.append)
    assert config.read_text("utf-8") == "theme: {fonts: {scripts: [fonts/runen.ttf]}}\n"
    assert said and "add these lines under theme: fonts: scripts:" in said[0]
    assert "- regular: fonts/a-400.woff2" in said[0]
