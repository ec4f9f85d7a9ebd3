"""Grading a submission from what its Gradescope autograder wrote.

Every test of results.json (`grading/gradescope.py`) becomes one `CaseResult`, in the file's
order: named `1.1) Evaluate 1 + 1` when it has a number (its name alone otherwise, `Test 3`
when it has neither), its `score` as points and `max_score` as maximum (0 when absent),
`passed` or `wrong_answer` by its status (`gradescope.status_of`), its `output` as the message.

The total, as Gradescope computes it:

- the score is the top-level `score` when there is one (it overrides the tests' sum, so an
  autograder can apply a late penalty or grade with no tests at all), else the sum of the
  tests' scores. Neither is clamped: Gradescope shows a score above the maximum as extra credit.
- the maximum is the assignment's autograder points (`total_points`), not the sum of the tests'
  `max_score`s, which only label each test; an autograder whose tests omit `max_score`, or that
  gives only a top-level score, is still graded out of the assignment's points. With no
  `total_points` the tests' `max_score`s add up to the maximum.
- the submission passes when every test passed and the score reaches the maximum.

When the autograder fails (`failed_run`): no results.json, one that cannot be read, or a run
that ran out of time (Gradescope then gives 0 and shows no test, even of a partial file), the
submission gets one visible case named `autograder` with the failure's verdict (`timeout`,
else `internal_error`, so the failure is told apart from a wrong answer and can be regraded
rather than count against the student) and its reason, 0 points out of `total_points`: the
total does not shrink because the tests did not run.

Each test's visibility is kept (its own, else the top level's, else `visible`); the
`CaseResult` says `visible` only for a test always visible and `hidden` otherwise, so code that
knows nothing of release dates redacts it. `grading/release.py` decides what a student sees when.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from grading.errors import ReportError
from grading.gradescope import (
    GradescopeTest,
    LeaderboardEntry,
    OutputFormat,
    Results,
    ResultVisibility,
    number_of,
    parse_results,
    status_of,
)
from grading.outcome import Verdict
from grading.results import CaseResult, SubmissionResult
from grading.unitjudge import RunFailure

AUTOGRADER_CASE = "autograder"
"""The name of the one case of a run whose autograder failed."""
NO_RESULTS = "the autograder failed to execute correctly: it wrote no results/results.json"


class GradedTest(msgspec.Struct, frozen=True, kw_only=True):
    """One test's result, with when a student may see it and how its name and output read."""

    __test__ = False  # not a pytest test class, despite its name

    case: CaseResult
    visibility: ResultVisibility = "visible"
    name_format: OutputFormat = "text"
    output_format: OutputFormat = "text"
    tags: list[str] = msgspec.field(default_factory=list)


class AutograderResult(msgspec.Struct, frozen=True, kw_only=True):
    """One submission graded by a Gradescope autograder: its tests, total and feedback.

    `output` is the top-level output for the student, shown by `visibility`; the run's standard
    output is the runner's to keep, shown to students by `stdout_visibility`.
    """

    student: str
    verdict: Verdict
    score: float
    max_score: float
    tests: list[GradedTest]
    output: str = ""
    output_format: OutputFormat = "simple_format"
    visibility: ResultVisibility = "visible"
    stdout_visibility: ResultVisibility = "hidden"
    execution_time: float | None = None
    leaderboard: list[LeaderboardEntry] = msgspec.field(default_factory=list)

    @property
    def submission(self) -> SubmissionResult:
        """The result as every suite kind gives it: one case per test."""
        return SubmissionResult(
            student=self.student,
            verdict=self.verdict,
            score=self.score,
            max_score=self.max_score,
            cases=[test.case for test in self.tests],
        )


def judge_file(
    data: bytes | None,
    student: str,
    total_points: float | None,
    failure: RunFailure | None = None,
) -> AutograderResult:
    """Grade what a run left: results.json's bytes (None: it wrote none), or the run's failure
    (such as a timeout), which wins over any file it left."""
    if failure is not None:
        return failed_run(student, failure, total_points)
    if data is None:
        return failed_run(student, _failed(NO_RESULTS), total_points)
    try:
        results = parse_results(data)
    except ReportError as error:
        reason = f"the autograder failed to execute correctly: {error}"
        return failed_run(student, _failed(reason), total_points)
    return judge_results(results, student, total_points)


def judge_results(results: Results, student: str, total_points: float | None) -> AutograderResult:
    """Grade a results.json that was read: one case per test, the total as Gradescope has it."""
    tests = [_graded(results, test, index) for index, test in enumerate(results.tests)]
    score = results.score if results.score is not None else _sum(t.case.points for t in tests)
    maximum = total_points if total_points is not None else _sum(t.case.max_points for t in tests)
    passed = score >= maximum and all(t.case.verdict == Verdict.PASSED for t in tests)
    return AutograderResult(
        student=student,
        verdict=Verdict.PASSED if passed else Verdict.WRONG_ANSWER,
        score=score,
        max_score=maximum,
        tests=tests,
        output=results.output or "",
        output_format=results.output_format or "simple_format",
        visibility=results.visibility or "visible",
        stdout_visibility=results.stdout_visibility or "hidden",
        execution_time=results.execution_time,
        leaderboard=results.leaderboard,
    )


def failed_run(student: str, failure: RunFailure, total_points: float | None) -> AutograderResult:
    """The result of a run whose autograder failed: one visible `autograder` case, no points."""
    # Whatever verdict the caller gave, a failed autograder never passes anyone.
    verdict = Verdict.INTERNAL_ERROR if failure.verdict == Verdict.PASSED else failure.verdict
    maximum = total_points or 0.0
    case = CaseResult(
        name=AUTOGRADER_CASE,
        verdict=verdict,
        points=0.0,
        max_points=maximum,
        message=failure.message,
    )
    return AutograderResult(
        student=student,
        verdict=verdict,
        score=0.0,
        max_score=maximum,
        tests=[GradedTest(case=case)],
    )


def _graded(results: Results, test: GradescopeTest, index: int) -> GradedTest:
    """One test of the file as a case, with its formats and visibility resolved."""
    visibility = test.visibility or results.visibility or "visible"
    case = CaseResult(
        name=_name(test, index),
        verdict=Verdict.PASSED if status_of(test) == "passed" else Verdict.WRONG_ANSWER,
        points=test.score or 0.0,
        max_points=test.max_score or 0.0,
        message=test.output or None,
        visibility="visible" if visibility == "visible" else "hidden",
    )
    return GradedTest(
        case=case,
        visibility=visibility,
        name_format=test.name_format or results.test_name_format or "text",
        output_format=test.output_format or results.test_output_format or "text",
        tags=test.tags or [],
    )


def _name(test: GradescopeTest, index: int) -> str:
    """`1.1) Evaluate 1 + 1` as Gradescope lists it; the name alone when it has no number."""
    name = test.name or f"Test {index + 1}"
    return name if test.number is None else f"{number_of(test, index)}) {name}"


def _sum(points: Iterable[float]) -> float:
    return float(sum(points))


def _failed(message: str) -> RunFailure:
    return RunFailure(verdict=Verdict.INTERNAL_ERROR, message=message)
