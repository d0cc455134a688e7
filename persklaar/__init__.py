"""persklaar: structured writing, ready for the press (PDF booklet, EPUB 3, handouts)."""

__version__ = "0.1.0"
