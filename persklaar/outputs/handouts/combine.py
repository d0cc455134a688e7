"""All handout sheets in one tagged PDF, one bookmark per sheet (the handouts' finish step).

The sheets are laid out again and written as one WeasyPrint document: each keeps its
own page numbers ("page 1 of 2") and bookmarks, and the file gets one structure tree,
so it meets the same PDF standard as each sheet. (Merging the sheets' PDFs with pypdf
would drop every tag.) Ids on a sheet start with its section (`sheet.anchor_prefix`),
so each link leads to its own sheet's appendix.
"""

from __future__ import annotations

from pathlib import Path

from ...core.model import Publication
from ...errors import BuildError
from ...render import pdf, views
from ..base import BuildOptions
from .files import combined, target
from .sheet import layout_sheet


def combine(pub: Publication, paths: list[Path], out: Path, options: BuildOptions) -> None:
    """Write the sheets published at `paths` (in section order) into `out` as one PDF."""
    sheets = {Path(target(section)).name: (module, section) for module, section in pub.sections()}
    name = combined(pub)
    for path in paths:
        if path.name not in sheets:
            raise BuildError(f"{name}: {path.name} is not the handout of any course section")
    moment = views.build_moment(pub, options.source_date_epoch)
    title = f"{pub.labels['all_handouts']} · {pub.meta.title}"
    with pdf.font_timestamps(int(moment.timestamp())):
        documents = [layout_sheet(pub, *sheets[path.name], moment.date(), name)[0] for path in paths]
        data = pdf.write_document(pdf.combined(documents, title), f"{pub.meta.identifier}#handouts", name,
                                  pub.settings.pdf_standard)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
