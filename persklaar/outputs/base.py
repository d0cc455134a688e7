"""The output protocol: what the pipeline and the CLI know of an output, and nothing more.

An output (Pandoc's writer, Sphinx's builder, mdBook's renderer) is one object with a
name, the templates and styles it reads, its jobs, the part of the publication each
job depends on, a build step, an optional finish step over all its jobs' files (the
handouts' combined PDF) and the checks of what its renderer could refuse. Register
it in `persklaar.outputs.REGISTRY`; the pipeline and the CLI never name an output.

Heavy imports (WeasyPrint, ebooklib, pypdf) belong inside the methods, so that listing
the outputs, or a no-op build, never loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ..core.model import Publication
    from ..errors import Diagnostics


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of work for the process pool: an output, and a key within it."""

    output: str
    key: str
    targets: tuple[str, ...]  # paths relative to dist/
    weight: int = 1  # a rough cost, so the heaviest job starts first

    @property
    def id(self) -> str:
        """`booklet`, `handouts:8.1`: how reports and the state file name the job."""
        return f"{self.output}:{self.key}" if self.key else self.output


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Options every output sees."""

    keep_html: bool = False
    source_date_epoch: int | None = None


KEPT_HTML = "html"  # --keep-html: the HTML each PDF was laid out from goes to dist/html/


class Output:
    """Base class of an output; override what applies."""

    name: ClassVar[str]
    summary: ClassVar[str]  # one line for --help
    templates: ClassVar[tuple[str, ...]] = ()  # folders/files under templates/ it reads
    styles: ClassVar[tuple[str, ...]] = ()  # folders/files under styles/ it reads
    default: ClassVar[bool] = True  # built by `all` (and by a bare `persklaar`)
    # A folder under dist/ where this output writes a static site: `persklaar serve` builds
    # such an output first and serves that folder (only it), live, while the others build.
    site: ClassVar[str] = ""
    # Cheap and pure Python: built in the calling process instead of a worker (no process to
    # start, templates stay compiled between watch-mode builds); no worker time/memory limit.
    in_process: ClassVar[bool] = False

    def jobs(self, pub: Publication) -> list[Job]:
        raise NotImplementedError

    def content_key(self, pub: Publication, job: Job) -> object:
        """The part of the publication `job` shows (hashed: unchanged means skip)."""
        return pub

    def build(self, pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
        """Write `job.targets` under `staging` (in a worker process)."""
        raise NotImplementedError

    def warm_up(self) -> None:
        """Import what `build` needs; a worker does this while the content is still loading."""

    def verify(self, path: Path, target: str) -> None:
        """Read one written file back before it is published; raise BuildError if bad."""

    def check(self, pub: Publication, diags: Diagnostics) -> None:
        """Report what this output's renderer would refuse (run by `check` and every build)."""

    def finish_targets(self, pub: Publication) -> tuple[str, ...]:
        """Files made from all of this output's jobs together, after they are published."""
        return ()

    def finish(self, pub: Publication, inputs: list[Path], staging: Path, options: BuildOptions) -> None:
        """Write `finish_targets` under `staging` from the published files `inputs`."""
