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


def format_number(value: float, language: str = "nl", decimals: int | None = None) -> str:
    """Number in the publication's convention: 72,3 and 634.000 in Dutch."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else len(repr(float(value)).split(".")[1])
    text = f"{value:,.{decimals}f}"
    if language.startswith(("nl", "de")):
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
