"""LaTeX → MathML conversion: structure of the result, and refusals with reasons."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from persklaar.core.math import MathError, to_mathml

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
