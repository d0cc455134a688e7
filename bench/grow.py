"""The benchmark's large publication: the shipped one grown to 200+ pages.

The essay's chapters are copied `copies` times over (each copy its own chapter, with its
own title); every copy gets a paragraph of links to distinct URLs and a code block, so
the booklet has hundreds of numbered links (each with its QR code in the appendix) and
highlighted code on many pages. The course module is kept as it is.

    python bench/grow.py DEST [--copies N]     (writes a publication folder at DEST)
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINKS_PER_CHAPTER = 6

CODE = '''```python
def reading_minutes(words: int, speed: int = 220) -> int:
    """Minutes a reader needs for `words`, rounded up ({n})."""
    minutes, rest = divmod(words, speed)
    return max(1, minutes + (1 if rest else 0))


for chapter in ("inleiding", "geschiedenis", "werk-van-morgen-{n}"):
    words = len(open(f"{{chapter}}.md", encoding="utf-8").read().split())
    print(f"{{chapter:<32}} {{reading_minutes(words):>3}} min")
```'''


def copy_project(dest: Path) -> Path:
    """The shipped publication (content, templates, styles) copied to `dest`."""
    for folder in ("content", "templates", "styles"):
        shutil.copytree(REPO / folder, dest / folder)
    return dest


def grow(dest: Path, copies: int = 2) -> Path:
    """`dest`: the shipped publication with its essay `copies` more times, links and code added."""
    copy_project(dest)
    essay = dest / "content/essay"
    chapters = sorted(essay.glob("*.md"))
    for chapter in chapters:  # three-digit numbers, so the copies sort after the original
        chapter.rename(essay / f"0{chapter.name}")
    chapters = sorted(essay.glob("*.md"))
    serial = 0
    for copy in range(1, copies + 1):
        for chapter in chapters:
            serial += 1
            number, slug = chapter.name[1:].split("-", 1)
            text = chapter.read_text("utf-8")
            text = re.sub(r'^title: "(.*)"$', lambda m, c=copy: f'title: "{m.group(1)} ({c + 1})"', text,
                          count=1, flags=re.M)
            (essay / f"{copy}{number}-{slug}").write_text(text.rstrip("\n") + "\n\n" + _extra(serial) + "\n",
                                                          "utf-8")
    return dest


def _extra(n: int) -> str:
    links = ", ".join(f"[bron {n}.{i}](https://www.bronnen-arbeid.nl/{n}/artikel-{i}?editie=2025)"
                      for i in range(1, LINKS_PER_CHAPTER + 1))
    return (f"Meer lezen over dit onderwerp: {links}.\n\n"
            f"Een voorbeeld in code ({n}):\n\n" + CODE.format(n=n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    grow(args.dest, args.copies)


if __name__ == "__main__":
    main()
