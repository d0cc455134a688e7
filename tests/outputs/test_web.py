"""The web edition, read back as a browser and a link checker would.

Each site is built twice (module-scoped): the edge-case copy of the mini project (an
image, an empty chapter, internal links across chapters, a table placed twice) and the
real publication. Pages are parsed with an XML parser (the site is well-formed by
design) and compared with the model; the Nu Html Checker validates them. The browser
checks (axe-core, layout at phone width, no request to another host) are in
test_web_browser.py.
"""

from __future__ import annotations

import filecmp
import json
import posixpath
import re
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from persklaar.core import load as content
from persklaar.core import reading_time
from persklaar.core.model import Publication
from persklaar.outputs import REGISTRY, BuildOptions
from persklaar.outputs.web import Web
from persklaar.outputs.web.site import page_names
from support import EPOCH, PNG, REPO, add_edge_cases, cli, copy_project, copy_repo_project, labels
from webtools import add_markdown_features, served, vnu_jar

WEB = Web()
L = labels("nl")
EXTERNAL = re.compile(r"^(https?:|mailto:)")


@dataclass
class Site:
    """A built web edition: its folder (the job's staging/web) and its parsed pages."""

    pub: Publication
    root: Path  # the staging folder: root / "web" is the site
    again: Path  # a second build, for reproducibility
    targets: tuple[str, ...]
    pages: dict[str, ET.Element] = field(init=False)

    def __post_init__(self) -> None:
        self.pages = {p.name: ET.fromstring(p.read_bytes()) for p in sorted(self.site.glob("*.html"))}

    @property
    def site(self) -> Path:
        return self.root / "web"

    def ids(self, page: str) -> set[str]:
        return {e.get("id") for e in self.pages[page].iter() if e.get("id")}

    @cached_property
    def css(self) -> str:
        return (self.site / "style.css").read_text("utf-8")


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def build(root: Path, staging: Path) -> tuple[Publication, tuple[str, ...]]:
    pub, _ = content.load(root)
    job = WEB.jobs(pub)[0]
    staging.mkdir(parents=True)
    WEB.build(pub, job, staging, BuildOptions(source_date_epoch=EPOCH))
    for target in job.targets:
        WEB.verify(staging / target, target)
    return pub, job.targets


@pytest.fixture(scope="module", params=["edge", "real"])
def site(request, tmp_path_factory) -> Site:
    dest = tmp_path_factory.mktemp(f"web-{request.param}")
    if request.param == "real":
        root = copy_repo_project(dest)
    else:
        root = copy_project(dest)
        add_edge_cases(root)
        add_markdown_features(root)
    pub, targets = build(root, dest / "one")
    build(root, dest / "two")
    return Site(pub, dest / "one", dest / "two", targets)


@pytest.fixture(scope="module")
def edge(tmp_path_factory) -> Site:
    dest = tmp_path_factory.mktemp("web-edge-only")
    root = copy_project(dest)
    add_edge_cases(root)
    add_markdown_features(root)
    pub, targets = build(root, dest / "one")
    return Site(pub, dest / "one", dest / "one", targets)


# ---------------------------------------------------------------- the files


