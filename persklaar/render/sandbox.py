"""The box a publication's templates run in: no internals, no code, bounded time, size and depth.

Jinja's `SandboxedEnvironment` already refuses `''.__class__` and other internals. A template
can still run away without touching them: a loop of loops, `"x" * 10**10`, `9**9**9`, a
macro that calls itself, a template that includes itself. `Box` bounds each of these and
raises a `TemplateError` (reported at the template's line, like any template error):

- `range()` holds at most `MAX_RANGE` numbers;
- `*` repeats to at most `MAX_ARGUMENT` items, an integer argument of a filter or a string
  method is at most `MAX_ARGUMENT` (`center(10**9)`, `batch(10**9)`), a %-format width too;
  `replace`, `join`, `format` and `indent` are refused before they would make more than
  `MAX_VALUE` characters, and any value made by `+`, `~`, a filter or a call holds at most
  `MAX_VALUE` items (so doubling a string in a loop stops); `**` makes at most
  `MAX_POWER_BITS` bits;
- macro calls nest at most `MAX_DEPTH` deep (self-inclusion ends in RecursionError, which
  `templating.render` reports in the same words);
- one rendering takes at most `seconds()` of wall-clock time (`deadline`) and writes at most
  `MAX_OUTPUT` characters.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import threading
from collections.abc import Iterator
from typing import Any

from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_RANGE = 100_000
MAX_ARGUMENT = 1_000_000
MAX_VALUE = 20_000_000  # a whole booklet's HTML passes through `| safe`: far below this
MAX_POWER_BITS = 4096
MAX_DEPTH = 100
MAX_OUTPUT = 100_000_000
SECONDS = 20.0  # PERSKLAAR_TEMPLATE_SECONDS overrides it (the tests use a short one)

_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_SIZED_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "join", "replace", "splitlines"}
_GROWING = {"join", "replace", "format", "indent"}  # their result's size is estimated before they run


def seconds() -> float:
    try:
        return float(os.environ.get("PERSKLAAR_TEMPLATE_SECONDS", SECONDS))
    except ValueError:
        return SECONDS


class TemplateTimeout(BaseException):
    """Raised inside a rendering that outlived its deadline (a BaseException: no `except
    Exception` in code a template calls swallows it)."""


class _Generator(CodeGenerator):
    """`a ~ b` (Jinja's Concat) through `environment.joined`, so it is bounded like `+`."""

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.joined(")
        super().visit_Concat(node, frame)
        self.write(")")


def _too_big(what: str, limit: int = MAX_ARGUMENT) -> SecurityError:
    return SecurityError(f"{what} is too large for a template (at most {limit:,} items)")


def _sized(value: Any) -> Any:
    if isinstance(value, (str, bytes, list, tuple)) and len(value) > MAX_VALUE:
        raise _too_big("a value", MAX_VALUE)
    return value


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else len(str(value)) if value is not None else 0


def _estimate(name: str, receiver: Any, args: tuple, kwargs: dict) -> int:
    """An upper bound of the size of `receiver.name(*args)` (a string method, or a filter
    with `receiver` as its value), for the few that can multiply sizes; 0 for the others."""
    given = [*args, *kwargs.values()]
    if not isinstance(receiver, str) and name != "join":
        return 0
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(receiver, str):
        hits = receiver.count(args[0]) if args[0] else len(receiver) + 1
        return len(receiver) + hits * _length(args[1])
    if name == "join":
        items = args[0] if isinstance(receiver, str) and args else receiver
        if not isinstance(items, (str, list, tuple)):
            return 0  # a generator: counting would consume it; its result is checked after
        sep = receiver if isinstance(receiver, str) else next((a for a in given if isinstance(a, str)), "")
        return sum(_length(i) for i in items[:MAX_ARGUMENT]) + _length(sep) * max(len(items) - 1, 0)
    if name == "format":
        return len(receiver) + receiver.count("{") * max((_length(a) for a in given), default=0)
    if name == "indent":
        width = next((a for a in given if isinstance(a, (int, str)) and not isinstance(a, bool)), 4)
        return len(receiver) + (receiver.count("\n") + 1) * (width if isinstance(width, int) else len(width))
    return 0


def _growing(name: str, receiver: Any, args: tuple, kwargs: dict) -> None:
    if name in _GROWING and _estimate(name, receiver, args, kwargs) > MAX_VALUE:
        raise _too_big(f"the result of {name}()", MAX_VALUE)


def _capped_args(name: str, args: tuple, kwargs: dict) -> None:
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_ARGUMENT:
            raise SecurityError(f"{name}({arg}): the number is too large for a template (at most {MAX_ARGUMENT:,})")


def _check_format(fmt: str) -> None:
    for width, precision in _WIDTH.findall(fmt):
        for n in (width, precision):
            if n.isdigit() and int(n) > MAX_ARGUMENT:
                raise _too_big(f"a %-format width of {n}")


def safe_range(*args: int) -> Iterator[int]:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range() of {len(numbers):,} numbers is too long for a template (at most {MAX_RANGE:,})")
    return iter(numbers)


class Box(SandboxedEnvironment):
    """The sandbox with the bounds above (see the module's docstring)."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = safe_range
        self.globals.pop("lipsum", None)
        self._depth = threading.local()
        for name, func in list(self.filters.items()):
            self.filters[name] = _bounded_filter(name, func)

    def joined(self, value: Any) -> Any:
        return _sized(value)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_ARGUMENT:
                    raise _too_big(f"a {type(seq).__name__} repeated {n:,} times")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * math.log2(abs(left)) > MAX_POWER_BITS:
                raise SecurityError(f"{left} ** {right} is too large a number for a template")
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        return _sized(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        if isinstance(getattr(method, "__self__", None), str) and getattr(method, "__name__", "") in _SIZED_METHODS:
            _capped_args(method.__name__, args, kwargs)
            _growing(method.__name__, method.__self__, args, kwargs)
        depth = getattr(__self._depth, "n", 0)
        if depth >= MAX_DEPTH:
            raise SecurityError(f"calls nest more than {MAX_DEPTH} deep (a macro that calls itself without end?)")
        __self._depth.n = depth + 1
        try:
            return _sized(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))
        finally:
            __self._depth.n = depth


def _bounded_filter(name: str, func: Any) -> Any:
    import functools

    from jinja2.utils import _PassArg

    passes_first = _PassArg.from_obj(func) is not None

    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = args[1:] if passes_first else args
        _capped_args(name, tuple(values[1:]), kwargs)
        if name == "format" and values and isinstance(values[0], str):
            _check_format(values[0])
        elif values:
            _growing(name, values[0], tuple(values[1:]), kwargs)
        return _sized(func(*args, **kwargs))

    return bounded


def bounded_output(chunks: Iterator[str]) -> str:
    """Join a template's output, stopping at `MAX_OUTPUT` characters."""
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise SecurityError(f"the template writes more than {MAX_OUTPUT:,} characters")
        out.append(chunk)
    return "".join(out)


class deadline:  # noqa: N801 (a context manager, used as `with deadline(...)`)
    """Raise `TemplateTimeout` in this thread when the block runs longer than `limit` seconds.

    A watchdog timer sets an asynchronous exception on the rendering thread (CPython checks
    for it between bytecodes, so a pure-Python loop of a template stops at once). On the way
    out the timer is stopped and a pending exception that fired too late is cleared, so the
    exception never escapes the `with` block's caller (who catches `TemplateTimeout`)."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.thread = threading.get_ident()
        self.fired = False
        self.timer = threading.Timer(limit, self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), ctypes.py_object(TemplateTimeout))

    def __enter__(self) -> deadline:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.timer.join()
        if self.fired:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), None)
            if exc[0] is None:
                raise TemplateTimeout
