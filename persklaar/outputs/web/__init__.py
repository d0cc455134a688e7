"""The web edition: a static site of the publication, for phones, desktops and any static host.

    site = WebPages(pub).render()              # the EPUB's pages as .html, web templates (site.py)
    write_site(pub, site, staging, files)      # pages, images, style.css, the shipped fonts

One job writes every file under `web/` (its targets, named from the model before
anything is rendered). No WeasyPrint, no packaging: the cheapest output, and the one
`persklaar serve` shows while the others are still building.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import BuildError
from ..base import BuildOptions, Job, Output

if TYPE_CHECKING:
    from ...core.model import Publication
    from ...errors import Diagnostics

SITE = "web"  # its folder under dist/ (site.SITE; repeated here so listing the outputs imports nothing)


class Web(Output):
    name = "web"
    summary = "the web edition: a static site in dist/web/ (persklaar serve shows it live)"
    templates = ("web",)
    styles = ("web.css", "code.css", "callouts.css", "math.css", "references.css", "tokens.css", "fonts.css", "fonts")
    site = SITE
    in_process = True  # a fraction of a second of Jinja: no worker needed

    def jobs(self, pub: Publication) -> list[Job]:
        from .site import site_files

        return [Job(self.name, "", tuple(f"{SITE}/{name}" for name in site_files(pub)))]

    def build(self, pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
        from .site import WebPages, write_site

        prefix = f"{SITE}/"
        write_site(pub, WebPages(pub).render(), staging / SITE, [t.removeprefix(prefix) for t in job.targets])

    def warm_up(self) -> None:
        from . import site  # noqa: F401

    def verify(self, path: Path, target: str) -> None:
        """Every page is well-formed (the site is polyglot HTML: an XML parser reads it)."""
        if not target.endswith(".html"):
            return
        import xml.etree.ElementTree as ET

        try:
            ET.fromstring(path.read_bytes())
        except ET.ParseError as exc:
            raise BuildError(f"{target} is not well-formed: {exc}") from None

    def check(self, pub: Publication, diags: Diagnostics) -> None:
        """Every url() of the stylesheets is a file of the publication or its theme; a
        publication's own templates render. (No glyph check: a browser falls back on the
        reader's fonts for a character the shipped ones lack.)"""
        from ...errors import ContentError
        from .site import WebPages, site_styles

        try:
            site_styles(pub)
        except ContentError as exc:
            diags.extend(exc.diagnostics)
        if pub.theme.own:
            from ...render.templating import dry_run

            dry_run(diags, lambda: WebPages(pub).render())