def test_two_builds_are_byte_identical(site: Site) -> None:
    compared = filecmp.dircmp(site.root, site.again)
    written = sorted(p.relative_to(site.root).as_posix() for p in site.root.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(site.root, site.again, written, shallow=False)
    assert not mismatch and not errors and not compared.left_only and not compared.right_only


def test_build_writes_exactly_its_targets(site: Site) -> None:
    written = sorted(p.relative_to(site.root).as_posix() for p in site.root.rglob("*") if p.is_file())
    assert written == sorted(site.targets)
    assert all(t.startswith("web/") for t in site.targets)


def test_one_page_per_chapter_and_module_and_the_appendices(site: Site) -> None:
    chapters = [f"chapter-{c.slug}.html" for c in site.pub.chapters if not c.back_matter]
    modules = [f"module-{m.number:02d}.html" for m in site.pub.modules]
    back = [f"chapter-{c.slug}.html" for c in site.pub.chapters if c.back_matter]  # the bibliography, then
    back += ["reading-times.html", "links.html"]
    assert sorted(site.pages) == sorted(["index.html", *chapters, *modules, *back])
    assert page_names(site.pub) == ["index.html", *chapters, *modules, *back]


def test_fonts_and_images_are_the_project_files(site: Site) -> None:
    fonts = sorted(t.removeprefix("web/") for t in site.targets if t.startswith("web/fonts/"))
    assert any(f.endswith(".woff2") for f in fonts) and "fonts/LICENSE-source-serif-4.txt" in fonts
    for name in fonts:
        assert (site.site / name).read_bytes() == (REPO / "styles" / name).read_bytes()
    for url in re.findall(r"url\(\"?([^\")]+)", site.css):
        assert not EXTERNAL.match(url) and (site.site / url).is_file(), url


def test_text_shows_while_the_fonts_load(site: Site) -> None:
    faces = re.findall(r"@font-face\s*\{[^}]*\}", site.css)
    assert len(faces) > 10
    for face in faces:  # each a WOFF2 subset with its range, shown in a fallback font until it has loaded
        assert "font-display: swap;" in face and "unicode-range" in face and ".woff2" in face, face


def test_only_the_faces_of_scripts_the_publication_writes_are_shipped(site: Site) -> None:
    """Dutch text: the Latin subsets travel, the Arabic, Hebrew, Devanagari, Thai … ones do
    not (the scripts chapter of test_scripts.py gets them)."""
    fonts = [t for t in site.targets if t.endswith(".woff2")]
    assert any("source-serif-4-latin-400-normal" in f for f in fonts)
    for script in ("arabic", "hebrew", "devanagari", "bengali", "thai", "cyrillic", "greek"):
        assert not any(f"-{script}-" in f for f in fonts), script
        assert f"-{script}-" not in site.css
    shipped = sum((site.site / t.removeprefix("web/")).stat().st_size for t in fonts)
    assert shipped < 1_000_000, shipped


def test_the_edge_image_is_copied_and_described(edge: Site) -> None:
    png = edge.site / "images/essay-img-grijs-vlak.png"
    assert png.read_bytes() == (edge.pub.root / "content/essay/img/Grijs_Vlak.PNG").read_bytes()
    img = next(edge.pages["chapter-04-rand.html"].iter("img"))
    assert img.get("src") == "images/essay-img-grijs-vlak.png" and img.get("alt") == "Een grijs vlak"


# ---------------------------------------------------------------- every page


def test_every_page_is_dutch_titled_and_has_one_h1(site: Site) -> None:
    for name, page in site.pages.items():
        assert page.get("lang") == site.pub.meta.language, name
        title = text(page.find("head/title"))
        assert title.endswith(site.pub.meta.title), name
        assert len(list(page.iter("h1"))) == 1, name
        viewport = [m for m in page.iter("meta") if m.get("name") == "viewport"]
        assert viewport and "width=device-width" in viewport[0].get("content"), name


def test_landmarks_and_a_skip_link_on_every_page(site: Site) -> None:
    for name, page in site.pages.items():
        body = page.find("body")
        first = body[0]
        assert (first.tag, first.get("href"), first.get("class")) == ("a", "#main", "skip-link"), name
        assert text(first) == L["skip_link"]
        assert [child.tag for child in body if child.tag != "nav"] == ["a", "header", "main", "footer"], name
        assert body.find("main").get("id") == "main"
        navs = [n.get("aria-label") for n in page.iter("nav") if n.get("aria-label")]
        assert L["site_navigation"] in navs, name


def test_headings_never_skip_a_level(site: Site) -> None:
    for name, page in site.pages.items():
        levels = [int(e.tag[1]) for e in page.find("body").iter() if re.fullmatch(r"h[1-6]", e.tag)]
        assert levels[0] == 1, name
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{name}: h{before} then h{after}"


def test_tables_have_captions_and_header_cells(site: Site) -> None:
    for name, page in site.pages.items():
        for table in page.iter("table"):
            assert table.find("caption") is not None, name
            assert all(th.get("scope") in ("col", "row") for th in table.iter("th")), name


def test_no_script_and_nothing_from_another_host(site: Site) -> None:
    for name, page in site.pages.items():
        assert not list(page.iter("script")), name
        csp = [m.get("content") for m in page.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
        assert csp and csp[0].split(";")[0] == "default-src 'self' file:", name  # nothing from elsewhere
        loaded = [e.get("src") for e in page.iter() if e.get("src")] + [e.get("href") for e in page.iter("link")]
        assert loaded and not [u for u in loaded if EXTERNAL.match(u) or u.startswith("//")], name
    assert "@import" not in site.css


def test_every_internal_link_resolves(site: Site) -> None:
    checked = 0
    for name, page in site.pages.items():
        for element in page.iter():
            url = element.get("href") if element.tag in ("a", "link") else element.get("src")
            if not url or EXTERNAL.match(url):
                continue
            parts = urlsplit(url)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), parts.path)) if parts.path else name
            assert not target.startswith(".."), f"{name}: {url} leaves the site"
            assert (site.site / target).is_file(), f"{name}: {url} → no file {target}"
            if parts.fragment:
                assert parts.fragment in site.ids(target), f"{name}: {url} → no id {parts.fragment}"
            checked += 1
    assert checked > 10 * len(site.pages)  # the pager, the header and the contents link every page


