"""LaTeX math → MathML, converted once (latex2mathml), refusing what it cannot handle.

latex2mathml accepts malformed input silently (`\\frac{a}` gives a one-child `mfrac`,
`\\foo` becomes the identifier "\\foo", `{x` is closed quietly), which would print a
broken formula. `to_mathml` therefore checks the source and the result and raises
`MathError` with the reason, so `check` can report it at the formula's position.

Not yet hooked into the Markdown parser or the renderers (see issue 24).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_NS = "{http://www.w3.org/1998/Math/MathML}"
# element → number of children MathML requires
_ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "mroot": 2, "munder": 2,
          "mover": 2, "munderover": 3}
_UNKNOWN = re.compile(r"\\[A-Za-z]+")


class MathError(ValueError):
    """A formula that cannot be set; the message is the reason, for the author."""


def _check_braces(latex: str) -> None:
    depth = 0
    escaped = False
    for i, ch in enumerate(latex):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise MathError(f"unmatched '}}' at character {i + 1} of the formula")
    if depth:
        raise MathError("unclosed '{' in the formula")


def to_mathml(latex: str, *, display: bool = False) -> str:
    """The MathML for `latex` (with `alttext` = the source), or MathError with the reason."""
    from latex2mathml.converter import convert

    if not latex.strip():
        raise MathError("empty formula")
    _check_braces(latex)
    try:
        mathml = convert(latex, display="block" if display else "inline")
    except Exception as exc:  # the converter's own reason, whatever its type
        raise MathError(f"cannot convert the formula: {exc}") from exc
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:  # the converter passes a stray & (or another XML character) through unescaped
        entity = re.search(r"&#?\w+;", latex)
        if entity:
            raise MathError(f"{entity.group()} is HTML, not LaTeX: write the character itself or its LaTeX "
                            "command (\\lt, \\&)") from None
        bare = "a bare & outside a matrix or an aligned environment (write \\& for an ampersand)"
        raise MathError(bare if "&" in latex else "the converter made no well-formed MathML of it") from None
    for el in root.iter():
        name = el.tag.removeprefix(_NS)
        if name == "mi" and el.text and (m := _UNKNOWN.fullmatch(el.text)):
            raise MathError(f"unknown command {m.group(0)}")
        want = _ARITY.get(name)
        if want is not None and len(el) != want:
            raise MathError(f"{name.removeprefix('m')} needs {want} arguments, got {len(el)}")
    root.set("alttext", latex)
    ET.register_namespace("", _NS[1:-1])
    return ET.tostring(root, encoding="unicode")
