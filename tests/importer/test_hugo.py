"""Tests for persklaar.importer: Hugo course pages -> course-module YAML (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from persklaar.errors import Diagnostic, SourceLocation
from persklaar.importer import dump_module, import_page, run_import
from support import REPO as ROOT

SEED = ROOT / "tests" / "fixtures" / "seeds" / "module-08-source.md"
SHIPPED = ROOT / "content" / "course" / "08-het-werk-van-de-toekomst.yaml"

FRONT = """---
title: 🔮 Module Twee
summary: Een korte samenvatting.
date: 2024-02-15
authors:
- admin
---
"""
SPAN = '<span class="material-symbols-outlined" style="color: #5f6368;">{icon}</span>'
BADGE = ('<span style="float: right;">~{minutes} min <i class="material-icons" '
         'style="color: #9DC384;">hourglass_bottom</i></span>')


def resource(title: str = "Bron", url: str = "https://example.com/a", icon: str = "article",
             minutes: int | None = 5) -> str:
    """One resource line as a Wowchemy page writes it."""
    badge = f" {BADGE.format(minutes=minutes)}" if minutes is not None else ""
    return f"{SPAN.format(icon=icon)} [{title}]({url}){badge}"


def page(*body: str) -> str:
    """A small page: the front matter above, then `body` lines (line 8 onwards)."""
    return FRONT + "\n".join(body) + "\n"


BASIC = page(
    "# 2. Module Twee",        # line 8
    "",
    "---",
    "",
    "Eerste alinea.",          # line 12
    "",
    resource("Een", minutes=9),  # line 14
    "",
    "## 2.1 Deel een",         # line 16
    "",
    "Tweede alinea,",          # line 18
    "over twee regels.",
    "",
    "Derde alinea.",
)


def errors(issues: list[Diagnostic]) -> list[Diagnostic]:
    return [i for i in issues if i.severity == "error"]


def warnings(issues: list[Diagnostic]) -> list[Diagnostic]:
    return [i for i in issues if i.severity == "warning"]


# ------------------------------------------------------------------ the real module


def test_seed_reproduces_the_shipped_module() -> None:
    module, issues = import_page(SEED.read_text(encoding="utf-8"), str(SEED))
    assert not errors(issues)
    assert yaml.safe_load(dump_module(module)) == yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_regenerating_the_shipped_module_changes_no_byte() -> None:
    module, _ = import_page(SEED.read_text(encoding="utf-8"), str(SEED))
    assert dump_module(module, source=str(SEED)) == SHIPPED.read_text(encoding="utf-8")


def test_shipped_module_content() -> None:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert (data["number"], data["title"], data["icon"]) == (8, "Het werk van de toekomst", "🔮")
    assert data["date"] == "2024-02-15"  # a string, not a datetime.date
    assert [s["number"] for s in data["sections"]] == ["8", "8.1", "8.2"]
    minutes = [[r["minutes"] for r in s["resources"]] for s in data["sections"]]
    assert minutes == [[9, 4, 3], [4, 5, 3], [3, 3, 15, 15, 8, 5]]
    assert all(s["intro"].strip() for s in data["sections"])
    urls = [r["url"] for s in data["sections"] for r in s["resources"]]
    assert urls[0] == "https://example.com/future-work-debate"
    assert all(u.startswith("https://example.com/") for u in urls)
    text = SHIPPED.read_text(encoding="utf-8")
    assert "gecreëerd" in text and "Ã" not in text


def test_seed_mojibake_is_reported_once() -> None:
    _, issues = import_page(SEED.read_text(encoding="utf-8"), str(SEED))
    assert [str(i) for i in issues] == [
        f"{SEED}:2:1: warning: repaired double-encoded UTF-8 on 5 lines (first on line 2)"
    ]


def test_dump_layout() -> None:
    text = dump_module(import_page(SEED.read_text(encoding="utf-8"), "x.md")[0], source="a/b/x.md")
    lines = text.splitlines()
    assert lines[0] == "# Imported from x.md by persklaar.importer"
    assert [line.split(":")[0] for line in lines[1:9]] == [
        "number", "title", "icon", "summary", "date", "authors", "tags", "sections"]
    assert '  - number: "8.1"' in lines
    assert "    intro: |" in lines
    assert sum(line.lstrip().startswith("#") for line in lines) == 1  # no other comments


# ------------------------------------------------------------------- idempotence


def test_dump_and_import_are_deterministic() -> None:
    first = dump_module(import_page(BASIC, "p.md")[0])
    second = dump_module(import_page(BASIC, "p.md")[0])
    assert first == second
    module = import_page(BASIC, "p.md")[0]
    assert dump_module(module) == dump_module(module)
    assert yaml.safe_load(first) == module


def test_basic_page() -> None:
    module, issues = import_page(BASIC, "p.md")
    assert issues == []
    assert module["icon"] == "🔮" and module["title"] == "Module Twee"
    first, second = module["sections"]
    assert first == {"number": "2", "title": "Module Twee", "intro": "Eerste alinea.\n",
                     "resources": [{"title": "Een", "url": "https://example.com/a",
                                    "kind": "article", "minutes": 9}]}
    assert second["intro"] == "Tweede alinea,\nover twee regels.\n\nDerde alinea.\n"


# ------------------------------------------------------------------------ issues


def test_section_without_resources() -> None:
    module, issues = import_page(BASIC, "p.md")
    assert module["sections"][1]["resources"] == []
    assert "resources: []" in dump_module(module)


def test_unknown_icon_is_kind_other_with_a_warning() -> None:
    text = page("# 2. Module Twee", "", resource(icon="rocket_launch"))
    module, issues = import_page(text, "p.md")
    assert module["sections"][0]["resources"][0]["kind"] == "other"
    assert [(i.where.line, i.severity) for i in issues] == [(10, "warning")]
    assert "rocket_launch" in issues[0].message


@pytest.mark.parametrize("icon, kind", [("videocam", "video"), ("podcasts", "podcast"),
                                        ("menu_book", "book"), ("language", "website"),
                                        ("newspaper", "article")])
def test_icon_kinds(icon: str, kind: str) -> None:
    module, issues = import_page(page("# 2. Module Twee", resource(icon=icon)), "p.md")
    assert issues == [] and module["sections"][0]["resources"][0]["kind"] == kind


def test_resource_without_minutes_is_imported_with_a_warning_on_its_line() -> None:
    text = page("# 2. Module Twee", "", resource("Goed"), "", resource("Zonder tijd", minutes=None))
    module, issues = import_page(text, "p.md")
    assert [(i.where.line, i.severity) for i in issues] == [(12, "warning")]
    assert "~N min" in issues[0].message
    resources = module["sections"][0]["resources"]
    assert [r["title"] for r in resources] == ["Goed", "Zonder tijd"]
    assert "minutes" in resources[0] and "minutes" not in resources[1]


def test_unmappable_html_line_is_reported_with_its_line() -> None:
    text = page("# 2. Module Twee", "", "Tekst.", "", '<div class="callout">Let op</div>', "", "Meer.")
    module, issues = import_page(text, "p.md")
    assert [(i.where.line, i.severity) for i in issues] == [(12, "warning")]
    assert "raw HTML" in issues[0].message
    assert module["sections"][0]["intro"] == "Tekst.\n\nMeer.\n"


def test_unknown_heading_is_kept_as_prose_and_reported() -> None:
    module, issues = import_page(page("# 2. Module Twee", "", "### Extra kop"), "p.md")
    assert [(i.where.line, i.severity) for i in issues] == [(10, "warning")]
    assert module["sections"][0]["intro"] == "Extra kop\n"


def test_crlf_line_endings() -> None:
    module, issues = import_page(BASIC.replace("\n", "\r\n"), "p.md")
    assert issues == []
    assert module == import_page(BASIC, "p.md")[0]


def test_crlf_keeps_line_numbers() -> None:
    text = page("# 2. Module Twee", "", resource(), resource(minutes=None)).replace("\n", "\r\n")
    assert [i.where.line for i in import_page(text, "p.md")[1]] == [11]


def test_bom() -> None:
    module, issues = import_page("\ufeff" + BASIC, "p.md")
    assert issues == []
    assert module == import_page(BASIC, "p.md")[0]


def test_mojibake_is_repaired_and_reported() -> None:
    broken = "Banen worden gecreëerd.".encode().decode("cp1252")
    assert "Ã«" in broken
    text = page("# 2. Module Twee", "", broken, "", broken)
    module, issues = import_page(text, "p.md")
    assert module["sections"][0]["intro"] == "Banen worden gecreëerd.\n\nBanen worden gecreëerd.\n"
    assert [str(i) for i in issues] == [
        "p.md:10:1: warning: repaired double-encoded UTF-8 on 2 lines (first on line 10)"]


def test_no_module_heading_is_an_error() -> None:
    _, issues = import_page(page("Alleen tekst."), "p.md")
    assert any("no module heading" in i.message for i in errors(issues))


def test_missing_summary_is_an_error() -> None:
    text = "---\ntitle: X\n---\n# 3. X\n"
    assert any("summary" in i.message for i in errors(import_page(text, "p.md")[1]))


def test_unknown_front_matter_key_is_reported() -> None:
    text = FRONT.replace("date:", "weight: 20\ndate:") + "# 2. Module Twee\n\nTekst.\n"
    module, issues = import_page(text, "p.md")
    assert [(i.where.line, i.severity) for i in issues] == [(4, "warning")]
    assert "weight" in issues[0].message and "weight" not in module


def test_problems_print_as_the_core_prints_them() -> None:
    assert str(Diagnostic(SourceLocation("a.md", 3, 7), "kapot")) == "a.md:3:7: kapot"
    assert str(Diagnostic(SourceLocation("a.md", 3, 7), "let op", "warning")) == "a.md:3:7: warning: let op"


# ----------------------------------------------------------------------- dumping


def test_nothing_is_coerced() -> None:
    module = {"number": 1, "title": "NO", "summary": "1.10", "date": "2024-02-15",
              "tags": ["yes", "null", "8.1"],
              "sections": [{"number": "1", "title": "8.1", "intro": "true",
                            "resources": [{"title": "~", "url": "https://x/y#z", "kind": "other",
                                           "minutes": 3}]}]}
    text = dump_module(module)
    assert yaml.safe_load(text) == module
    assert '  - number: "1"' in text


def test_dump_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="colour"):
        dump_module({"number": 1, "title": "X", "summary": "S", "sections": [], "colour": "red"})


plain_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")) | st.just("\n"))


@settings(max_examples=150, deadline=None)
@given(title=plain_text, intro=plain_text, number=st.from_regex(r"\A[0-9]{1,2}(\.[0-9]{1,2})?\Z"))
def test_dump_round_trips_any_text(title: str, intro: str, number: str) -> None:
    module = {"number": 1, "title": title, "summary": intro,
              "sections": [{"number": number, "title": title, "intro": intro, "resources": []}]}
    assert yaml.safe_load(dump_module(module)) == module


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "# 4. Titel", "## 4.1 Deel", "## 5.2 Vreemd", "---", "", "Tekst.", "<p>html</p>", "{{< x >}}",
    resource(), resource(minutes=None), resource(icon="zzz"), SPAN.format(icon="article"),
    "### kop", "Ã« mojibake", "tekst met <b>vet</b>"]), max_size=12))
def test_import_never_crashes_and_issues_point_into_the_page(body: list[str]) -> None:
    text = page(*body)
    _, issues = import_page(text, "p.md")
    line_count = len(text.split("\n"))
    assert all(1 <= i.where.line <= line_count and i.severity in ("warning", "error") for i in issues)


# ------------------------------------------------------------------------ writing


def test_run_import_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text(BASIC, encoding="utf-8")
    out = tmp_path / "course"
    messages: list[str] = []
    assert run_import([str(source)], str(out), False, messages.append) == 0
    target = out / "02-module-twee.yaml"
    assert yaml.safe_load(target.read_text(encoding="utf-8")) == import_page(BASIC, "x")[0]
    assert messages == [f"wrote {target}"]

    target.write_text("hand edited\n", encoding="utf-8")
    messages.clear()
    assert run_import([str(source)], str(out), False, messages.append) == 1
    assert target.read_text(encoding="utf-8") == "hand edited\n"
    assert "already exists" in messages[0] and messages[0].startswith(str(target))

    assert run_import([str(source)], str(out), True, messages.append) == 0
    assert target.read_text(encoding="utf-8").startswith("# Imported from page.md")
    assert sorted(p.name for p in out.iterdir()) == ["02-module-twee.yaml"]  # no temp files left


def test_run_import_writes_a_resource_without_minutes_but_not_with_strict(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text(page("# 2. Module Twee", resource(minutes=None)), encoding="utf-8")
    messages: list[str] = []
    assert run_import([str(source)], str(tmp_path / "ok"), False, messages.append) == 0
    assert "minutes" not in (tmp_path / "ok/02-module-twee.yaml").read_text("utf-8")
    messages.clear()
    assert run_import([str(source)], str(tmp_path / "out"), True, messages.append, strict=True) == 1
    assert not (tmp_path / "out").exists()
    assert any(m.startswith(f"{source}:9:") and "(--strict)" in m for m in messages)
    assert messages[-1] == f"{source}: not written because of the errors above"


def test_run_import_reports_bad_utf8_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_bytes(BASIC.encode("utf-8").replace(b"Derde", b"D\xe9rde"))
    messages: list[str] = []
    assert run_import([str(source)], str(tmp_path), False, messages.append) == 1
    assert len(messages) == 1 and messages[0].startswith(f"{source}:21:2: not valid UTF-8")
