"""The web edition in a real browser: Debian's headless Chromium (tests/browser.py).

axe-core (npm) finds no accessibility violation on any page, at phone and desktop width
and in the dark scheme too; no request leaves the site's own host; no page is wider than
a phone; the shipped fonts are the ones in use. A broken page proves the checker bites.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import Browser, Page
from support import add_edge_cases, cli, copy_project, copy_repo_project
from webtools import add_markdown_features, axe_script, chromium_present, served

PHONE, DESKTOP = (360, 740), (1280, 900)
SAMPLE = ("index.html", "module-03.html", "module-08.html", "links.html", "reading-times.html",
          "chapter-04-rand.html", "chapter-05-meer.html", "chapter-05-waar-we-nu-staan.html")
AXE_RUN = ("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
           "v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`))")


@pytest.fixture(scope="module")
def browser():
    chromium_present()
    with Browser() as b:
        yield b


@pytest.fixture(scope="module", params=["edge", "real"])
def site(request, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp(f"web-browser-{request.param}")
    if request.param == "real":
        root = copy_repo_project(dest)
    else:
        root = copy_project(dest)
        add_edge_cases(root)
        add_markdown_features(root)
    result = cli("web", "--root", str(root))
    assert result.returncode == 0, result.stderr
    return root / "dist" / "web"


def violations(page: Page, url: str, axe: str) -> list[str]:
    page.goto(url)
    page.evaluate(axe)  # DevTools evaluation is not bound by the page's Content-Security-Policy
    return page.evaluate(AXE_RUN)


def test_axe_finds_no_violation_on_any_page(browser: Browser, site: Path) -> None:
    axe = axe_script()
    page = browser.page(*DESKTOP)
    found = []
    with served(site) as base:
        for name in sorted(p.name for p in site.glob("*.html")):
            found += [f"{name} (desktop): {v}" for v in violations(page, base + name, axe)]
        page.resize(*PHONE, mobile=True)
        for dark in (False, True):
            page.dark(dark)
            for name in (n for n in SAMPLE if (site / n).is_file()):
                found += [f"{name} (phone{', dark' if dark else ''}): {v}" for v in violations(page, base + name, axe)]
    assert not found, "\n".join(found)


def test_axe_reports_a_broken_page(browser: Browser, tmp_path: Path) -> None:
    """The check can fail: an image without alt text and pale text are found."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="nl"><head><title>Kapot</title></head><body><main><h1>Kapot</h1>'
        '<img src="x.png" /><p style="color:#ddd">bleek</p></main></body></html>', "utf-8")
    page = browser.page(*DESKTOP)
    with served(tmp_path) as base:
        found = violations(page, base + "index.html", axe_script())
    assert any(v.startswith("image-alt") for v in found) and any(v.startswith("color-contrast") for v in found)


def test_no_request_leaves_the_site(browser: Browser, site: Path) -> None:
    page = browser.page(*DESKTOP)
    page.call("Network.enable")
    start = len(browser.events)
    with served(site) as base:
        for name in sorted(p.name for p in site.glob("*.html")):
            page.goto(base + name)
            page.wait_for("document.fonts.status === 'loaded'")
        requests = [e["params"]["request"]["url"] for e in browser.events[start:]
                    if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == page.session]
    assert requests and all(url.startswith(base) for url in requests), [u for u in requests if not u.startswith(base)]
    assert any(url.endswith(".woff2") for url in requests) and any(url.endswith("style.css") for url in requests)


def test_every_page_fits_a_phone_and_uses_the_shipped_fonts(browser: Browser, site: Path) -> None:
    page = browser.page(*PHONE)
    page.resize(*PHONE, mobile=True)
    too_wide = []
    used: set[str] = set()  # a browser loads a face only for the text that needs it
    with served(site) as base:
        for name in sorted(p.name for p in site.glob("*.html")):
            page.goto(base + name)
            page.wait_for("document.fonts.status === 'loaded'")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE[0]:
                too_wide.append(f"{name}: {width} px")
            loaded = page.evaluate("JSON.stringify([...document.fonts].filter(f => f.status === 'loaded')"
                                   ".map(f => f.family))")
            assert loaded != "[]", f"{name}: no shipped font in use"
            used.update(json.loads(loaded))
        page.goto(base + "index.html")
        skip = page.evaluate("document.activeElement.blur(); document.body.focus();"
                             "(() => { const a = document.querySelector('a'); a.focus();"
                             " return [a.className, a.getBoundingClientRect().top >= 0]; })()")
    assert not too_wide, too_wide
    assert {"Source Serif 4", "Source Sans 3"} <= used
    assert skip == ["skip-link", True]  # the first stop of the keyboard, visible when focused
