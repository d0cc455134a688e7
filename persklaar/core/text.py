"""Small text helpers shared by every stage."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphenated: `Welke banen worden overgenomen?` → `welke-banen-…`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "x"


def github_slug(text: str) -> str:
    """A heading's anchor as GitHub makes it (github-slugger; Pandoc's gfm_auto_identifiers):
    lowercase, every character but letters, digits, `-` and `_` dropped, each space a `-`
    (`What's new?` → `whats-new`, `Booting + Live USBs` → `booting--live-usbs`)."""
    text = text.replace("\u2014", "---").replace("\u2013", "--")  # typographer's dashes, as written
    kept = []
    for char in text.strip().lower():
        if char == " ":
            kept.append("-")
        elif char in "-_" or unicodedata.category(char)[0] in "LNM":
            kept.append(char)
    return "".join(kept)


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of letters/digits (with inner - ' ’ . ,)."""
    return len(re.findall(r"\w+(?:[-'’.,]\w+)*", text))
