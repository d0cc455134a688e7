"""Front matter: the YAML between `---` lines at the top of a Markdown file.

Shared by the loader (essay chapters) and the importer (Hugo pages), which decide for
themselves how bad a missing or unclosed block is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Problem = Literal["", "missing", "toml", "unclosed"]
MESSAGES: dict[str, str] = {
    "missing": "a chapter starts with front matter: a line `---`, `title: …`, then `---`",
    "toml": "TOML front matter (+++) is not supported; convert it to YAML (---)",
    "unclosed": "front matter is not closed by a line `---`",
}


@dataclass(frozen=True, slots=True)
class Split:
    """A file cut in two: `front` is the YAML text (from line 2), `body` starts on `body_line`.

    Without usable front matter, `problem` says why and `body` is the whole text.
    """

    front: str
    body: str
    body_line: int
    problem: Problem = ""


def split_front_matter(text: str) -> Split:
    lines = text.split("\n")
    first = lines[0].strip() if lines else ""
    if first == "+++":
        return Split("", text, 1, "toml")
    if first != "---":
        return Split("", text, 1, "missing")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return Split("\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2)
    return Split("", text, 1, "unclosed")
