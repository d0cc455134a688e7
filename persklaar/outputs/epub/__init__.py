"""The EPUB 3 for e-readers: valid (epubcheck), accessible, reproducible.

    book = Pages(pub).render()                # Jinja XHTML, one file per chapter (pages.py)
    cover = cover_png(pub)                    # the title page design as a PNG (package.py)
    write(package(pub, book, cover, when))    # ebooklib + a deterministic re-zip (package.py)
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import BuildError
from ..base import BuildOptions, Job, Output

if TYPE_CHECKING:
    from ...core.model import Publication
    from ...errors import Diagnostics



class Epub(Output):
    name = "epub"
    summary = "the EPUB 3 for e-readers"
    templates = ("epub",)
    # the last three: the raster cover
    styles = ("epub.css", "code.css", "callouts.css", "math.css", "references.css", "tokens.css", "fonts.css", "fonts")

    def jobs(self, pub: Publication) -> list[Job]:
        return [Job(self.name, "", (f"{pub.slug}.epub",), weight=4)]

    def build(self, pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
        """Write `job.targets[0]` under `staging`; nothing else is left behind."""
        from ...render import views
        from .package import cover_file, package, write
        from .pages import Pages

        target = staging / job.targets[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        when = views.build_moment(pub, options.source_date_epoch)
        cover = cover_file(pub)
        write(package(pub, Pages(pub).render(cover[0]), cover, when), target, when, pub.meta.language)

    def warm_up(self) -> None:
        import ebooklib.epub  # noqa: F401
        import weasyprint  # noqa: F401

        from . import package, pages  # noqa: F401

    def verify(self, path: Path, target: str) -> None:
        """A readable zip whose first entry is `mimetype` (epubcheck runs in the tests)."""
        try:
            with zipfile.ZipFile(path) as z:
                bad = z.testzip()
                first = z.namelist()[0] if z.namelist() else ""
        except zipfile.BadZipFile as exc:
            raise BuildError(f"{target}: not a readable zip ({exc})") from None
        if bad or first != "mimetype":
            raise BuildError(f"{target}: damaged EPUB ({bad or 'mimetype is not the first entry'})")

    def check(self, pub: Publication, diags: Diagnostics) -> None:
        """The raster cover prints the title, subtitle, authors and the module icon."""
        from ...render.fonts import check_glyphs
        from .package import cover_html, cover_stylesheets, ncx_xml
        from .pages import Pages

        if pub.theme.own:
            from ...render.templating import dry_run

            dry_run(diags, lambda: ncx_xml(pub, Pages(pub).render("images/cover.png").toc))
            if pub.settings.cover.image is None:
                dry_run(diags, lambda: cover_html(pub))
        if pub.settings.cover.image is not None:
            return  # the cover is the publication's own image: no text is set
        shown = {*pub.meta.title, *pub.meta.subtitle, *"".join(pub.meta.authors),
                 *"".join(m.icon for m in pub.modules), *pub.settings.cover.kicker}
        check_glyphs(pub, cover_stylesheets(pub), [g for g in pub.glyphs if g.char in shown], diags)
