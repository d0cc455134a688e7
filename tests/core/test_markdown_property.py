"""Property test (issue 8): whatever an author types, Markdown gives a ContentError or safe XHTML.

Hypothesis builds texts from Markdown syntax, hostile HTML (`<script>`, `<iframe>`,
`on*=` attributes), links of every scheme, entities, control characters, unicode and
deep nesting, and sends each one down the path a file's text takes: `sources.decode`
(encoding, control characters), `markdown.parse` (what the loader parses and reports),
`refs.resolve` (internal anchors), then the renderer. Every outcome must be one of:

- a ContentError whose positions lie inside the text, or
- a fragment that parses as XHTML and holds only allowed elements and attributes:
  no `on*`, no `style` but table alignment, `href` only http/https/mailto/#anchor,
  `src` only a relative path to an existing image.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persklaar.core import load as content
from persklaar.core import markdown, refs, sources
from persklaar.core.bodies import read_body
from persklaar.core.model import Chapter, Target
from persklaar.core.resolve import Resolver
from persklaar.errors import ContentError, Diagnostics, SourceLocation
from persklaar.render.html import HtmlRenderer, Page
from support import PROJECTS

NS = "{http://www.w3.org/1999/xhtml}"
SHOWN = "content/essay/01-proef.md"
BODY_LINE = 5  # as if after four lines of front matter

ALLOWED_ELEMENTS = {
    "div", "p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "hr", "br", "img", "sup", "del", "s", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tr", "th", "td",
    "aside", "span", "dl", "dt", "dd",  # footnotes; code, task boxes; definition lists
    "sub", "mark", "small", "kbd", "abbr",  # Pandoc's ~sub~ and ==mark==; the inline tags allowed
}
MATHML = "{http://www.w3.org/1998/Math/MathML}"  # $…$: the converter's elements, with no active attribute
ALLOWED_ATTRIBUTES = {"href", "src", "alt", "id", "class", "title", "style", "scope", "start", "role", "aria-label",
                      "{http://www.idpf.org/2007/ops}type"}
ALIGN_STYLE = re.compile(r"text-align:(left|right|center)")

ATOMS = [
    # Markdown syntax
    "*", "**", "_", "__", "`", "```", "~~", "> ", "- ", "* ", "1. ", "3) ", "# ", "## ", "### ", "#### ",
    "---", "***", "|", "| a | b |\n|---|:-:|\n| c | d |\n", "\n", "\n\n", "  \n", "    ", "\\", "[", "]", "(", ")",
    "![", "<", ">", "&", "\t",
    # raw HTML
    "<script>alert(1)</script>", "<iframe src=x></iframe>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "<div onclick=x>", "</div>", "<!-- c -->", "<![CDATA[x]]>",
    "<?php echo 1 ?>", "</p>", "<br>", "<style>p{}</style>", "<svg onload=alert(1)>", "<object data=x>",
    '<span class="material-symbols-outlined">hourglass</span>', "<b>", "<x-y z=1>",
    # links and images
    "[a](http://example.org/)", "[a](https://example.org/x?y=1&z=2 \"t\")", "[a](mailto:x@example.org)",
    "[a](#anker)", "[a](javascript:alert(1))", "[a](JAVASCRIPT:x)", "[a](java&#115;cript:x)",
    "[a](data:text/html,x)", "[a](file:///etc/passwd)", "[a](vbscript:x)", "[a](//evil.example/)",
    "[a](http://[::1)", "[a](https://example.org:99999/)", "[a](<javascript:x>)", "[a][r]",
    "\n\n[r]: javascript:alert(1)\n", "\n\n[r]: https://example.org/r\n", "<http://example.org>",
    "<javascript:alert(1)>", "<mailto:x@example.org>", "https://example.org/bare", "x@example.org",
    "![foto](foto.png)", "![](foto.png)", "![x](../geheim.png)", "![x](%2e%2e/geheim.png)",
    "![x](/etc/passwd)", "![x](http://example.org/x.png)", '![x "y"](foto.png "titel")',
    "![x](data:image/png;base64,AAAA)", "[![foto](foto.png)](https://example.org/)",
    # entities, typography, unicode, control characters
    "&amp;", "&lt;", "&#x27;", "&#0;", "&#x110000;", "&nbsp;", "&bogus;", "&#1;", '"quotes"', "'s",
    "--", "...", "(c)", "é", "ë", "日本", "🔮", "\u202e", "\u200b", "\ufeff", "\x00", "\x0b", "\x1b",
    "\ufffe", "Ã«", "word", "Tekst met woorden. ", "{{ 7*7 }}", '" onmouseover="x', "]]>",
    # fences
    "```table\nlanden\n```\n", "```table\nbestaat-niet\n```\n", "```python\n<b>code</b> & x\n```\n",
]

fragments = st.lists(st.one_of(st.sampled_from(ATOMS), st.text(max_size=6)), max_size=40).map("".join)
nested = st.builds(lambda prefix, depth, inner: prefix * depth + inner,
                   st.sampled_from(["> ", "- ", "  - ", "1. ", "**", "_"]), st.integers(0, 60), fragments)
texts = st.one_of(fragments, nested)


class Renderer(HtmlRenderer):
    """An output of its own: references lead to anchors on the page."""

    def render_target(self, target: Target, page: Page) -> str:
        return f"#{target.anchor or 'top'}"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """A publication folder with one image under content/, and the mini project's table."""
    from PIL import Image

    root = tmp_path_factory.mktemp("property")
    (root / "content/essay").mkdir(parents=True)
    Image.new("RGB", (4, 3), "grey").save(root / "content/essay/foto.png")
    pub, _ = content.load(PROJECTS / "mini")
    assert pub.table("landen") is not None
    return {"resolver": Resolver(root), "renderer": Renderer(pub)}


