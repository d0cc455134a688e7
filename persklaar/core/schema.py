"""The file formats under `content/`, as pydantic schemas (see docs/content-format.md).

The YAML loader hands over plain text for every scalar; pydantic (lax mode) turns
"9" into 9 and "2024-02-15" into a date where the schema asks for them, and leaves
text as text. Unknown keys are errors (`extra="forbid"`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from ..errors import Diagnostics
from .standards import DEFAULT as DEFAULT_PDF_STANDARD
from .standards import PdfStandard
from .yamlsrc import Positions

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=200_000)]
Kind = Literal["article", "video", "podcast", "book", "website", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublicationFile(_Strict):
    title: Text
    subtitle: str = ""
    authors: list[Text] = Field(min_length=1)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    date: dt.date
    identifier: Text
    licence: Text
    edition: str = "1"
    description: str = ""
    keywords: list[Text] = []
    reading_speed: int = Field(220, ge=60, le=1000, description="words per minute")
    short_max_minutes: int = Field(10, ge=1, le=600)
    pdf_standard: PdfStandard = DEFAULT_PDF_STANDARD


class ChapterFrontMatter(_Strict):
    title: Text
    part: Text | None = None


class ResourceFile(_Strict):
    title: Text
    url: Text
    kind: Kind = "article"
    minutes: int = Field(ge=0, le=6000)


class SectionFile(_Strict):
    number: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]
    title: Text
    intro: LongText = ""
    resources: list[ResourceFile] = []


class ModuleFile(_Strict):
    number: int = Field(ge=0, le=999)
    title: Text
    icon: str = ""
    summary: str = ""
    date: dt.date | None = None
    authors: list[Text] = []
    tags: list[Text] = []
    sections: list[SectionFile] = Field(min_length=1)


class ColumnFile(_Strict):
    key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$")]
    label: Text
    type: Literal["text", "number"] = "text"
    unit: str = ""


class DataTableFile(_Strict):
    title: Text
    caption: str = ""
    source: str = ""
    columns: list[ColumnFile] = Field(min_length=1)
    rows: list[dict[str, str | None]] = Field(min_length=1)
    chart: list[str] = []


def validate(schema: type[BaseModel], data: Any, pos: Positions, diags: Diagnostics):
    """Validate `data`; report every schema error at its file:line:col. None if invalid."""
    if not isinstance(data, dict):
        diags.error(pos.of(()), "expected a mapping of keys to values")
        return None
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            _report(error, pos, diags)
        return None


def _report(error: ErrorDetails, pos: Positions, diags: Diagnostics) -> None:
    loc = tuple(error["loc"])
    kind = error["type"]
    field = ".".join(str(p) for p in loc) or "(document)"
    if kind == "extra_forbidden":
        diags.error(pos.of(loc, key=True), f"unknown key {loc[-1]!r}")
    elif kind == "missing":
        inside = f" in {'.'.join(str(p) for p in loc[:-1])}" if len(loc) > 1 else ""
        diags.error(pos.of(loc), f"missing required key {loc[-1]!r}{inside}")
    else:
        value = error.get("input")
        shown = f" (got {value!r})" if isinstance(value, (str, int, float)) else ""
        diags.error(pos.of(loc), f"{field}: {error['msg']}{shown}")
