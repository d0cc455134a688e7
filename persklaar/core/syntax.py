"""The Markdown that authors bring from GitHub, Pandoc and Quarto, added to the parser.

    H~2~O, m^2^           sub- and superscript (Pandoc; mdit_py_plugins sub/sup)
    ==marked==            highlight (Pandoc `mark`, Obsidian)
    ![a](b.png){width=50%}, [text]{.class}, [a](b){.class}
                          attributes (Pandoc/markdown-it `attrs`)
    ## Heading {#id .class}
                          heading attributes (Pandoc, Quarto)
    > [!NOTE]             GitHub alerts (markdown-it-py's own `alerts` option)
    ::: {.callout-tip title="…"} … :::   Quarto callouts; `::: name` … `:::` fenced divs
    $x^2$, $$\\sum_i x_i$$, $$ … $$ {#eq-id}
                          TeX math, with Pandoc's rule for money: the opening `$` has no space
                          after it, the closing `$` none before it and no digit after it
                          (`$5 and $10` stays text); display math numbered by Quarto's
                          `{#eq-…}` (mdit_py_plugins dollarmath, our display block)
    : Caption {#tbl-id}   a pipe table's caption, on the line or paragraph after it (Quarto, Pandoc)
    @fig-id, @tbl-id, @eq-id   cross-references (Quarto): `xref` tokens (`at_reference`: not in me@fig-x.nl)

Everything here only *parses*; what an author may write in an attribute, which raw
HTML passes and what becomes a callout is decided in `core.attributes` and
`core.checks`, with positions.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token

CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")
_HEADING_ATTRS = re.compile(r"[ \t]*(\{[^{}]*\})[ \t]*$")
_BRACES = re.compile(r"\{([^{}\n]*)\}")
_ITEM = re.compile(r"""\s*(?:#([\w:.-]+)|\.([\w-]+)|([A-Za-z][\w:-]*)=(?:"([^"]*)"|'([^']*)'|([^\s"'{}]+)))""")
_ATTRS_AFTER = ("image", "link_close", "span_close", "code_inline")
MATH_TOKENS = {"math_inline": False, "math_inline_double": True, "math_block": True}  # type → display
_MATH_CLOSE = re.compile(r"\$\$[ \t]*(\{[^{}\n]*\})?[ \t]*$")
_MATH_ATTRS = re.compile(r"^[ \t]*(\{[^{}\n]*\})")
XREF_PREFIXES = ("fig", "tbl", "eq")  # Quarto's kinds of numbered element; core.xrefs numbers each
_XREF = re.compile(r"@((?:" + "|".join(XREF_PREFIXES) + r")-[A-Za-z0-9_-]*[A-Za-z0-9_])")
_NOT_BEFORE_AT = "[-_.+@/\\"  # nor a letter or digit: `me@x.nl`, `a/@b`, `\@` start no reference
_CAPTION = re.compile(r"^:[ \t]+")


def parse_attrs(text: str) -> dict[str, str] | None:
    """`{#id .a .b key=value key="v w"}` → {"id": …, "class": "a b", "key": …}, as Pandoc
    reads them (unquoted values may hold `%`: `width=50%`); None if it is not that."""
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")):
        return None
    inner, pos, attrs = inner[1:-1], 0, {}
    classes = []
    while pos < len(inner.rstrip()):
        item = _ITEM.match(inner, pos)
        if item is None:
            return None
        pos = item.end()
        ident, cls, key = item.group(1), item.group(2), item.group(3)
        if ident:
            attrs["id"] = ident
        elif cls:
            classes.append(cls)
        else:
            attrs[key] = next(v for v in item.group(4, 5, 6) if v is not None)
    if classes:
        attrs["class"] = " ".join([*attrs.get("class", "").split(), *classes])
    return attrs


def extend(md: MarkdownIt) -> None:
    """Add sub/sup, highlight, attributes, alerts and fenced divs to `md`."""
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.subscript import sub_plugin
    from mdit_py_plugins.superscript import superscript_plugin

    md.options["alerts"] = True
    md.use(sub_plugin).use(superscript_plugin)
    md.inline.ruler.before("emphasis", "mark", _mark)
    md.inline.ruler2.before("emphasis", "mark", _mark_pairs)
    md.use(attrs_plugin, spans=True, after=())
    md.inline.ruler.push("attrs_after", _attrs_after)
    md.use(container_plugin, name="div", validate=lambda params, *args: True)
    md.core.ruler.push("heading_attrs", _heading_attrs)
    md.core.ruler.push("callouts", _callouts)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True, allow_labels=False,
           allow_blank_lines=False)
    md.block.ruler.at("math_block", _math_block)
    md.core.ruler.push("math_attrs", _math_attrs)
    md.inline.ruler.before("emphasis", "xref", _xref)
    md.core.ruler.push("caption_rows", _caption_rows)
    md.core.ruler.push("table_captions", _table_captions)


