"""Errors and warnings that say where: every content problem carries path:line:col.

Expected problems (bad content, a failed render) are `PersklaarError`s and print as
one line each without a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A position in an author's file; lines and columns count from 1."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message about the content: an error (stops the build) or a warning."""

    where: SourceLocation
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.where}: {prefix}{self.message}"


class PersklaarError(Exception):
    """Base of all expected errors: printed without a traceback, exit code 1."""


class ContentError(PersklaarError):
    """One or more problems in the content; `diagnostics` holds every one found."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def at(cls, where: SourceLocation, message: str) -> ContentError:
        return cls([Diagnostic(where, message)])


class BuildError(PersklaarError):
    """An output could not be built (renderer failure, limit exceeded, bad output)."""


class UsageError(PersklaarError):
    """Bad command-line usage: exit code 2."""


class Diagnostics:
    """Collects problems so that all of them are reported at once (MkDocs' habit)."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, where: SourceLocation, message: str) -> None:
        self.items.append(Diagnostic(where, message, "error"))

    def warn(self, where: SourceLocation, message: str) -> None:
        self.items.append(Diagnostic(where, message, "warning"))

    def extend(self, other: Diagnostics | list[Diagnostic]) -> None:
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)

    def in_file(self, path: str) -> FileDiagnostics:
        """A view that takes line and column for one file (as the importer reads a page)."""
        return FileDiagnostics(self, path)

    def sorted(self) -> list[Diagnostic]:
        """Every item by position; items at one position keep the order they were found in."""
        return sorted(self.items, key=_order)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_errors(self, strict: bool = False) -> None:
        """Raise one ContentError holding every error; with `strict`, every warning is one too."""
        bad = [promoted(d) for d in self.items] if strict else self.errors
        if bad:
            raise ContentError(sorted(dict.fromkeys(bad), key=_order))


class FileDiagnostics:
    """The diagnostics of one file, given by line and column."""

    def __init__(self, sink: Diagnostics, path: str) -> None:
        self.sink = sink
        self.path = path

    def warn(self, line: int, col: int, message: str) -> None:
        self.sink.warn(SourceLocation(self.path, line, col), message)

    def error(self, line: int, col: int, message: str) -> None:
        self.sink.error(SourceLocation(self.path, line, col), message)


def promoted(d: Diagnostic) -> Diagnostic:
    """A warning as the error --strict makes of it."""
    return d if d.severity == "error" else Diagnostic(d.where, f"{d.message} (--strict)", "error")


def _order(d: Diagnostic) -> tuple[str, int, int]:
    return (d.where.path, d.where.line, d.where.col)
