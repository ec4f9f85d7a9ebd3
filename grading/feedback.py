"""What a person reads about a failed case: quoted snippets, clipped text and a bounded diff.

Everything here is bounded, because outputs come from programs nobody trusts: a flood of output
must not become a flood of feedback, nor make diffing quadratic.
"""

from __future__ import annotations

import difflib
import unicodedata

DIFF_LINES = 2000
DIFF_CHARS = 200_000
"""How much of each side `unified_diff` compares (lines, characters); the rest is left out."""

_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
# Control, format (e.g. bidi overrides), surrogate and line/paragraph separator characters
# would break a one-line message or disguise its content, so they are shown escaped.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def quote(text: str, limit: int = 40) -> str:
    """`text` in double quotes, escaped to one line and cut with an ellipsis past `limit` chars."""
    pieces: list[str] = []
    size = 0
    for char in text:
        piece = _escape(char)
        size += len(piece)
        if size > limit:
            return '"' + "".join(pieces) + '"…'
        pieces.append(piece)
    return '"' + "".join(pieces) + '"'


def _escape(char: str) -> str:
    """One character as it can be shown inside a quoted one-line message."""
    if char in _ESCAPES:
        return _ESCAPES[char]
    if unicodedata.category(char) in _HIDDEN_CATEGORIES:
        return char.encode("unicode_escape", "backslashreplace").decode("ascii")
    return char


def clip(text: str, limit: int = 4000) -> str:
    """`text` cut to at most `limit` characters, ending with a line saying how much was cut."""
    if len(text) <= limit:
        return text
    keep = max(limit - len(_cut_marker(len(text))), 0)
    return text[:keep] + _cut_marker(len(text) - keep)


def _cut_marker(count: int) -> str:
    """The line that replaces `count` characters cut from the end of a text."""
    return f"\n… [{count} more characters cut]"


def unified_diff(expected: str, actual: str, limit: int = 4000) -> str:
    """A unified diff from `expected` to `actual`, at most `limit` characters; "" when equal."""
    old, old_cut = _head(expected)
    new, new_cut = _head(actual)
    text = "\n".join(difflib.unified_diff(old, new, "expected", "actual", lineterm=""))
    if text and (old_cut or new_cut):
        text += f"\n… [only the first {DIFF_LINES} lines or {DIFF_CHARS} characters compared]"
    return clip(text, limit)


def _head(text: str) -> tuple[list[str], bool]:
    """The lines of `text` that are worth diffing, and whether any were left out."""
    lines = text[:DIFF_CHARS].split("\n", DIFF_LINES)
    cut = len(text) > DIFF_CHARS or len(lines) > DIFF_LINES
    return lines[:DIFF_LINES], cut
