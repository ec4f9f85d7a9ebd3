"""Graded results: one case, one submission. These are what `oops grade --json` prints."""

from __future__ import annotations

import msgspec

from grading.outcome import Verdict
from grading.suite import Visibility


class CaseResult(msgspec.Struct, frozen=True, kw_only=True):
    """The judgement on one case. `message` names the first difference; `diff` is bounded."""

    name: str
    verdict: Verdict
    points: float
    max_points: float
    time_ms: int = 0
    memory_kib: int = 0
    message: str | None = None
    diff: str | None = None
    group: str | None = None
    visibility: Visibility = "visible"
    stdin: str | None = None
    expected_output: str | None = None
    actual_output: str | None = None


class SubmissionResult(msgspec.Struct, frozen=True, kw_only=True):
    """One student's submission, graded: `passed` only when every case passed."""

    student: str
    verdict: Verdict
    score: float
    max_score: float
    cases: list[CaseResult]
