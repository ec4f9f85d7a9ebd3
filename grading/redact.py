"""What a student may see of a graded submission.

A hidden case shows its name, verdict, points and group, never its data: input, expected and
actual output, diff and message are dropped. As on Gradescope, a student whose submission has
any hidden case does not see the total either, so `StudentView` withholds the score.
"""

from __future__ import annotations

import msgspec

from grading.outcome import Verdict
from grading.results import CaseResult, SubmissionResult


class StudentView(msgspec.Struct, frozen=True, kw_only=True):
    """A submission as its student sees it: `score` is None while any case is hidden."""

    student: str
    verdict: Verdict
    score: float | None
    max_score: float | None
    cases: list[CaseResult]


def for_student(result: SubmissionResult) -> SubmissionResult:
    """A copy of the result in which hidden cases keep no data."""
    return msgspec.structs.replace(result, cases=[_redacted(case) for case in result.cases])


def student_view(result: SubmissionResult) -> StudentView:
    """The redacted result, its total withheld when any case is hidden."""
    hidden = any(case.visibility == "hidden" for case in result.cases)
    return StudentView(
        student=result.student,
        verdict=result.verdict,
        score=None if hidden else result.score,
        max_score=None if hidden else result.max_score,
        cases=for_student(result).cases,
    )


def _redacted(case: CaseResult) -> CaseResult:
    """A hidden case without its data; a visible case as it is."""
    if case.visibility != "hidden":
        return case
    return msgspec.structs.replace(
        case, message=None, diff=None, stdin=None, expected_output=None, actual_output=None
    )
