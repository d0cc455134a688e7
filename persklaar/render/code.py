"""Code blocks: syntax highlighting (Pygments' lexers, our own markup) and, on paper,
lines wrapped at the page's width with a visible continuation mark.

The highlighting uses a few classes (`k` keyword, `c` comment, `s` string, …, as
Pygments names its token types) that `styles/code.css` sets in weight, slant and dark
greys, so a listing stays legible printed in black and white. A line longer than the
text is wide is broken by us, not by the renderer: the break gets a mark (↳) at the
start of the continued line, hidden from screen readers, and nothing runs off the page.
"""

from __future__ import annotations

import html

from pygments.lexer import Lexer
from pygments.token import STANDARD_TYPES, _TokenType

CONTINUATION = "↳"  # U+21B3, from Noto Sans Math in the code font stack (↪ is drawn as an emoji)
# The classes code.css sets; other token types fall back to their parent's.
STYLED = frozenset({"k", "kc", "kd", "kn", "kt", "c", "c1", "cm", "cp", "s", "s1", "s2", "sd", "m", "mi", "mf",
                    "nf", "nc", "nb", "nt", "na", "o", "ow", "gh", "gu", "gd", "gi"})


def code_columns(text_width_mm: float, font_pt: float = 8.9) -> int:
    """How many characters of the monospace font (0.6 em wide) fit a line of code on a page
    whose text is `text_width_mm` wide (less the block's padding and the mark's room)."""
    return max(20, int((text_width_mm - 4) / (0.6 * font_pt * 25.4 / 72)))


def lexer_for(language: str) -> Lexer | None:
    """The Pygments lexer of an info string's language (`python`, `yaml`, …), or None."""
    if not language:
        return None
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def code_html(code: str, language: str = "", columns: int | None = None) -> str:
    """The inside of a `<pre><code>`: highlighted spans, lines wrapped at `columns` when given."""
    code = code.expandtabs(4)
    lexer = lexer_for(language)
    pieces = lexer.get_tokens(code) if lexer is not None else [(None, code)]
    out: list[str] = []
    column = 0
    for kind, text in pieces:
        cls = _class(kind) if kind is not None else ""
        for part, is_break in _split(text, column, columns):
            if is_break:
                out.append(f'\n<span class="cont" aria-hidden="true">{CONTINUATION}</span>')
                column = 2
                continue
            if part == "\n":
                out.append("\n")
                column = 0
                continue
            escaped = html.escape(part, quote=False)
            out.append(f'<span class="{cls}">{escaped}</span>' if cls else escaped)
            column += len(part)
    return "".join(out)


def _split(text: str, column: int, columns: int | None):
    """The text in pieces: runs of characters, newlines, and breaks where a line is full."""
    run: list[str] = []
    for char in text:
        if char == "\n":
            if run:
                yield "".join(run), False
                run = []
            yield "\n", False
            column = 0
            continue
        if columns is not None and column >= columns:
            if run:
                yield "".join(run), False
                run = []
            yield "", True
            column = 2
        run.append(char)
        column += 1
    if run:
        yield "".join(run), False


def _class(kind: _TokenType) -> str:
    while kind is not None:
        short = STANDARD_TYPES.get(kind, "")
        if short in STYLED:
            return short
        kind = kind.parent
    return ""
