"""The registry of outputs (Pandoc's writers table): the only place outputs are listed.

The CLI's choices and help, the default set and the pipeline's plan all come from
`REGISTRY`; adding an output is one folder under `outputs/` and one line here (or a
`REGISTRY.register(...)` call from anywhere, as the tests do).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import UsageError
from .base import KEPT_HTML, BuildOptions, Job, Output
from .booklet import Booklet
from .epub import Epub
from .handouts import Handouts
from .web import Web

__all__ = ["KEPT_HTML", "REGISTRY", "BuildOptions", "Job", "Output", "Registry"]


class Registry:
    """Outputs by name, in the order they were registered."""

    def __init__(self, outputs: list[Output]) -> None:
        self._outputs = {output.name: output for output in outputs}

    def __iter__(self) -> Iterator[Output]:
        return iter(self._outputs.values())

    def names(self) -> tuple[str, ...]:
        return tuple(self._outputs)

    def defaults(self) -> tuple[str, ...]:
        return tuple(o.name for o in self if o.default)

    def get(self, name: str) -> Output:
        if name not in self._outputs:
            raise UsageError(f"unknown output {name!r} (choose from {', '.join(self.names())})")
        return self._outputs[name]

    def register(self, output: Output) -> None:
        self._outputs[output.name] = output

    def unregister(self, name: str) -> None:
        self._outputs.pop(name, None)


REGISTRY = Registry([Booklet(), Epub(), Handouts(), Web()])
