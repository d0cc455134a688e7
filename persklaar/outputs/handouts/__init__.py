"""Handout sheets for teachers: one A4 PDF per course section, plus one combined PDF.

A sheet shows the module and section, the section's intro, a reading-time table (one
row per resource: kind, minutes, a short/long badge that survives a greyscale print,
and a QR code of its URL), the section's totals, a link appendix with every URL of the
sheet in full, and a lined notes box when the last page has room for one (sheet.py).

Each sheet is its own job and depends only on its own section (see `content_key`), so
editing one section rebuilds one sheet. The finish step lays all sheets out again into
one file (`combined`), one tagged document made to the same PDF standard as each sheet.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import BuildError
from ..base import BuildOptions, Job, Output
from .files import STYLESHEETS, combined, target

if TYPE_CHECKING:
    from ...core.model import Publication
    from ...errors import Diagnostics

__all__ = ["Handouts", "combined", "target"]


class Handouts(Output):
    name = "handouts"
    summary = "one A4 handout per course section, and all of them in one PDF"
    templates = ("handout",)
    styles = (*STYLESHEETS, "fonts")

    def jobs(self, pub: Publication) -> list[Job]:
        """One job per course section, in reading order."""
        return [Job(self.name, section.number, (target(section),)) for _, section in pub.sections()]

    def content_key(self, pub: Publication, job: Job) -> object:
        from .sheet import content_key

        return content_key(pub, _find(pub, job.key))

    def build(self, pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
        from .sheet import write_sheet

        module, section = _find(pub, job.key)
        write_sheet(pub, module, section, staging, job.targets[0], options)

    def warm_up(self) -> None:
        import pypdf  # noqa: F401
        import weasyprint  # noqa: F401

        from . import combine, sheet  # noqa: F401

    def verify(self, path: Path, target: str) -> None:
        from ...render.pdf import check_pdf

        check_pdf(path.read_bytes(), target)

    def check(self, pub: Publication, diags: Diagnostics) -> None:
        from ...render.fonts import check_glyphs
        from ...render.standards import check_images
        from .sheet import sheet_styles

        sources = {"content/publication.yaml", *(m.source.path for m in pub.modules)}
        check_glyphs(pub, sheet_styles(pub), [g for g in pub.glyphs if g.where.path in sources], diags)
        check_images(pub, [section.intro for _, section in pub.sections()], diags)
        if pub.theme.own:
            from ...render.templating import dry_run
            from .sheet import sheet_html

            for module, section in pub.sections():
                dry_run(diags, functools.partial(sheet_html, pub, module, section, pub.meta.date, 0))

    def finish_targets(self, pub: Publication) -> tuple[str, ...]:
        return (combined(pub),) if pub.modules else ()

    def finish(self, pub: Publication, inputs: list[Path], staging: Path, options: BuildOptions) -> None:
        from .combine import combine

        combine(pub, inputs, staging / combined(pub), options)


def _find(pub: Publication, number: str):
    found = pub.section(number)
    if found is None:
        raise BuildError(f"handouts: there is no course section {number!r}")
    return found