def test_the_pager_walks_the_pages_in_reading_order(site: Site) -> None:
    order = page_names(site.pub)
    for before, after in zip(order, order[1:], strict=False):
        nexts = [a for a in site.pages[before].iter("a") if a.get("rel") == "next"]
        prevs = [a for a in site.pages[after].iter("a") if a.get("rel") == "prev"]
        assert [a.get("href") for a in nexts] == [after] and [a.get("href") for a in prevs] == [before]


# ---------------------------------------------------------------- against the model


def test_home_page_lists_every_chapter_and_module(site: Site) -> None:
    home = site.pages["index.html"]
    contents = next(n for n in home.iter("nav") if n.get("id") == "contents")
    links = {a.get("href"): text(a) for a in contents.iter("a")}
    for chapter in site.pub.chapters:
        assert links[f"chapter-{chapter.slug}.html"] == chapter.title
    for module in site.pub.modules:
        assert links[f"module-{module.number:02d}.html"] == f"{L['course']} {module.number}: {module.title}"
        for section in module.sections:
            assert f"module-{module.number:02d}.html#section-{section.slug}" in links
    assert text(home.find(".//h1")) == site.pub.meta.title


def test_chapter_pages_show_part_and_reading_time(site: Site) -> None:
    for chapter in site.pub.chapters:
        page = site.pages[f"chapter-{chapter.slug}.html"]
        head = page.find(".//article/header")
        assert text(head.find("h1")) == chapter.title
        meta = L["minutes_reading"].format(minutes=chapter.minutes(site.pub.settings))
        assert (meta in text(head)) is not chapter.back_matter  # the bibliography has no reading time
        assert (chapter.part or "") in text(head)


def test_reading_times_match_the_model(site: Site) -> None:
    page = site.pages["reading-times.html"]
    essay = next(page.iter("table"))
    rows = [[text(c) for c in tr] for tr in essay.find("tbody")]
    times = reading_time.chapter_times(site.pub)
    assert [(r[0], int(r[2])) for r in rows] == [(t.title, t.minutes) for t in times]


def test_link_appendix_and_references_pair_up(site: Site) -> None:
    appendix = site.pages["links.html"]
    items = {li.get("id"): li for li in appendix.iter("li") if (li.get("id") or "").startswith("link-")}
    assert sorted(items) == sorted(f"link-{link.number}" for link in site.pub.links)
    for link in site.pub.links:
        url = next(a for a in items[f"link-{link.number}"].iter("a") if a.get("class") == "url")
        assert url.get("href") == link.url
    cited = 0
    for name, page in site.pages.items():
        for sup in (s for s in page.iter("sup") if s.get("class") == "ref"):
            number = int(text(sup))
            assert sup.find("a").get("href") == f"links.html#link-{number}"
            backs = [a.get("href") for a in items[f"link-{number}"].iter("a") if a.get("role") == "doc-backlink"]
            assert f"{name}#{sup.get('id')}" in backs, f"{name}: no way back to {sup.get('id')}"
            cited += 1
    assert cited >= len(site.pub.links) - 1  # a link may appear only in a resource table of another page


def test_notes_lists_and_code_are_plain_html(edge: Site) -> None:
    page = edge.pages["chapter-05-meer.html"]
    ids = edge.ids("chapter-05-meer.html")
    calls = [a for a in page.iter("a") if a.get("role") == "doc-noteref"]
    notes = [a for a in page.iter("aside") if a.get("role") == "doc-footnote"]
    assert len(calls) == len(notes) == 2
    for call in calls:
        assert call.get("href").removeprefix("#") in ids and call.get("id") in ids
    assert not [e for e in page.iter() if any(":" in k for k in e.attrib)]  # no epub:type in HTML
    assert [text(d) for d in page.iter("dt")] == ["Term"]
    boxes = [s.get("aria-label") for s in page.iter("span") if (s.get("class") or "").startswith("task")]
    assert boxes == [L["task_done"], L["task_open"]]
    code = next(page.iter("code"))
    assert code.get("class") == "language-python" and any(s.get("class") == "k" for s in code.iter("span"))


