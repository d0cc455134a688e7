"""Small text helpers shared by every stage."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphenated: `Welke banen worden overgenomen?` → `welke-banen-…`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "x"


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of letters/digits (with inner - ' ’ . ,)."""
    return len(re.findall(r"\w+(?:[-'’.,]\w+)*", text))
