"""The booklet: the whole publication as an A5 PDF, plus the same pages imposed for print.

    html = page_html(pub, options)          # Jinja: templates/booklet/*.html (page.py)
    pdf = render_pdf(html, styles)          # WeasyPrint: tagged, fonts embedded
    imposed = impose(pdf)                   # pypdf: two-up on A4 for saddle stitching

The page design (A5, mirrored margins, running heads, table of contents with
`target-counter`, outline levels) lives in `styles/booklet.css`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..base import BuildOptions, Job, Output
from .design import STYLESHEETS

if TYPE_CHECKING:
    from ...core.model import Publication
    from ...errors import Diagnostics



class Booklet(Output):
    name = "booklet"
    summary = "the PDF booklet (A5) and its imposed print version (two pages to an A4 side)"
    templates = ("booklet",)
    styles = (*STYLESHEETS, "fonts")

    def jobs(self, pub: Publication) -> list[Job]:
        """One job: the booklet and its imposed version are made from the same render."""
        return [Job(self.name, "", (f"{pub.slug}.pdf", f"{pub.slug}-imposed.pdf"), weight=10)]

    def build(self, pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
        from .page import write_booklet

        write_booklet(pub, job, staging, options)

    def warm_up(self) -> None:
        import pypdf  # noqa: F401
        import weasyprint  # noqa: F401

        from . import impose, page  # noqa: F401

    def verify(self, path: Path, target: str) -> None:
        from ...render.pdf import check_pdf

        check_pdf(path.read_bytes(), target)

    def check(self, pub: Publication, diags: Diagnostics) -> None:
        from ...render.fonts import check_glyphs
        from ...render.standards import check_images
        from ...render.styles import stylesheets

        check_glyphs(pub, stylesheets(pub, STYLESHEETS, pub.settings.page), pub.glyphs, diags)
        check_images(pub, pub.bodies(), diags)
        if pub.theme.own:
            from ...render.templating import dry_run
            from .page import page_html

            dry_run(diags, lambda: page_html(pub, BuildOptions()))
