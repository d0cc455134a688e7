"""All handout sheets in one PDF, one bookmark per sheet (the handouts' finish step)."""

from __future__ import annotations

import io
from pathlib import Path

from ...core.model import Publication
from ...errors import BuildError
from .files import combined, target


def combine(pub: Publication, paths: list[Path], out: Path) -> None:
    """Merge the sheets at `paths` (in section order) into `out`, one bookmark each.

    The sheets' own bookmarks are left out so the outline reads as a list of sheets.
    """
    from pypdf import PdfReader, PdfWriter

    titles = {Path(target(section)).name: f"{section.number} {section.title}" for _, section in pub.sections()}
    labels = pub.labels
    writer = PdfWriter()
    for path in paths:
        if path.name not in titles:
            raise BuildError(f"{combined(pub)}: {path.name} is not the handout of any course section")
        start = len(writer.pages)
        writer.append(PdfReader(path), import_outline=False)
        writer.add_outline_item(title=titles[path.name], page_number=start)
    writer.add_metadata({"/Title": f"{labels['all_handouts']} · {pub.meta.title}",
                         "/Author": ", ".join(pub.meta.authors), "/Producer": "persklaar"})
    writer.page_mode = "/UseOutlines"
    buffer = io.BytesIO()
    writer.write(buffer)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
