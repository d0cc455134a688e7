"""The writing direction of a language: `dir="rtl"` comes from the language, never typed.

A chapter's front matter `language: ar` marks its text as Arabic; the outputs put
`lang="ar" dir="rtl"` on it, so hyphenation, quotes, screen readers and the bidi algorithm
all know (and right-to-left text aligns to its side).
"""

from __future__ import annotations

# Languages (BCP 47 primary subtags) written right to left in their usual script.
RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku-arab", "ps", "sd", "syr", "ug", "ur",
                 "yi"})
# Script subtags that decide the direction whatever the language (`az-Arab`, `sr-Latn`).
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"})


def direction(language: str) -> str:
    """"rtl" or "ltr" for a BCP 47 language tag."""
    parts = language.lower().split("-")
    if len(parts) > 1 and len(parts[1]) == 4:
        return "rtl" if parts[1] in _RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL else "ltr"