def outcome(text: str, world: dict) -> tuple[str, object]:
    """("error", ContentError) or ("html", fragment): the path a file's text takes."""
    try:
        decoded = sources.decode(text.encode("utf-8", "surrogatepass"), SHOWN)
    except ContentError as exc:
        return "error", exc
    diags = Diagnostics()
    scope = markdown.Scope("01-proef", 1, set(), frozenset({"landen"}),
                           lambda src: world["resolver"].image(src, "content/essay"))
    body, _ = read_body(decoded, SourceLocation(SHOWN, BODY_LINE, 1), scope, diags)
    if not diags.errors:
        refs.resolve((Chapter("01-proef", "Proef", None, body, 0, body.source),), (), diags)
    if diags.errors:
        return "error", ContentError(diags.errors)
    for number, (token, _, _) in enumerate(markdown.links_in(body), start=1):
        token.meta["link"] = number
    markdown.plain_text(body)  # the loader reads this too: no crash
    return "html", world["renderer"].render_body(body, Page())


def assert_positions_inside(error: ContentError, text: str) -> None:
    last = BODY_LINE + text.count("\n") + text.count("\r")
    for d in error.diagnostics:
        assert d.where.path == SHOWN and 1 <= d.where.line <= last and d.where.col >= 1, str(d)


def assert_safe_xhtml(fragment: str) -> None:
    root = ElementTree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
                                  f"{fragment}</div>")
    for element in root.iter():
        if element.tag.startswith(MATHML):
            assert not any(name.lower().startswith("on") or "href" in name or name in ("src", "style")
                           for name in element.attrib), element.attrib
            continue
        assert element.tag.startswith(NS), element.tag
        assert element.tag[len(NS):] in ALLOWED_ELEMENTS, element.tag
        for name, value in element.attrib.items():
            assert name in ALLOWED_ATTRIBUTES, (element.tag, name)
            if name == "style":
                assert ALIGN_STYLE.fullmatch(value), value
            elif name == "href":
                assert value.startswith("#") or urlsplit(value).scheme in markdown.ALLOWED_SCHEMES, value
            elif name == "src":
                assert value == "content/essay/foto.png", value  # the one image (nothing else passes)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_markdown_is_an_error_or_safe_xhtml(text: str, world: dict):
    kind, result = outcome(text, world)
    if kind == "error":
        assert_positions_inside(result, text)  # type: ignore[arg-type]
    else:
        assert_safe_xhtml(result)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the oracle itself


@pytest.mark.parametrize("fragment", [
    "<script>x</script>", '<p onclick="x">a</p>', '<a href="javascript:x">a</a>', '<img src="/etc/passwd"/>',
    '<p style="background:url(x)">a</p>', "<iframe></iframe>", "<p>unclosed",
])
def test_the_oracle_rejects_unsafe_fragments(fragment: str):
    """The checks above can fail: each of these must be rejected."""
    with pytest.raises((AssertionError, ElementTree.ParseError)):
        assert_safe_xhtml(fragment)


@pytest.mark.parametrize("text, kind", [
    ("Een [link](https://example.org/) en ![foto](foto.png).\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n", "html"),
    ("<b>vet</b>\n", "error"),
    ("[x](javascript:alert(1))\n", "error"),
    ("> " * 60 + "diep\n", "error"),
    ("a\x0bb\n", "error"),
])
def test_known_texts(text: str, kind: str, world: dict):
    """Examples on both sides of the line, so the property is not vacuous."""
    found, result = outcome(text, world)
    assert found == kind, result
    if kind == "html":
        assert_safe_xhtml(result)  # type: ignore[arg-type]
        assert 'src="content/essay/foto.png"' in result and 'href="https://example.org/"' in result
        assert 'style="text-align:left"' in result
