"""Schema errors in the author's words, at the author's positions.

pydantic speaks of `sections.0.resources.1.minutes: Input should be a valid integer,
unable to parse string as an integer`; an author wrote the second resource of the
first section. Every error here names the place as the author counts
(`sections[1].resources[2].minutes`), says what was expected in plain words, and an
unknown key names the keys that are allowed there and the closest one.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..errors import Diagnostics
from .yamlsrc import Positions

# What a field holds, for messages: "expected a whole number of minutes".
NOUNS = {"minutes": "minutes", "reading_speed": "words per minute", "short_max_minutes": "minutes",
         "number": "", "edition": ""}
PATTERNS = {
    "language": "expected a language code such as nl, en, de or fr (BCP 47)",
    "number": 'expected a section number such as "8" or "8.1" (in quotes)',
    "key": "expected a column key: letters, digits, - and _, starting with a letter",
}


def validate(schema: type[BaseModel], data: Any, pos: Positions, diags: Diagnostics):
    """Validate `data`; report every schema error at its file:line:col. None if invalid."""
    if not isinstance(data, dict):
        diags.error(pos.of(()), "expected a mapping of keys to values (`key: value` lines)")
        return None
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        for error in _relevant(exc.errors(), data):
            _report(schema, error, data, pos, diags)
        return None


def _relevant(errors: list[ErrorDetails], data: Any) -> list[ErrorDetails]:
    """Errors without pydantic's union branches: for a value that may be text or a mapping,
    only the errors of the branch the author chose (the one matching the value's shape)."""
    out = []
    for error in errors:
        loc = list(error["loc"])
        branch = next((i for i, part in enumerate(loc) if isinstance(part, str) and part[:1].isupper()
                       or part in ("str", "int", "bool")), None)
        if branch is not None:
            value = _at(data, loc[:branch])
            chose_text = isinstance(value, str)
            if (loc[branch] == "str") != chose_text:
                continue
            error = {**error, "loc": tuple(loc[:branch] + loc[branch + 1:])}
        out.append(error)
    return list({(e["loc"], e["type"]): e for e in out}.values())


def _at(data: Any, loc: list) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def where(loc: tuple) -> str:
    """`sections[1].resources[2].minutes`: 1-based, as an author counts."""
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the document)"


def _report(schema: type[BaseModel], error: ErrorDetails, data: Any, pos: Positions, diags: Diagnostics) -> None:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        diags.error(pos.of(loc, key=True), _unknown_key(schema, loc))
    elif kind == "missing":
        inside = f" in {where(loc[:-1])}" if len(loc) > 1 else ""
        diags.error(pos.of(loc), f"missing required key {loc[-1]!r}{inside}")
    else:
        diags.error(pos.of(loc), f"{where(loc)}: {_expected(error, loc)}")


def _expected(error: ErrorDetails, loc: tuple) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    noun = NOUNS.get(name, "")
    got = f", got {value!r}" if isinstance(value, (str, int, float)) else ""
    plain = {
        "int_parsing": f"expected a whole number{' of ' + noun if noun else ''}{got}",
        "int_type": f"expected a whole number{' of ' + noun if noun else ''}{got}",
        "int_from_float": f"expected a whole number{' of ' + noun if noun else ''}{got}",
        "bool_parsing": f"expected true or false{got}",
        "string_type": f"expected text{', not a list or mapping' if isinstance(value, (list, dict)) else got}",
        "list_type": "expected a list (lines starting with `- `, or [a, b])",
        "dict_type": "expected a mapping of keys to values",
        "model_type": "expected a mapping of keys to values",
        "date_from_datetime_parsing": f"expected a date as YYYY-MM-DD{got}",
        "date_parsing": f"expected a date as YYYY-MM-DD{got}",
        "date_from_datetime_inexact": f"expected a date as YYYY-MM-DD{got}",
        "greater_than_equal": f"must be at least {ctx.get('ge')}{got}",
        "less_than_equal": f"must be at most {ctx.get('le')}{got}",
        "string_too_short": "must not be empty",
        "too_short": f"needs at least {ctx.get('min_length', 1)} item(s)",
        "string_too_long": f"is longer than {ctx.get('max_length')} characters",
        "literal_error": f"expected one of {ctx.get('expected', '')}{got}",
        "string_pattern_mismatch": f"{PATTERNS.get(name, 'has the wrong form')}{got}",
        "value_error": str(ctx.get("error", error["msg"])),
    }
    return plain.get(kind, f"{error['msg']}{got}")


def _unknown_key(schema: type[BaseModel], loc: tuple) -> str:
    known = _fields_at(schema, loc[:-1])
    key = str(loc[-1])
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    inside = f" in {where(loc[:-1])}" if len(loc) > 1 else ""
    return f"unknown key {key!r}{inside}{hint} (known keys: {', '.join(known)})"


def _fields_at(schema: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed at `loc` inside `schema`."""
    model: Any = schema
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside `X`, `X | None`, `list[X]` (None for plain values)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
