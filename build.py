#!/usr/bin/env python3
"""Build the publication: `python build.py --help`. The work is done in persklaar.cli."""

from persklaar.cli import entry

if __name__ == "__main__":
    entry()
