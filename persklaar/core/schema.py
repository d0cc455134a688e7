"""The file formats under `content/`, as pydantic schemas (see docs/content-format.md).

The YAML loader hands over plain text for every scalar; pydantic (lax mode) turns
"9" into 9 and "2024-02-15" into a date where the schema asks for them, and leaves
text as text. Unknown keys are errors (`extra="forbid"`). `validate.py` reports the
errors in the author's words; `persklaar schema` prints these as JSON Schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .settings import SettingsFile
from .validate import validate

__all__ = ["ChapterFrontMatter", "DataTableFile", "Kind", "ModuleFile", "PublicationFile", "json_schemas", "validate"]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=200_000)]
Kind = Literal["article", "video", "podcast", "book", "website", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetaFile(_Strict):
    """The metadata part of publication.yaml."""

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


class PublicationFile(SettingsFile, MetaFile):
    """publication.yaml: the metadata, then the settings (settings.py)."""


class ChapterFrontMatter(_Strict):
    title: Text | None = None  # none: a leading `# Title` of the text is the title
    part: Text | None = None
    # the chapter's language when it is not the publication's (sets lang and dir in every output)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] | None = None


class ResourceFile(_Strict):
    title: Text
    url: Text
    kind: Kind = "article"
    minutes: int | None = Field(None, ge=0, le=6000)  # none: the length is not known


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


def json_schemas() -> dict[str, dict]:
    """JSON Schema of each content file kind, for editors (`persklaar schema`)."""
    kinds: dict[str, tuple[type[BaseModel], str]] = {"publication": (PublicationFile, "content/publication.yaml"),
             "module": (ModuleFile, "content/course/NN-slug.yaml: a course module"),
             "data": (DataTableFile, "content/data/ID.yaml: a data table")}
    out = {}
    for name, (model, title) in kinds.items():
        schema = model.model_json_schema()
        schema["title"] = title
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[name] = schema
    return out