# ---------------------------------------------------------------- ==mark==


def _mark(state: StateInline, silent: bool) -> bool:
    """`==x==`: delimiters paired like strikethrough's `~~` (markdown-it-mark's rule)."""
    start = state.pos
    if silent or state.src[start] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    for _ in range(0, length, 2):
        state.push("text", "", 0).content = "=="
        state.delimiters.append(_delimiter(state, scanned))
    state.pos += scanned.length
    return True


def _delimiter(state: StateInline, scanned) -> Delimiter:
    return Delimiter(marker=ord("="), length=0, token=len(state.tokens) - 1, end=-1,
                     open=scanned.can_open, close=scanned.can_close)


def _mark_pairs(state: StateInline) -> None:
    for delimiters in [state.delimiters] + [m.get("delimiters", []) for m in state.tokens_meta if m]:
        _pair_marks(state, delimiters)


def _pair_marks(state: StateInline, delimiters: list) -> None:
    for start in delimiters:
        if start.marker != ord("=") or start.end == -1:
            continue
        end = delimiters[start.end]
        opener = state.tokens[start.token]
        opener.type, opener.tag, opener.nesting, opener.markup, opener.content = "mark_open", "mark", 1, "==", ""
        closer = state.tokens[end.token]
        closer.type, closer.tag, closer.nesting, closer.markup, closer.content = "mark_close", "mark", -1, "==", ""


# ---------------------------------------------------------------- {attributes}


def _attrs_after(state: StateInline, silent: bool) -> bool:
    """`{…}` straight after an image, link, span or code: its attributes (in `meta["attrs"]`,
    merged; checked and turned into HTML attributes by `core.attributes`)."""
    if state.pending or not state.tokens or state.tokens[-1].type not in _ATTRS_AFTER:
        return False
    match = _BRACES.match(state.src, state.pos)
    attrs = parse_attrs(match.group()) if match else None
    if match is None or attrs is None:
        return False
    if not silent:
        token = state.tokens[-1]
        if token.type in ("link_close", "span_close"):
            token = _open_of(state.tokens)
        token.meta.setdefault("attrs", {}).update(attrs)
    state.pos = match.end()
    return True


def _open_of(tokens: list[Token]) -> Token:
    level = 0
    for token in reversed(tokens):
        level += token.nesting
        if level == 0:
            return token
    return tokens[-1]


# ---------------------------------------------------------------- heading {#id .class}


def _heading_attrs(state: StateCore) -> None:
    """`## Heading {#id .class}`: the trailing braces become the heading's attributes."""
    tokens = state.tokens
    for index, token in enumerate(tokens[:-1]):
        inline = tokens[index + 1]
        if token.type != "heading_open" or not inline.children or inline.children[-1].type != "text":
            continue
        last = inline.children[-1]
        match = _HEADING_ATTRS.search(last.content)
        if match is None:
            continue
        attrs = parse_attrs(match.group(1))
        if attrs is None:
            continue
        token.meta["attrs"] = attrs
        last.content = last.content[: match.start()]
        inline.content = _HEADING_ATTRS.sub("", inline.content)


# ---------------------------------------------------------------- callouts


