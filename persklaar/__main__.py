"""`python -m persklaar`: the same command as `persklaar`."""

from persklaar.cli import entry

entry()
