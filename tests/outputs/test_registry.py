"""A fourth output, added through the registry alone: the pipeline and the CLI take it
without a change (docs/architecture.md, "Adding an output")."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from persklaar import cli
from persklaar.core.markdown import plain_text
from persklaar.core.model import Publication
from persklaar.errors import BuildError, UsageError
from persklaar.outputs import REGISTRY, BuildOptions, Job, Output


class PlainText(Output):
    """The publication as one plain-text file: chapter titles and their words."""

    name = "text"
    summary = "the publication as plain text"
    default = False  # `all` stays what it was; `persklaar text` builds it

    def jobs(self, pub: Publication) -> list[Job]:
        return [Job(self.name, "", (f"{pub.slug}.txt",))]

    def build(self, pub: Publication, job: Job, staging: Path, options: BuildOptions) -> None:
        parts = [pub.meta.title.upper()] + [f"{c.title}\n\n{plain_text(c.body).strip()}" for c in pub.chapters]
        (staging / job.targets[0]).write_text("\n\n".join(parts) + "\n", "utf-8")

    def verify(self, path: Path, target: str) -> None:
        if not path.read_text("utf-8").strip():
            raise BuildError(f"{target} is empty")


@pytest.fixture
def text_output():
    REGISTRY.register(PlainText())
    try:
        yield
    finally:
        REGISTRY.unregister("text")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_a_registered_output_is_built_by_the_cli_and_the_pipeline(text_output, mini: Path):
    code, out, err = run("text", "--root", str(mini), "--jobs", "1")
    assert code == 0, err
    written = (mini / "dist/mini-boekje.txt").read_text("utf-8")
    assert written.startswith("MINI BOEKJE\n\nHet begin\n\nDit is de eerste alinea")
    assert "built   text" in out
    assert not (mini / "dist/mini-boekje.pdf").exists()  # only what was asked for
    code, out, _ = run("text", "--root", str(mini), "-v")
    assert code == 0 and "up to date: text" in out  # its state is kept like any other's


def test_a_registered_output_is_in_the_help_and_the_choices(text_output):
    code, out, _ = run("--help")
    assert code == 0 and "text       the publication as plain text" in out
    assert "text" in REGISTRY.names() and "text" not in REGISTRY.defaults()


def test_an_unknown_output_names_the_registered_ones(text_output):
    with pytest.raises(UsageError, match="choose from booklet, epub, handouts, web, text"):
        REGISTRY.get("pdf")
    code, _, err = run("pdf")
    assert code == 2 and "unknown output 'pdf'" in err


def test_help_lists_exactly_the_registered_outputs():
    code, out, _ = run("--help")
    assert code == 0
    for output in REGISTRY:
        assert f"{output.name:<10} {output.summary}" in out
    assert "text " not in out
