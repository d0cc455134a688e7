"""LaTeX → MathML conversion: structure of the result, and refusals with reasons."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from persklaar.core.bodies import read_body
from persklaar.core.markdown import Scope, parser
from persklaar.core.math import MathError, to_mathml
from persklaar.core.model import Body
from persklaar.errors import Diagnostics, SourceLocation

NS = "{http://www.w3.org/1998/Math/MathML}"


def test_fraction_is_mfrac_with_two_children_and_alttext() -> None:
    root = ET.fromstring(to_mathml(r"\frac{a}{b}", display=True))
    assert root.tag == f"{NS}math"
    assert root.get("display") == "block"
    assert root.get("alttext") == r"\frac{a}{b}"
    fracs = list(root.iter(f"{NS}mfrac"))
    assert len(fracs) == 1 and len(fracs[0]) == 2


def test_greek_and_sum() -> None:
    root = ET.fromstring(to_mathml(r"\sum_{i=1}^{n} \alpha_i"))
    assert root.get("display") == "inline"
    texts = {el.text for el in root.iter() if el.text}
    assert "α" in texts and "∑" in texts


@pytest.mark.parametrize(
    ("latex", "reason"),
    [
        (r"\frac{a}", "frac needs 2 arguments"),
        (r"\foo x", r"unknown command \foo"),
        ("{x", "unclosed '{'"),
        ("x}", "unmatched '}'"),
        ("  ", "empty formula"),
    ],
)
def test_refusals_name_the_reason(latex: str, reason: str) -> None:
    with pytest.raises(MathError, match=reason.replace("\\", "\\\\")):
        to_mathml(latex)


# ---------------------------------------------------------------- parsing: Pandoc's $ rules


def _children(text: str) -> list[tuple[str, str]]:
    tokens = parser().parse(text)
    return [(c.type, c.content) for c in tokens[1].children or []]


def test_money_stays_text() -> None:
    assert _children("It costs $5 and $10, or $ 3 $.\n") == [("text", "It costs $5 and $10, or $ 3 $.")]
    assert _children("Between $20,000 and $30,000.\n") == [("text", "Between $20,000 and $30,000.")]


def test_inline_math_needs_no_space_inside_its_dollars() -> None:
    assert _children("So $E = mc^2$ holds.\n") == [("text", "So "), ("math_inline", "E = mc^2"), ("text", " holds.")]
    assert [t for t, _ in _children("Not $x $ nor $ y$.\n")] == ["text"]
    assert _children("Price $5, and $x$.\n")[1] == ("math_inline", "x")


def test_an_escaped_dollar_is_a_dollar() -> None:
    assert _children("Write \\$x\\$ or \\$x$.\n") == [("text", "Write $x$ or $x$.")]


def test_display_math_keeps_its_source_whole() -> None:
    tokens = parser().parse("$$\n\\int_0^1 x\\,dx\n$$\n\nText.\n")
    assert tokens[0].type == "math_block" and tokens[0].content.strip() == "\\int_0^1 x\\,dx"
    assert tokens[0].map == [0, 3]
    inline = _children("Then $$a \\over b$$ in a paragraph.\n")
    assert inline[1] == ("math_inline_double", "a \\over b")


@pytest.mark.parametrize("text", ["$$ E = mc^2 $$ {#eq-energy}\n", "$$\nE = mc^2\n$$ {#eq-energy}\n"])
def test_a_display_formula_takes_quartos_id(text: str) -> None:
    token = parser().parse(text)[0]
    assert token.type == "math_block" and token.meta["attrs"] == {"id": "eq-energy"}
    assert token.content.strip() == "E = mc^2"


def test_display_math_in_a_paragraph_takes_an_id_too() -> None:
    children = parser().parse("So $$x$$ {#eq-x} holds.\n")[1].children
    assert children[1].meta["attrs"] == {"id": "eq-x"} and children[2].content == " holds."


def test_a_blank_line_ends_display_math() -> None:
    assert "math_block" not in [t.type for t in parser().parse("$$\nx\n\ny\n$$\n")]


# ---------------------------------------------------------------- loading: converted once, numbered


def _read(text: str) -> tuple[Body, Diagnostics]:
    diags = Diagnostics()
    scope = Scope("03-x", 1, set(), frozenset(), lambda src: "no images here")
    body, _ = read_body(text, SourceLocation("content/essay/03-x.md", 4, 1), scope, diags)
    return body, diags


def test_each_formula_carries_its_mathml() -> None:
    body, diags = _read("A $\\alpha$ and\n\n$$\\frac{1}{2}$$ {#eq-half}\n")
    assert not diags.errors
    maths = [t for _, t in body.walk() if "mathml" in t.meta]
    assert [ET.fromstring(t.meta["mathml"]).get("display") for t in maths] == ["inline", "block"]
    assert maths[1].meta["html"] == {"id": "eq-half"}


def test_a_bad_formula_is_an_error_at_its_position() -> None:
    _, diags = _read("Fine.\n\nThe sum $x + \\frac{a}$ is wrong.\n\n$$\n\\foo\n$$\n")
    assert [str(d) for d in diags.errors] == [
        "content/essay/03-x.md:6:9: formula $x + \\frac{a}$ cannot be set: frac needs 2 arguments, got 1 "
        "(if the $ signs mean money, write \\$)",
        "content/essay/03-x.md:8:1: formula $$\\foo$$ cannot be set: unknown command \\foo "
        "(if the $ signs mean money, write \\$)",
    ]


def test_equations_are_numbered_per_chapter(tmp_path) -> None:
    from persklaar.core.load import load
    from support import copy_project

    root = copy_project(tmp_path)
    essay = root / "content/essay/02-cijfers.md"
    essay.write_text(essay.read_text() + "\n$$a$$ {#eq-a}\n\nAnd $$b$$ {#eq-b} here, $$c$$ {#other}.\n")
    pub, _ = load(root)
    numbers = [t.meta.get("equation") for _, t in pub.chapters[1].body.walk() if "mathml" in t.meta]
    assert numbers == ["2.1", "2.2", None]
