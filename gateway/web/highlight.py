"""A unified diff made readable: each removed line paired with the line that replaced it, and
the characters that differ between the two marked, as code review tools show them.

The diff comes bounded from grading (`grading.feedback.unified_diff`, a few thousand
characters), so comparing characters of paired lines stays cheap.
"""

from __future__ import annotations

import difflib
from typing import Literal

import msgspec

Kind = Literal["removed", "added", "same", "hunk", "file", "note"]
_KINDS: dict[str, Kind] = {"-": "removed", "+": "added", " ": "same", "@": "hunk"}


class Segment(msgspec.Struct, frozen=True):
    """A run of characters, and whether it differs from the paired line."""

    text: str
    changed: bool = False


class DiffLine(msgspec.Struct, frozen=True):
    """One line of the diff: its kind, its marker and its text in segments."""

    kind: Kind
    marker: str
    segments: list[Segment]


def highlighted(diff: str) -> list[DiffLine]:
    """The diff's lines, with changed characters marked in removed/added line pairs."""
    lines = [_line(raw) for raw in diff.split("\n")]
    result: list[DiffLine] = []
    index = 0
    while index < len(lines):
        removed = _run(lines, index, "removed")
        added = _run(lines, index + len(removed), "added")
        if removed and added:
            result += _paired(removed, added)
            index += len(removed) + len(added)
        else:
            result.append(lines[index])
            index += 1
    return result


def _line(raw: str) -> DiffLine:
    if raw.startswith(("--- ", "+++ ")):
        return DiffLine("file", "", [Segment(raw)])
    kind = _KINDS.get(raw[:1], "note")
    if kind in ("hunk", "note"):
        return DiffLine(kind, "", [Segment(raw)])
    return DiffLine(kind, raw[:1], [Segment(raw[1:])])


def _run(lines: list[DiffLine], start: int, kind: Kind) -> list[DiffLine]:
    end = start
    while end < len(lines) and lines[end].kind == kind:
        end += 1
    return lines[start:end]


def _paired(removed: list[DiffLine], added: list[DiffLine]) -> list[DiffLine]:
    """Removed lines then added lines, each pair's differing characters marked."""
    old = [_text(line) for line in removed]
    new = [_text(line) for line in added]
    marked_old, marked_new = [], []
    for position in range(max(len(old), len(new))):
        before = old[position] if position < len(old) else None
        after = new[position] if position < len(new) else None
        left, right = _compare(before or "", after or "")
        if before is not None:
            marked_old.append(DiffLine("removed", "-", left))
        if after is not None:
            marked_new.append(DiffLine("added", "+", right))
    return marked_old + marked_new


def _text(line: DiffLine) -> str:
    return "".join(segment.text for segment in line.segments)


def _compare(before: str, after: str) -> tuple[list[Segment], list[Segment]]:
    """Both lines cut into segments, changed where `difflib` finds them different."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            left.append(Segment(before[i1:i2], changed))
        if j2 > j1:
            right.append(Segment(after[j1:j2], changed))
    return left, right
