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


# Chinese and Japanese are written without spaces: each Han, kana or CJK sign counts as a
# word (readers read about 250 Chinese and 350 Japanese characters a minute, Brysbaert 2019,
# near the 220 words a minute of the default reading speed); Korean spaces its words.
_CJK = "[\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff" \
    "\U00020000-\U0003134f]"


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of letters/digits (with inner - ' ’ . ,), and each
    Chinese or Japanese character."""
    cjk = len(re.findall(_CJK, text))
    if cjk:
        text = re.sub(_CJK, " ", text)
    return cjk + len(re.findall(r"\w+(?:[-'’.,]\w+)*", text))
