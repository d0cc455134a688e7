"""The cache of `.persklaar/cache/`: QR codes and decoded fonts made once, kept across
builds, read back whole or made again, never changing an output's bytes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from persklaar.core import load as content
from persklaar.outputs import BuildOptions
from persklaar.outputs.booklet import Booklet
from persklaar.render import cache
from support import copy_project

BOOKLET = Booklet()


def booklet_bytes(root: Path, staging: Path) -> tuple[bytes, bytes]:
    pub, _ = content.load(root)
    job = BOOKLET.jobs(pub)[0]
    BOOKLET.build(pub, job, staging, BuildOptions(source_date_epoch=1735689600))
    return tuple((staging / name).read_bytes() for name in job.targets)  # type: ignore[return-value]


def entries(root: Path, kind: str) -> list[Path]:
    return sorted((root / cache.FOLDER / kind).glob("*.bin"))


def test_an_entry_is_made_once_and_read_back(tmp_path: Path) -> None:
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        return b"made"

    key = cache.key_of("a", b"b")
    assert cache.cached(tmp_path, "kind", key, make) == b"made"
    cache._memory.clear()  # as a later build (another process) finds it
    assert cache.cached(tmp_path, "kind", key, make) == b"made"
    assert made == [1]
    assert cache.key_of("ab", "c") != cache.key_of("a", "bc")


def test_a_damaged_entry_is_made_again(tmp_path: Path) -> None:
    key = cache.key_of("x")
    cache.cached(tmp_path, "kind", key, lambda: b"good bytes")
    (path,) = entries(tmp_path, "kind")
    path.write_bytes(path.read_bytes()[:-3])  # cut off, as by a full disk
    cache._memory.clear()
    assert cache.cached(tmp_path, "kind", key, lambda: b"made again") == b"made again"
    cache._memory.clear()
    assert cache.cached(tmp_path, "kind", key, lambda: b"not used") == b"made again"


def test_an_entry_swapped_for_another_is_made_again(tmp_path: Path) -> None:
    """Another key's entry, whole and with its own valid seal, copied over this one's
    (as a stale or forged cache folder would have it): a miss, not a wrong result."""
    one, two = cache.key_of("one"), cache.key_of("two")
    cache.cached(tmp_path, "kind", one, lambda: b"bytes of one")
    cache.cached(tmp_path, "kind", two, lambda: b"bytes of two")
    folder = tmp_path / cache.FOLDER / "kind"
    shutil.copyfile(folder / f"{two}.bin", folder / f"{one}.bin")
    cache._memory.clear()
    assert cache.cached(tmp_path, "kind", one, lambda: b"one made again") == b"one made again"
    assert cache.cached(tmp_path, "kind", two, lambda: b"not used") == b"bytes of two"
    content_only = folder / f"{one}.bin"  # the bytes swapped, the old seal kept
    content_only.write_bytes(content_only.read_bytes()[:32] + b"forged bytes")
    cache._memory.clear()
    assert cache.cached(tmp_path, "kind", one, lambda: b"made a third time") == b"made a third time"


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".persklaar").write_text("a file where the folder would be", "utf-8")
    assert cache.cached(tmp_path, "kind", cache.key_of("y"), lambda: b"still made") == b"still made"


def test_a_warm_cache_gives_the_same_booklet_without_making_anything(tmp_path: Path, monkeypatch) -> None:
    """The second build reads every QR code and decoded font from the cache (making one
    would fail here) and writes the same bytes as the first, which made them."""
    root = copy_project(tmp_path, "mini")
    shutil.rmtree(root / ".persklaar")  # copy_project warms the font cache: start cold
    cache._memory.clear()
    cold = booklet_bytes(root, tmp_path / "cold")
    fonts, codes = entries(root, "fonts"), entries(root, "qr")
    pub, _ = content.load(root)
    assert len(codes) == len({link.url for link in pub.links}) > 0
    assert len(fonts) >= 10  # the theme's faces (text, headings, code, symbols, emoji)

    def refuse(*args, **kwargs):
        raise AssertionError("made again although it is in the cache")

    cache._memory.clear()
    monkeypatch.setattr("fontTools.ttLib.woff2.decompress", refuse)
    monkeypatch.setattr("segno.make", refuse)
    warm = booklet_bytes(root, tmp_path / "warm")
    assert warm == cold
    assert entries(root, "fonts") == fonts and entries(root, "qr") == codes


def test_a_decoded_font_is_fonttools_own_decoding(tmp_path: Path) -> None:
    """The bytes WeasyPrint would have decoded itself (fontTools keeps the font's
    timestamps, whatever SOURCE_DATE_EPOCH says), one entry per font file."""
    import io

    from fontTools.ttLib import woff2

    from persklaar.render.pdf import decoded_woff2, font_timestamps
    from support import REPO

    data = (REPO / "styles/fonts/source-serif-4-latin-400-normal.woff2").read_bytes()
    own = io.BytesIO()
    woff2.decompress(io.BytesIO(data), own)
    with font_timestamps(1):
        first = decoded_woff2(tmp_path, data)
    cache._memory.clear()
    with font_timestamps(2):
        second = decoded_woff2(tmp_path, data)
    assert first == second == own.getvalue() and first[:4] != b"wOF2"
    assert len(entries(tmp_path, "fonts")) == 1


@pytest.fixture(autouse=True)
def _fresh_memory():
    cache._memory.clear()
    yield
    cache._memory.clear()


def test_a_sheet_laid_out_again_takes_one_layout_and_comes_out_the_same(tmp_path: Path, monkeypatch) -> None:
    """The combined handouts lay out every sheet again: the notes box measured the
    first time is remembered, so the second time is one layout, not two."""
    import datetime

    from persklaar.outputs.handouts import sheet
    from persklaar.render import pdf

    root = copy_project(tmp_path)
    pub, _ = content.load(root)
    module = pub.modules[0]
    section = module.sections[0]
    day = datetime.date(2025, 1, 1)
    layouts: list[str] = []
    real = pdf.Layouter.layout

    def counting(self, html, what, standard):
        layouts.append(what)
        return real(self, html, what, standard)

    monkeypatch.setattr(pdf.Layouter, "layout", counting)
    first_doc, first = sheet.layout_sheet(pub, module, section, day, "first")
    assert 'class="notes"' in first and len(layouts) == 2  # measured, then laid out with the notes box
    cache._memory.clear()  # as the combining step (another process) finds it
    second_doc, second = sheet.layout_sheet(pub, module, section, day, "second")
    assert second == first and layouts == ["first", "first", "second"]
    assert len(second_doc.pages) == len(first_doc.pages)  # type: ignore[attr-defined]

    # A file that layout read has changed since: measured again.
    (entry_path,) = entries(root, "notes")
    key = entry_path.stem
    assert sheet._remembered(root, key) is not None
    used = root / "used.txt"
    used.write_text("before", "utf-8")
    data = json.loads(cache.load(root, "notes", key) or b"")
    data["files"][str(used)] = hashlib.sha256(b"before").hexdigest()
    cache.store(root, "notes", key, json.dumps(data).encode())
    assert sheet._remembered(root, key) == data["lines"]
    used.write_text("after an edit", "utf-8")
    assert sheet._remembered(root, key) is None
