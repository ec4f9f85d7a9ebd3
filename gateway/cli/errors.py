"""The command line's own error: what the user typed or pointed at must change (exit 2)."""

from __future__ import annotations


class UsageError(Exception):
    """A command-line argument or input file the user must fix; the message says how."""
