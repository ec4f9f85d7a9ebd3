"""Gradebook CSV an instructor downloads, or imports into Canvas or Moodle as it is.

Every renderer writes UTF-8 text without a byte-order mark and ends rows with CRLF, as RFC 4180
and both LMS importers expect; one row per student, sorted by student id.

Cells a student controls (ids, names) that begin with `=`, `+`, `-`, `@`, a tab or a carriage
return get a leading apostrophe, so a spreadsheet shows them as text instead of running them
as a formula (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Literal

import msgspec

from grading.errors import GradingError
from grading.outcome import Verdict
from grading.results import SubmissionResult

Policy = Literal["latest", "best"]
Format = Literal["plain", "canvas", "moodle"]
FORMATS: tuple[Format, ...] = ("plain", "canvas", "moodle")
MoodleIdentifier = Literal["username", "email", "idnumber"]
CanvasIdentifier = Literal["SIS User ID", "SIS Login ID"]

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_EARLIEST = datetime.min.replace(tzinfo=UTC)


class GradebookRow(msgspec.Struct, frozen=True, kw_only=True):
    """One graded submission and who made it."""

    student: str
    result: SubmissionResult
    name: str | None = None
    submitted_at: str | None = None


def select(rows: Sequence[GradebookRow], policy: Policy) -> list[GradebookRow]:
    """One row per student: the latest submission, or the best (the latest among equals)."""
    chosen: dict[str, tuple[tuple[float, datetime, int], GradebookRow]] = {}
    for order, row in enumerate(rows):
        score = row.result.score if policy == "best" else 0.0
        key = (score, _when(row.submitted_at), order)
        if row.student not in chosen or key > chosen[row.student][0]:
            chosen[row.student] = (key, row)
    return [chosen[student][1] for student in sorted(chosen)]


def plain(rows: Sequence[GradebookRow]) -> str:
    """Score, maximum, percent and the points earned on each case, one row per student."""
    cases = _case_names(row.result for row in rows)
    lines: list[list[str]] = [["student", "score", "max_score", "percent", *cases]]
    for row in _by_student(rows):
        earned = {case.name: _number(case.points) for case in row.result.cases}
        result = row.result
        percent = _number(100 * result.score / result.max_score) if result.max_score else ""
        totals = [_number(result.score), _number(result.max_score), percent]
        lines.append([_text(row.student), *totals, *(earned.get(c, "") for c in cases)])
    return _csv(lines)


def canvas(
    assignment: str,
    rows: Sequence[GradebookRow],
    points_possible: float,
    *,
    identifier: CanvasIdentifier = "SIS Login ID",
) -> str:
    """Canvas gradebook import: one new assignment column, scores scaled to `points_possible`.

    Canvas matches students by its numeric ID, then SIS User ID, then SIS Login ID. OopsEngine's
    student ids are the instructor's, never Canvas's internal ID, which is therefore left empty
    (a student number there could match another user); the id goes in the one `identifier`
    column the instructor's ids are, so it cannot match a different student through the other.
    """
    if assignment in CANVAS_COLUMNS:
        raise GradingError(f"assignment {assignment!r} clashes with a Canvas column: rename it")
    header = [*CANVAS_COLUMNS, assignment]
    lines = [header, ["Points Possible", "", "", "", "", _number(points_possible)]]
    for row in _by_student(rows):
        cells = dict.fromkeys(header, "")
        cells["Student"] = _text(row.name or row.student)
        cells[identifier] = _text(row.student)
        cells[assignment] = _number(_scaled(row.result, points_possible))
        lines.append(list(cells.values()))
    return _csv(lines)


def moodle(
    assignment: str,
    rows: Sequence[GradebookRow],
    *,
    identifier: MoodleIdentifier = "username",
    points_possible: float | None = None,
) -> str:
    """Moodle grade import: the identifier, the grade and `feedback_<assignment>` columns.

    On import the instructor maps the identifier column to the user field of the same name, the
    assignment column to its grade item and `feedback_<assignment>` to that item's feedback.
    Scores are scaled to `points_possible` (the grade item's maximum) when it is given.
    """
    lines = [[identifier, assignment, f"feedback_{assignment}"]]
    for row in _by_student(rows):
        score = _scaled(row.result, points_possible) if points_possible else row.result.score
        lines.append([_text(row.student), _number(score), _text(summary(row.result))])
    return _csv(lines)


def summary(result: SubmissionResult) -> str:
    """A line of feedback that names cases and verdicts but never a case's data."""
    passed = sum(case.verdict == Verdict.PASSED for case in result.cases)
    text = f"{passed}/{len(result.cases)} cases passed"
    failed = next((c for c in result.cases if c.verdict != Verdict.PASSED), None)
    if failed is None:
        return text
    hidden = "hidden case" if failed.visibility == "hidden" else "case"
    return f"{text}; first failure: {hidden} {failed.name} ({failed.verdict})"


def _when(submitted_at: str | None) -> datetime:
    """A submission time to order by; a missing one is earliest, a naive one is UTC."""
    if submitted_at is None:
        return _EARLIEST
    try:
        moment = datetime.fromisoformat(submitted_at)
    except ValueError:
        raise GradingError(f"submitted_at {submitted_at!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _by_student(rows: Sequence[GradebookRow]) -> list[GradebookRow]:
    """Rows in student-id order."""
    return sorted(rows, key=lambda row: row.student)


def _case_names(results: Iterable[SubmissionResult]) -> list[str]:
    """Every case name in the results, in the order first seen."""
    return list(dict.fromkeys(case.name for result in results for case in result.cases))


def _scaled(result: SubmissionResult, points_possible: float) -> float:
    """The score on a `points_possible` scale."""
    return result.score / result.max_score * points_possible if result.max_score else 0.0


def _number(value: float) -> str:
    """A number without float noise: `3`, `2.5`, `0.333333`."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _text(value: str) -> str:
    """A text cell that a spreadsheet will not evaluate as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _csv(lines: Iterable[Sequence[str]]) -> str:
    """RFC 4180 CSV text."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return out.getvalue()