def _callouts(state: StateCore) -> None:
    """GitHub alerts and Quarto `.callout-*` divs become `callout_open`/`callout_close`
    tokens with `meta["kind"]` (and `meta["title"]`, when one is given)."""
    tokens = state.tokens
    out: list[Token] = []
    skip = 0
    for token in tokens:
        if skip:
            skip -= 1
            continue
        if token.type == "alert_open":
            token.type, token.tag = "callout_open", "aside"
            token.meta = {"kind": token.meta["kind"].lower(), "title": ""}
            token.attrs = {}
            skip = 3  # alert_title_open, inline, alert_title_close
        elif token.type == "alert_close":
            token.type, token.tag = "callout_close", "aside"
        elif token.type == "container_div_open":
            _fenced_div(token)
        elif token.type == "container_div_close":
            opener = _opener(out, token)
            if opener is not None and opener.type == "callout_open":
                token.type, token.tag = "callout_close", "aside"
        out.append(token)
    state.tokens[:] = out


def _fenced_div(token: Token) -> None:
    """`::: {.callout-warning title="…"}` or `::: name`: attributes and class from the info."""
    info = token.info.strip()
    attrs: dict[str, str] = {}
    if info.startswith("{"):
        parsed = parse_attrs(info)
        if parsed is None:
            token.meta["bad_attrs"] = info
        attrs = parsed or {}
    elif info:
        attrs = {"class": info.split()[0]}
    token.meta["attrs"] = attrs
    kinds = [c.removeprefix("callout-") for c in attrs.get("class", "").split() if c.startswith("callout-")]
    if kinds:
        token.type, token.tag = "callout_open", "aside"
        token.meta.update(kind=kinds[0], title=attrs.pop("title", ""))


def _opener(out: list[Token], closer: Token) -> Token | None:
    depth = 0
    for token in reversed(out):
        if token.type in ("container_div_close", "callout_close") and token.level == closer.level:
            depth += 1
        elif token.type in ("container_div_open", "callout_open") and token.level == closer.level:
            if depth == 0:
                return token
            depth -= 1
    return None


