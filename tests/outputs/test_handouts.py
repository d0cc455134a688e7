"""Handout sheets, read back as a teacher's printer and a student's phone would.

Each project is built once per module (module-scoped fixtures); every test then reads
the real PDFs: page size and count with pypdf, the reading-time table and totals from
the extracted text (parsed generically, then compared with the loaded content), QR
codes decoded by zxing-cpp from pages rendered at 300 dpi by pypdfium2.
"""

from __future__ import annotations

import re
import shutil
import typing
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from persklaar.core import links
from persklaar.core import load as content
from persklaar.core.model import Publication, Section
from persklaar.core.schema import Kind
from persklaar.errors import BuildError
from persklaar.outputs import BuildOptions
from persklaar.outputs.handouts import Handouts, combined, target
from persklaar.outputs.handouts.combine import combine
from persklaar.outputs.handouts.sheet import anchor_prefix
from persklaar.render import views
from support import REPO, copy_project, copy_repo_project, labels, locale, marked_text, structure_elements

HANDOUTS = Handouts()

A4 = (595.28, 841.89)
EPOCH = 1735689600  # 2025-01-01 UTC
L = labels("nl")


@dataclass
class Built:
    """A project whose handouts were built once: the model and where each sheet is."""

    root: Path
    pub: Publication
    dist: Path
    options: BuildOptions

    def sheet(self, section: Section) -> Path:
        return self.dist / target(section)

    @property
    def sections(self) -> list[Section]:
        return [s for m in self.pub.modules for s in m.sections]


def build_all(root: Path, options: BuildOptions) -> Built:
    pub, _ = content.load(root)
    dist = root / "dist"
    for job in HANDOUTS.jobs(pub):
        staging = root / "staging" / job.key
        HANDOUTS.build(pub, job, staging, options)
        written = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        assert written == list(job.targets), "build writes exactly its targets"
        (dist / job.targets[0]).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staging / job.targets[0], dist / job.targets[0])
    paths = [dist / job.targets[0] for job in HANDOUTS.jobs(pub)]
    combine(pub, paths, dist / combined(pub), options)
    return Built(root, pub, dist, options)


@pytest.fixture(scope="module")
def mini_built(tmp_path_factory) -> Built:
    return build_all(copy_project(tmp_path_factory.mktemp("mini")), BuildOptions())


@pytest.fixture(scope="module")
def real_built(tmp_path_factory) -> Built:
    root = copy_repo_project(tmp_path_factory.mktemp("real"))
    return build_all(root, BuildOptions(source_date_epoch=EPOCH))


@pytest.fixture(scope="module", params=["mini", "real"])
def built(request) -> Built:
    return request.getfixturevalue(f"{request.param}_built")


# ---------------------------------------------------------------- reading a sheet back


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class ParsedRow:
    number: int
    title: str
    short_url: str
    placeholder: bool
    kind: str
    minutes: int
    badge: str


def text_of(path: Path, pub: Publication) -> str:
    """A sheet's text, page after page, without the page footers."""
    footer = f"{pub.meta.title} · {L['module']} "
    pages = [flat(text) for text in page_texts(path)]
    assert all(footer in text for text in pages), "every page has its footer"
    return " ".join(text[: text.rfind(footer)].strip() for text in pages)


def sheet_text(built: Built, section: Section) -> str:
    return text_of(built.sheet(section), built.pub)


def parse_table(text: str) -> tuple[list[ParsedRow], str]:
    """The rows of the reading-time table, and the text after its "Totaal".

    Generic: the pattern knows the column order and the labels, not the content, and
    must consume the whole table body, so an extra or missing row fails.
    """
    columns = ("number_short", "resource", "kind", "minutes", "short_long", "qr_code")
    header = " ".join(L[c] for c in columns)
    body = text.split(header, 1)[1].replace(f" {header} ", " ")  # a table on two pages repeats its header
    body, totals = body.rsplit(f" {L['total']} ", 1)
    kinds = "|".join(re.escape(L[f"kind_{k}"]) for k in typing.get_args(Kind))
    row = re.compile(
        rf"(?P<number>\d+) (?P<title>.+?) (?P<url>\S+)(?P<ph> {re.escape(L['placeholder'])})? "
        rf"(?P<kind>{kinds}) (?P<minutes>\d+) {re.escape(L['min'])} "
        rf"(?P<badge>{L['short']}|{L['long']})(?: |$)",
        re.IGNORECASE)
    rows, at = [], 0
    for match in row.finditer(body.strip()):
        assert match.start() == at, f"unparsed text in the table: {body.strip()[at:match.start()]!r}"
        rows.append(ParsedRow(int(match["number"]), match["title"], match["url"], bool(match["ph"]),
                              match["kind"], int(match["minutes"]), match["badge"]))
        at = match.end()
    assert body.strip()[at:].strip() == "", f"unparsed text in the table: {body.strip()[at:]!r}"
    return rows, totals


