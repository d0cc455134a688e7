"""The output protocol's data: a job and the options every output sees."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of work for the process pool: an output (and a key within it)."""

    output: str
    key: str
    targets: tuple[str, ...]
    label: str = ""
    weight: int = 1  # a rough cost, so the heaviest job starts first

    @property
    def id(self) -> str:
        return f"{self.output}:{self.key}" if self.key else self.output


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Options every output sees."""

    keep_html: bool = False
    source_date_epoch: int | None = None
    extra: dict = field(default_factory=dict)
