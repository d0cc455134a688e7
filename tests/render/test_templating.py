"""A publication's templates run in a box: bounded in time, size and depth, and a failure
is a ContentError at the template's own line (the corpus in tests/cli/test_bad_inputs.py
runs the same cases through check and a build)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from persklaar.core import load as content
from persklaar.errors import ContentError
from persklaar.render import sandbox, templating
from persklaar.render.sandbox import TemplateTimeout, deadline


@pytest.fixture
def pub(mini: Path):
    (mini / "templates/test").mkdir(parents=True)
    publication, _ = content.load(mini)
    return publication


def rendered(pub, text: str, **context) -> str:
    (pub.root / "templates/test/page.html").write_text(text, "utf-8")
    templating.environment.cache_clear()  # the file changed: a fresh loader
    return templating.render(pub, "test/page.html", **context)


def failure(pub, text: str, **context) -> str:
    with pytest.raises(ContentError) as caught:
        rendered(pub, text, **context)
    [diagnostic] = caught.value.diagnostics
    return str(diagnostic)


def test_ordinary_templates_render_as_before(pub):
    text = rendered(pub, "{{ 'ab' * 3 }} {{ [1, 2] | join(',') }} {{ 1 ~ 2 }} {{ 2 ** 10 }} {{ '%05d' % 42 }} "
                         "{% for i in range(3) %}{{ i }}{% endfor %} {{ 'x' | center(5) }}|{{ 'a b' | wordcount }} "
                         "{{ '-'.join(['a', 'b']) }} {{ 'a.b'.replace('.', '/') }} {{ '{0}{0}'.format('z') }} "
                         "{{ range(3) | map('string') | join('+') }} {{ 'a\nb' | indent(2) }} "
                         "{{ big | safe | length }}",
                    big="x" * 3_000_000)
    assert text == "ababab 1,2 12 1024 00042 012   x  |2 a-b a/b zz 0+1+2 a\n  b 3000000"


@pytest.mark.parametrize(("text", "line", "message"), [
    ('a\n{% include "test/page.html" %}', 2, "includes, extends or calls itself without end"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}", 1, "calls nest more than 100 deep"),
    ("\n\n{% for i in range(100001) %}{% endfor %}", 3, "range() of 100,001 numbers is too long"),
    ("{{ 'x' * 1000001 }}", 1, "a str repeated 1,000,001 times is too large"),
    ("{{ [0] * 10**7 }}", 1, "a list repeated 10,000,000 times"),
    ("{{ 2 ** 100000 }}", 1, "2 ** 100000 is too large a number"),
    ("{{ '%2000000d' % 1 }}", 1, "a %-format width of 2000000"),
    ("{{ '%2000000d' | format(1) }}", 1, "a %-format width of 2000000"),
    ("{{ 'x'.ljust(10**9) }}", 1, "ljust(1000000000): the number is too large"),
    ("{{ [1, 2] | batch(10**9, 0) | list }}", 1, "batch(1000000000"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", 1,
     "a value is too large for a template"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(30) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", 1,
     "a value is too large for a template"),
    ("{{ ('x' * 10**6).replace('', 'y' * 10**6) }}", 1, "the result of replace() is too large"),
    ("{{ ('y' * 10**6).join('x' * 10**6) }}", 1, "the result of join() is too large"),
    ("{{ ('x' * 10**6) | list | join('y' * 10**6) }}", 1, "the result of join() is too large"),
    ("{{ ('{0}' * 10**5).format('y' * 10**6) }}", 1, "the result of format() is too large"),
    ("{{ ('\\n' * 10**6) | indent('y' * 10**6) }}", 1, "the result of indent() is too large"),
    ("ok\n{{ 1 // 0 }}", 2, "ZeroDivisionError: integer division or modulo by zero"),
    ("{{ 'abc'.index('z') }}", 1, "ValueError: substring not found"),
    ("{{ ''.__class__.__mro__ }}", 1, "access to attribute '__class__' of 'str' object is unsafe"),
    ("{{ lipsum(10**6) }}", 1, "'lipsum' is undefined"),
    ("<p>\n{% if %}", 2, "Expected an expression"),
])
def test_a_hostile_template_is_an_error_at_its_line(pub, text: str, line: int, message: str):
    found = failure(pub, text)
    assert found.startswith(f"templates/test/page.html:{line}:1: template: "), found
    assert message in found


def test_a_runaway_loop_ends_at_the_deadline_at_its_line(pub, monkeypatch):
    monkeypatch.setenv("PERSKLAAR_TEMPLATE_SECONDS", "0.5")
    started = time.perf_counter()
    found = failure(pub, "a\nb\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}")
    assert time.perf_counter() - started < 5  # unbounded: 10**10 iterations, hours
    assert found == "templates/test/page.html:3:1: template: still running after 0.5 s (a loop without end?)"


def test_a_huge_output_is_refused(pub, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_OUTPUT", 10_000)
    found = failure(pub, "{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}")
    assert "writes more than 10,000 characters" in found


def test_a_bug_in_our_own_code_stays_a_bug(pub):
    """An exception raised by our Python code that a template calls is not the author's fault."""
    def broken() -> None:
        raise ValueError("our bug")

    with pytest.raises(ValueError, match="our bug"):
        rendered(pub, "{{ broken() }}", broken=broken)


def test_a_late_deadline_never_fires_outside_its_block():
    """The watchdog's exception is raised inside the `with` block or not at all, even when the
    block ends just as the timer fires (it is cleared on the way out)."""
    escaped = 0
    for attempt in range(200):
        limit = 0.0005 + (attempt % 10) * 0.0001
        try:
            try:
                with deadline(limit):
                    sum(range(2_000 + attempt * 10))
            except TemplateTimeout:
                pass
            for _ in range(2_000):  # code after the block: a stray async exception would land here
                pass
        except TemplateTimeout:
            escaped += 1
    assert escaped == 0
    assert threading.active_count() < 10  # every timer thread ended


def test_a_deadline_interrupts_a_pure_python_loop():
    started = time.perf_counter()
    with pytest.raises(TemplateTimeout), deadline(0.2):
        while True:
            pass
    assert time.perf_counter() - started < 2
