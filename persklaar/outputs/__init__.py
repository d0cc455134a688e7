"""Outputs are peers behind one small protocol (Pandoc's writer table, Sphinx's builders).

Each output module defines:

    NAME: str                       # "booklet", "epub", "handouts"
    TEMPLATES: tuple[str, ...]      # folders/files under templates/ it reads
    STYLES: tuple[str, ...]         # files/folders under styles/ it reads
    def jobs(pub) -> list[Job]      # one job per file set it writes
    def content_key(pub, job) -> object   # the part of the model a job depends on
    def build(pub, job, staging: Path, options: BuildOptions) -> None
                                    # writes job.targets (paths relative to dist/) under staging

A job's fingerprint combines its content key, the bytes of its templates, styles and
fonts, the settings and the builder's own code; an unchanged fingerprint skips it.
Output modules are imported lazily so that a no-op rebuild never imports WeasyPrint.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .base import BuildOptions, Job

__all__ = ["BuildOptions", "Job", "module"]

OUTPUT_MODULES = {
    "booklet": "persklaar.outputs.booklet",
    "epub": "persklaar.outputs.epub",
    "handouts": "persklaar.outputs.handouts",
}


def module(name: str) -> ModuleType:
    return importlib.import_module(OUTPUT_MODULES[name])