# ---------------------------------------------------------------- $math$


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`$$` … `$$` starting a block, over lines without a blank one; the closing `$$` ends
    its line, or carries Quarto's attributes (`$$ {#eq-energy}`). Anything else (`$$x$$ and
    more`) is display math inside a paragraph, as in Pandoc (the inline rule)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("$$", begin):
        return False
    parts, line, pos, close = [], start_line, begin + 2, None
    while line < end_line:
        text = state.src[pos: state.eMarks[line]]
        if line > start_line and (not text.strip() or state.sCount[line] < state.blkIndent):
            return False
        close = _MATH_CLOSE.search(text)
        if close is not None:
            parts.append(text[: close.start()])
            break
        parts.append(text)
        line += 1
        pos = state.bMarks[line] + state.tShift[line] if line < end_line else 0
    content = "\n".join(parts)
    if close is None or "$$" in content or not content.strip():
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block, token.content, token.markup, token.map = True, content, "$$", [start_line, line + 1]
    if close.group(1):
        _set_attrs(token, close.group(1))
    state.line = line + 1
    return True


def _set_attrs(token: Token, written: str) -> None:
    attrs = parse_attrs(written)
    if attrs is None:
        token.meta["bad_attrs"] = written
    token.meta["attrs"] = attrs or {}


def _math_attrs(state: StateCore) -> None:
    """`$$E = mc^2$$ {#eq-energy}` inside a paragraph: the braces are the formula's attributes."""
    for block in state.tokens:
        children = block.children or []
        for index, token in enumerate(children[:-1]):
            after = children[index + 1]
            if token.type != "math_inline_double" or after.type != "text":
                continue
            match = _MATH_ATTRS.match(after.content)
            if match is not None:
                _set_attrs(token, match.group(1))
                after.content = after.content[match.end():]


# ---------------------------------------------------------------- @fig-x, : Caption {#tbl-x}


def at_reference(src: str, pos: int) -> bool:
    """Whether `src[pos]` is an `@` that may start a reference or citation (`_NOT_BEFORE_AT`)."""
    before = src[pos - 1] if pos > 0 else " "
    return src[pos] == "@" and not before.isalnum() and before not in _NOT_BEFORE_AT


def _xref(state: StateInline, silent: bool) -> bool:
    """`@fig-growth`: a cross-reference token (`meta["id"]`), resolved and numbered by `core.xrefs`."""
    start = state.pos
    if not at_reference(state.src, start):
        return False
    match = _XREF.match(state.src, start)
    if match is None:
        return False
    if not silent:
        token = state.push("xref", "", 0)
        token.content = match.group()
        token.meta["id"] = match.group(1)
    state.pos = match.end()
    return True


def _caption_rows(state: StateCore) -> None:
    """`: Caption {#tbl-x}` on the line right under a table (no blank line between) is read by
    markdown-it as the table's last row: made the paragraph after the table again, as Pandoc
    reads it, for `_table_captions`."""
    tokens = state.tokens
    closes = [i for i, t in enumerate(tokens) if t.type == "table_close" and tokens[i - 1].type == "tbody_close"]
    for index in reversed(closes):  # from the last: a change never moves an earlier table
        row_open = next(i for i in range(index - 2, -1, -1) if tokens[i].type == "tr_open")
        cells = [t for t in tokens[row_open:index - 1] if t.type == "inline"]
        row_map = tokens[row_open].map
        line = state.src.split("\n")[row_map[0]] if row_map else ""
        if not (_CAPTION.match(line.lstrip()) and cells and cells[0].children and cells[0].children[0].type == "text"
                and _CAPTION.match(cells[0].children[0].content) and not any(c.content for c in cells[1:])):
            continue  # a row `| : x |` is a row
        caption = cells[0]
        body_open = next(i for i in range(row_open, -1, -1) if tokens[i].type == "tbody_open")
        level = tokens[index].level
        opener = Token("paragraph_open", "p", 1, map=caption.map, level=level, block=True)
        closer = Token("paragraph_close", "p", -1, level=level, block=True)
        caption.level = level + 1
        only_row = body_open == row_open - 1
        drop_from = body_open if only_row else row_open  # a caption alone under the head: no body left
        del tokens[drop_from:index - (0 if only_row else 1)]
        at = tokens.index(next(t for t in tokens[drop_from:] if t.type == "table_close"), drop_from)
        tokens[at + 1: at + 1] = [opener, caption, closer]


def _table_captions(state: StateCore) -> None:
    """A paragraph `: Caption {#tbl-x}` right after a pipe table is its caption: moved in after
    `table_open` as `table_caption_open`, inline, `table_caption_close`; the braces are the
    table's attributes (`meta["attrs"]` of `table_open`)."""
    tokens = state.tokens
    index = 0
    while index < len(tokens) - 3:
        close, opener, inline = tokens[index], tokens[index + 1], tokens[index + 2]
        if not (close.type == "table_close" and opener.type == "paragraph_open" and inline.children
                and inline.children[0].type == "text" and _CAPTION.match(inline.children[0].content)):
            index += 1
            continue
        first = inline.children[0]
        first.content = _CAPTION.sub("", first.content)
        start = _table_start(tokens, index)
        last = inline.children[-1]
        match = _HEADING_ATTRS.search(last.content) if last.type == "text" else None
        if match is not None and (attrs := parse_attrs(match.group(1))) is not None:
            tokens[start].meta["attrs"] = attrs
            last.content = last.content[: match.start()].rstrip()
        opener.type, opener.tag, opener.meta["caption"] = "table_caption_open", "caption", True
        tokens[index + 3].type, tokens[index + 3].tag = "table_caption_close", "caption"
        table_map, caption_map = tokens[start].map, opener.map
        if table_map and caption_map:  # the table's lines include its caption's (for positions)
            tokens[start].map = [table_map[0], caption_map[1]]
        tokens[start + 1: start + 1] = tokens[index + 1: index + 4]
        del tokens[index + 4: index + 7]
        index += 4


def _table_start(tokens: list[Token], close: int) -> int:
    for index in range(close, -1, -1):
        if tokens[index].type == "table_open" and tokens[index].level == tokens[close].level:
            return index
    return close