def test_chart_is_inline_svg_beside_its_table(edge: Site) -> None:
    page = edge.pages["chapter-04-rand.html"]
    ids = edge.ids("chapter-04-rand.html")
    assert {"table-landen", "table-landen-2", "chart-landen", "chart-landen-2"} <= ids  # placed twice, unique ids
    boxes = [d for d in page.iter("div") if d.get("class") == "table-wrap"]
    assert boxes and all(b.get("tabindex") == "0" and b.get("role") == "region" and b.get("aria-label") for b in boxes)
    for figure in (f for f in page.iter("figure") if f.get("class") == "chart"):
        svg = figure.find("{http://www.w3.org/2000/svg}svg")
        assert svg.get("role") == "img"
        labels = svg.get("aria-labelledby").split()
        assert all(label in ids for label in labels)
        assert figure.find("figcaption") is not None


# ---------------------------------------------------------------- through the pipeline


def test_the_cli_builds_the_site_and_drops_pages_of_deleted_chapters(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    result = cli("web", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert "built   web" in result.stdout and "files)" in result.stdout  # the long target list is shortened
    assert (root / "dist/web/chapter-02-cijfers.html").is_file()
    assert not (root / "dist/toekomst-van-arbeid.pdf").exists()
    (root / "content/essay/02-cijfers.md").unlink()
    result = cli("web", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert not (root / "dist/web/chapter-02-cijfers.html").exists()
    state = json.loads((root / "dist/.persklaar-state.json").read_text("utf-8"))
    assert "web/chapter-02-cijfers.html" not in state["jobs"]["web"]["targets"]


def test_web_is_a_default_output_built_in_process() -> None:
    assert "web" in REGISTRY.defaults() and WEB.in_process and WEB.site == "web"


def test_a_stylesheet_url_outside_the_publication_is_a_content_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    (tmp_path / "secret.woff2").write_bytes(b"wOF2 not really")
    (root / "styles/custom.css").write_text(
        'p { color: black; }\n@font-face { font-family: "X"; src: url("../../secret.woff2"); }\n'
        'body { background: url(https://tracker.example/pixel.png); }\n', "utf-8")
    result = cli("check", "--root", str(root))
    assert result.returncode == 1
    assert "styles/custom.css:2:1: url(../../secret.woff2) is not a file of the publication or its theme" \
        in result.stderr
    assert "styles/custom.css:3:1: url(https://tracker.example/pixel.png) would load from outside" in result.stderr
    assert not (root / "dist").exists()


def test_settings_and_custom_css_reach_the_site_with_their_files(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    publication = root / "content/publication.yaml"
    publication.write_text(publication.read_text("utf-8") + "theme:\n  accent: '#7a1f3d'\n", "utf-8")
    (root / "styles/img").mkdir()
    (root / "styles/img/ruis.png").write_bytes(PNG)
    (root / "styles/custom.css").write_text("main { background-image: url('img/ruis.png'); }\n", "utf-8")
    result = cli("web", "--root", str(root))
    assert result.returncode == 0, result.stderr
    css = (root / "dist/web/style.css").read_text("utf-8")
    assert "--accent: #7a1f3d;" in css and 'url("assets/ruis.png")' in css
    names = ("styles/web.css", "publication.yaml", "styles/custom.css")
    order = [css.index(f"/* ---- {name} ---- */") for name in names]
    assert order == sorted(order)  # the settings over the theme, custom.css over both
    assert (root / "dist/web/assets/ruis.png").read_bytes() == PNG


# ---------------------------------------------------------------- the Nu Html Checker


def test_nu_html_checker_finds_no_error_or_warning(site: Site) -> None:
    """vnu.jar (npm: vnu-jar) over HTTP on 127.0.0.1, as a host would serve the site."""
    jar = vnu_jar()
    with served(site.site) as url:
        pages = [url + name for name in site.pages]
        # --stdout: Java itself may note JAVA_TOOL_OPTIONS on stderr (support.epubcheck sets them), and
        # with those options the checker needs more than the default thread stack (-Xss).
        result = subprocess.run(["java", "-Xss2m", "-jar", str(jar), "--stdout", "--format", "json", "--also-check-css",
                                 *pages, url + "style.css"], capture_output=True, text=True, timeout=300)
    assert result.stdout.startswith("{"), result.stderr
    messages = json.loads(result.stdout)["messages"]
    problems = [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages
                if m["type"] == "error" or m.get("subType") == "warning"]
    assert not problems, "\n".join(problems)
    assert len(messages) > 0  # the checker ran: it notes the XHTML-style void elements (info only)