def parse_appendix(text: str) -> list[tuple[int, str, bool]]:
    """(number, full URL, marked as placeholder) for each entry of the link appendix."""
    after = text.split(L["handout_links_intro"], 1)[1].split(L["placeholder_note"], 1)[-1]
    after = after.split(f" {L['notes']}")[0].strip()
    entry = re.compile(rf"(\d+) (https?://\S+)( {re.escape(L['placeholder'])})?(?: |$)", re.IGNORECASE)
    entries, at = [], 0
    for match in entry.finditer(after):
        assert match.start() == at, f"unparsed text in the appendix: {after[at:match.start()]!r}"
        entries.append((int(match[1]), match[2], bool(match[3])))
        at = match.end()
    assert after[at:] == "", f"unparsed text in the appendix: {after[at:]!r}"
    return entries


def decoded_qr_codes(path: Path, grey: bool = False) -> list[str]:
    """Every QR code zxing-cpp finds on the pages rendered at print resolution (300 dpi)."""
    found = []
    document = pypdfium2.PdfDocument(str(path))
    for page in document:
        image = page.render(scale=300 / 72, grayscale=grey).to_pil()
        found += [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    document.close()
    return found


def sheet_urls(section: Section) -> list[str]:
    """Every URL the sheet must list, in order: intro links first, then resources."""
    from persklaar.core import markdown

    urls = [str(t.attrGet("href")) for t, _, _ in markdown.links_in(section.intro)] + [r.url for r in section.resources]
    return list(dict.fromkeys(urls))


# ---------------------------------------------------------------- jobs and keys


def test_one_job_per_section_named_by_slug(built: Built):
    jobs = HANDOUTS.jobs(built.pub)
    assert [j.key for j in jobs] == [s.number for s in built.sections]
    assert all(j.output == "handouts" and len(j.targets) == 1 for j in jobs)
    assert len({j.targets[0] for j in jobs}) == len(jobs)
    for job, section in zip(jobs, built.sections, strict=False):
        number = section.number.split(".")
        assert job.targets[0].startswith(f"handouts/{number[0].zfill(2)}-")
        assert job.targets[0].endswith(".pdf")


def test_real_targets_as_specified(real_built: Built):
    targets = [j.targets[0] for j in HANDOUTS.jobs(real_built.pub)]
    assert "handouts/08-1-welke-banen-worden-overgenomen.pdf" in targets
    assert "handouts/08-het-werk-van-de-toekomst.pdf" in targets


def test_content_key_depends_on_its_own_section_only(tmp_path: Path):
    root = copy_project(tmp_path)
    course = root / "content/course/03-robots.yaml"
    pub, _ = content.load(root)
    job3, job31 = HANDOUTS.jobs(pub)
    before = (HANDOUTS.content_key(pub, job3), HANDOUTS.content_key(pub, job31))

    # Edit section 3.1 and push its lines down: only 3.1's key may change.
    text = course.read_text("utf-8")
    text = text.replace("Deze paragraaf heeft geen bronnen.", "Deze paragraaf heeft nog geen bronnen.")
    text = text.replace("sections:\n", "sections:\n\n\n", 1)  # shifts every line number below
    course.write_text(text, "utf-8")
    pub2, _ = content.load(root)
    first = pub.modules[0].sections[0].resources[0]
    assert pub2.modules[0].sections[0].resources[0].source.line != first.source.line
    assert HANDOUTS.content_key(pub2, job3) == before[0]
    assert HANDOUTS.content_key(pub2, job31) != before[1]

    # A change to the module's summary (not printed on a sheet) changes no key.
    course.write_text(text.replace("Een korte module voor de tests.", "Anders."), "utf-8")
    pub3, _ = content.load(root)
    assert HANDOUTS.content_key(pub3, job3) == before[0]


def test_content_key_follows_what_the_sheet_shows(tmp_path: Path):
    root = copy_project(tmp_path)
    course = root / "content/course/03-robots.yaml"
    pub, _ = content.load(root)
    job3 = HANDOUTS.jobs(pub)[0]
    key = HANDOUTS.content_key(pub, job3)
    for old, new in (("minutes: 4", "minutes: 5"), ("title: Robots in de klas\nicon", "title: Robots!\nicon"),
                     ("https://waymo.com/", "https://waymo.com/x")):
        text = course.read_text("utf-8")
        assert old in text
        course.write_text(text.replace(old, new, 1), "utf-8")
        changed, _ = content.load(root)
        assert HANDOUTS.content_key(changed, job3) != key, old
        course.write_text(text, "utf-8")


# ---------------------------------------------------------------- each sheet


def test_sheets_are_a4_portrait_at_most_two_pages(built: Built):
    for section in built.sections:
        reader = PdfReader(built.sheet(section))
        assert 1 <= len(reader.pages) <= 2, section.number
        for page in reader.pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1, (section.number, width, height)


def test_table_lists_exactly_the_resources_in_order(built: Built):
    settings = built.pub.settings
    for section in built.sections:
        text = sheet_text(built, section)
        if not section.resources:
            assert L["no_resources"] in text
            assert L["qr_code"] not in text
            continue
        rows, _ = parse_table(text)
        assert [(r.title, r.minutes) for r in rows] == [(x.title, x.minutes) for x in section.resources]
        assert [r.kind for r in rows] == [L[f"kind_{x.kind}"] for x in section.resources]
        badges = [L["short"] if x.is_short(settings) else L["long"] for x in section.resources]
        assert [r.badge for r in rows] == badges
        assert [r.short_url for r in rows] == [links.short_url(x.url) for x in section.resources]
        numbers = {url: n for n, url in enumerate(sheet_urls(section), start=1)}
        assert [r.number for r in rows] == [numbers[x.url] for x in section.resources]


def test_totals_are_computed_from_the_content(built: Built):
    for section in [s for s in built.sections if s.resources]:
        _, totals = parse_table(sheet_text(built, section))
        count = len(section.resources)
        minutes = sum(r.minutes for r in section.resources)
        label = L["resources_total_one"] if count == 1 else L["resources_total"].format(count=count)
        assert totals.startswith(f"{label} {minutes} {L['min']}"), totals


def test_every_qr_code_decodes_to_its_resource_url(built: Built):
    for section in built.sections:
        found = decoded_qr_codes(built.sheet(section))
        assert sorted(found) == sorted({r.url for r in section.resources}), section.number


def test_each_row_has_its_own_scannable_qr_code(real_built: Built):
    """Top to bottom the codes follow the table's rows; each is about 2 cm with a white quiet zone."""
    dpi = 300
    for section in real_built.sections:
        codes = []
        document = pypdfium2.PdfDocument(str(real_built.sheet(section)))
        for number, page in enumerate(document):
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                p = code.position
                left, top = min(p.top_left.x, p.bottom_left.x), min(p.top_left.y, p.top_right.y)
                right, bottom = max(p.top_right.x, p.bottom_right.x), max(p.bottom_left.y, p.bottom_right.y)
                width_mm = (right - left) / dpi * 25.4
                assert 14 <= width_mm <= 22, f"{section.number}: a {width_mm:.1f} mm code"
                ring = round(1.5 / 25.4 * dpi)  # 1.5 mm around the symbol: part of its quiet zone
                edge = 4  # px: zxing's corners may sit a pixel inside the symbol's anti-aliased edge
                strips = {"above": (left - ring, top - ring, right + ring, top - edge),
                          "below": (left - ring, bottom + edge, right + ring, bottom + ring),
                          "left": (left - ring, top - ring, left - edge, bottom + ring),
                          "right": (right + edge, top - ring, right + ring, bottom + ring)}
                for side, strip in strips.items():
                    assert image.crop(strip).getextrema()[0] > 200, f"{section.number}: quiet zone {side}"
                inner = image.crop((left, top, right + 1, bottom + 1))
                assert inner.getextrema()[0] < 60  # and the symbol itself is black
                codes.append(((number, top), code.text))
        document.close()
        assert [text for _, text in sorted(codes)] == [r.url for r in section.resources], section.number


def test_qr_codes_survive_a_greyscale_print(real_built: Built):
    section = max(real_built.sections, key=lambda s: len(s.resources))
    assert set(decoded_qr_codes(real_built.sheet(section), grey=True)) == {r.url for r in section.resources}


def test_link_appendix_lists_every_url_in_full(built: Built):
    for section in built.sections:
        text = sheet_text(built, section)
        expected = sheet_urls(section)
        if not expected:
            assert L["link_appendix"] not in text
            continue
        entries = parse_appendix(text)
        assert [(n, url) for n, url, _ in entries] == list(enumerate(expected, start=1)), section.number
        assert [marked for _, _, marked in entries] == [links.is_placeholder(u) for u in expected]


def test_intro_links_are_numbered_for_the_appendix(mini_built: Built):
    section = mini_built.sections[0]
    intro_links = [url for url in sheet_urls(section) if url not in {r.url for r in section.resources}]
    assert intro_links, "the mini project's intro has a link"
    text = sheet_text(mini_built, section)
    assert "dit artikel[1]" in text  # the reference number, pointing at appendix entry 1
    reader = PdfReader(mini_built.sheet(section))
    names = {str(dest) for dest in reader.named_destinations}
    assert f"{anchor_prefix(section)}link-1" in names


def test_placeholder_urls_are_marked(tmp_path: Path):
    root = copy_project(tmp_path)
    course = root / "content/course/03-robots.yaml"
    course.write_text(course.read_text("utf-8").replace("https://waymo.com/", "https://example.com/later"), "utf-8")
    pub, _ = content.load(root)
    _, section = pub.section("3")
    HANDOUTS.build(pub, HANDOUTS.jobs(pub)[0], tmp_path / "out", BuildOptions())
    built = Built(root, pub, tmp_path / "out", BuildOptions())
    text = sheet_text(built, section)
    rows, _ = parse_table(text)
    assert [r.placeholder for r in rows] == [True, False]
    assert L["placeholder_note"] in text


def test_mini_has_no_placeholder_marks(mini_built: Built):
    for section in mini_built.sections:
        assert L["placeholder"].lower() not in sheet_text(mini_built, section).lower()


def test_header_and_footer(built: Built):
    date_text = built.pub.locale.date(views.build_moment(built.pub, built.options.source_date_epoch).date())
    module_of = {s.number: m for m in built.pub.modules for s in m.sections}
    for section in built.sections:
        pages = page_texts(built.sheet(section))
        module = module_of[section.number]
        first = flat(pages[0])
        assert f"{L['module']} {module.number}".upper() in first.upper()
        assert module.icon in first and module.title in first
        assert f"{section.number} {section.title}" in first
        for number, text in enumerate(pages, start=1):
            footer = flat(text)
            where = f"{L['module']} {module.number} · {section.number} {section.title}"
            assert f"{built.pub.meta.title} · {where}" in footer
            assert f"{L['page']} {number} {L['of']} {len(pages)}" in footer
            assert f"{L['built']} {date_text}" in footer


def test_footers_are_artifacts_and_every_figure_has_alternate_text(built: Built):
    """The footer is drawn as an artifact (a screen reader skips it); the only figures are
    the QR codes, each with alternate text that says where it leads. The hourglasses are
    decoration (CSS backgrounds: artifacts too)."""
    for section in built.sections:
        reader = PdfReader(built.sheet(section))
        for number, page in enumerate(reader.pages, start=1):
            pieces = marked_text(page)
            footer = flat(" ".join(text for tag, text in pieces if tag == "/Artifact"))
            assert f"{L['page']} {number} {L['of']} {len(reader.pages)}" in footer
            assert built.pub.meta.title in footer
            content = flat(" ".join(text for tag, text in pieces if tag != "/Artifact"))
            assert f"{L['page']} {number} {L['of']}" not in content
        alts = [str(e["/Alt"]) for e in structure_elements(reader) if e["/S"] == "/Figure"]
        numbers = {url: n for n, url in enumerate(sheet_urls(section), start=1)}
        assert alts == [L["qr_alt"].format(number=numbers[r.url], url=r.url) for r in section.resources]


def test_build_date_comes_from_the_epoch_or_the_edition(real_built: Built, mini_built: Built):
    day = views.build_moment(real_built.pub, EPOCH).date()
    assert locale("nl").date(day) == "1 januari 2025"
    assert "1 januari 2025" in page_texts(real_built.sheet(real_built.sections[0]))[0]
    assert locale("nl").date(mini_built.pub.meta.date) == "15 januari 2025"
    assert "15 januari 2025" in page_texts(mini_built.sheet(mini_built.sections[0]))[0]
    assert locale("en").date(real_built.pub.meta.date) == "1 June 2025"


def test_notes_box_only_where_the_page_has_room(built: Built):
    with_notes = 0
    for section in built.sections:
        pages = page_texts(built.sheet(section))
        if L["notes"] in pages[-1]:
            with_notes += 1
            assert all(L["notes"] not in p for p in pages[:-1])
    if built.root.name == "mini":
        assert with_notes == len(built.sections)  # two short sheets: room on both


def test_badge_text_contrast_in_colour_and_greyscale():
    tokens = (REPO / "styles/tokens.css").read_text("utf-8")
    colour = {name: value for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", tokens)}
    css = (REPO / "styles/handout.css").read_text("utf-8")
    badge_rule = re.search(r"\.badge \{([^}]*)\}", css)[1]
    text = colour[re.search(r"\bcolor:\s*var\(--([\w-]+)\)", badge_rule)[1]]
    for name in ("badge-short", "badge-long"):
        assert re.search(rf"\.{name} \{{ background: var\(--{name}\); \}}", css)
        assert contrast(text, colour[name]) >= 4.5, name
        assert contrast(grey(text), grey(colour[name])) >= 4.5, f"{name} in greyscale"


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def grey(hex_colour: str) -> str:
    """The colour as a greyscale printer would print it (ITU-R BT.601 luma)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    y = round(0.299 * r + 0.587 * g + 0.114 * b)
    return f"#{y:02x}{y:02x}{y:02x}"


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ---------------------------------------------------------------- the combined PDF


def test_combined_pdf_has_one_bookmark_per_sheet(built: Built):
    """One top-level bookmark per sheet, at its first page; under it the sheet's own."""
    merged = PdfReader(built.dist / combined(built.pub))
    sheets = [item for item in merged.outline if not isinstance(item, list)]
    assert [item.title for item in sheets] == [f"{s.number} {s.title}" for s in built.sections]
    sizes = [len(PdfReader(built.sheet(s)).pages) for s in built.sections]
    assert len(merged.pages) == sum(sizes)
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    assert [merged.get_destination_page_number(item) for item in sheets] == starts
    for section in built.sections:
        own = PdfReader(built.sheet(section)).outline
        assert len(own) == 2 and isinstance(own[1], list), "a sheet's outline: its title, then its parts"
        at = merged.outline.index(next(i for i in sheets if i.title == own[0].title))
        assert [i.title for i in merged.outline[at + 1]] == [i.title for i in own[1]]


def test_combined_pdf_links_stay_on_their_own_sheet(built: Built):
    """Every sheet has a `link-1`: in the combined file each link leads to its own sheet's."""
    merged = PdfReader(built.dist / combined(built.pub))
    sizes = [len(PdfReader(built.sheet(s)).pages) for s in built.sections]
    sheet_of_page = [i for i, size in enumerate(sizes) for _ in range(size)]
    destinations = merged.named_destinations
    internal = 0
    for index, page in enumerate(merged.pages):
        for annotation in page.get("/Annots", []):
            name = annotation.get_object().get("/Dest")
            if name is None:
                continue
            internal += 1
            target = merged.get_destination_page_number(destinations[str(name)])
            assert sheet_of_page[target] == sheet_of_page[index], f"{name} on page {index + 1}"
    assert internal >= sum(len(sheet_urls(s)) for s in built.sections)


def test_combined_pdf_is_one_tagged_document(built: Built):
    merged = PdfReader(built.dist / combined(built.pub))
    root = merged.root_object
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == built.pub.meta.language
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    tags = [str(e["/S"]) for e in structure_elements(merged)]
    assert tags.count("/H1") == len(built.sections), "each sheet's title is in the one tree"
    assert tags.count("/Table") == sum(1 for s in built.sections if s.resources) + sum(
        len(s.intro.tables()) for s in built.sections)
    assert merged.metadata.title == f"{L['all_handouts']} · {built.pub.meta.title}"


def test_real_combined_bookmark_title(real_built: Built):
    outline = PdfReader(real_built.dist / combined(real_built.pub)).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert "8.1 Welke banen worden overgenomen?" in titles


# ---------------------------------------------------------------- determinism and failures


def test_two_builds_are_byte_identical(mini_built: Built, tmp_path: Path, monkeypatch):
    # The fixture was built with conftest's SOURCE_DATE_EPOCH; without it fontTools would
    # stamp embedded fonts with the clock. Build again without it, sheets in reverse order
    # (a pool worker may build them in any order), a second or more later.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = copy_project(tmp_path)
    pub, _ = content.load(root)
    for job in reversed(HANDOUTS.jobs(pub)):
        HANDOUTS.build(pub, job, root / "dist", BuildOptions())
    for section in mini_built.sections:
        again = (root / "dist" / target(section)).read_bytes()
        assert again == mini_built.sheet(section).read_bytes(), section.number
    paths = [root / "dist" / job.targets[0] for job in HANDOUTS.jobs(pub)]
    combine(pub, paths, root / "combined.pdf", BuildOptions())
    assert (root / "combined.pdf").read_bytes() == (mini_built.dist / combined(mini_built.pub)).read_bytes()


LONG_MODULE = """\
number: 5
title: Lang
sections:
  - number: "5"
    title: Veel bronnen
    intro: Zie ook [de bron](https://example.org/bron) en [Waymo](https://waymo.com/).
    resources:
{resources}
  - number: "5.1"
    title: Te lang
    intro: |
{intro}
    resources: []
"""


def test_a_long_section_takes_two_pages_and_a_too_long_one_fails(tmp_path: Path):
    root = copy_project(tmp_path)
    resources = "\n".join(
        f"      - title: Bron nummer {i}\n        url: https://example.com/bron-{i}\n"
        f"        kind: {'video' if i % 3 else 'podcast'}\n        minutes: {i * 3}" for i in range(1, 12))
    intro = "\n\n".join(["      " + "Een lange alinea over het werk van de toekomst. " * 30] * 14)
    module = LONG_MODULE.format(resources=resources, intro=intro)
    (root / "content/course/05-lang.yaml").write_text(module, "utf-8")
    pub, _ = content.load(root)
    jobs = {j.key: j for j in HANDOUTS.jobs(pub)}

    HANDOUTS.build(pub, jobs["5"], tmp_path / "out", BuildOptions())
    sheet = tmp_path / "out" / jobs["5"].targets[0]
    pages = page_texts(sheet)
    assert len(pages) == 2
    assert f"{L['page']} 2 {L['of']} 2" in flat(pages[1])
    assert L["notes"] in pages[1] and L["notes"] not in pages[0], "page 2 has room for notes"
    section = next(s for s in pub.modules[1].sections if s.number == "5")
    text = text_of(sheet, pub)
    rows, _ = parse_table(text)
    expected = [(r.title, r.minutes, True) for r in section.resources]
    assert [(r.title, r.minutes, r.placeholder) for r in rows] == expected
    assert sorted(decoded_qr_codes(sheet)) == sorted(r.url for r in section.resources)
    entries = parse_appendix(text)
    assert [(u, m) for _, u, m in entries] == [(u, links.is_placeholder(u)) for u in sheet_urls(section)]

    with pytest.raises(BuildError, match=r"section 5\.1 needs \d+ pages; a handout has at most 2"):
        HANDOUTS.build(pub, jobs["5.1"], tmp_path / "out2", BuildOptions())
    assert not (tmp_path / "out2" / jobs["5.1"].targets[0]).exists()


def test_combine_refuses_a_file_that_is_no_sheet(mini_built: Built, tmp_path: Path):
    stray = tmp_path / "other.pdf"
    shutil.copy(mini_built.sheet(mini_built.sections[0]), stray)
    with pytest.raises(BuildError, match="other.pdf is not the handout"):
        combine(mini_built.pub, [stray], tmp_path / "all.pdf", BuildOptions())
