"""The one check: `persklaar check` and every build run exactly this before rendering.

The content is read and validated (core), then each output reports what its renderer
would refuse (a character its fonts lack, …), and every font file in fonts/ is opened as
the renderer will. Whatever stops a build here stops `check` in the same words, so
content that passes `check` renders.
"""

from __future__ import annotations

from pathlib import Path

from ..core.load import load
from ..core.model import Publication
from ..core.theme import FONTS
from ..errors import Diagnostic, Diagnostics
from ..outputs import REGISTRY


def load_checked(root: Path, outputs: tuple[str, ...], strict: bool,
                 report=None) -> tuple[Publication, list[Diagnostic]]:
    """The publication and its warnings; raises ContentError with every problem found.

    With `strict`, warnings are errors (decided here, once).
    """
    pub, warnings = load(root, strict)
    diags = Diagnostics()
    for name in outputs:
        REGISTRY.get(name).check(pub, diags)
    fonts = pub.theme.root / FONTS
    if fonts.is_dir():  # every font an author brings, opened as the renderer will (named in CSS or not)
        from ..render.fonts import check_font_files

        check_font_files(pub, [p for p in fonts.rglob("*") if p.is_file()], diags)
    diags.raise_if_errors()
    if report is not None:
        for warning in warnings:
            report.diagnostic(warning)
    return pub, warnings
