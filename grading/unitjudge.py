"""Grading a student's unit-test report against the suite's manifest.

The manifest (`grading/manifest.py`) decides which tests count and what each is worth; the
report only says how each went. Every manifest test gets one `CaseResult`, named by its id, in
manifest order:

- passed: its points, or, when the test declared partial credit, the `score` it reported,
  clamped to [0, points] (no score reported: all of them);
- failed: `wrong_answer` (`timeout` when the framework says the test ran out of time) and no
  points, with the framework's message and details, and a short diff when the message names
  an expected and an actual value (`grading/assertions.py`); under pytest, a failure that is
  an exception other than a failed assertion (`RecursionError: ...`, `SystemExit: 0`) is a
  `runtime_error`, as an errored test is elsewhere;
- errored: `runtime_error` (or `timeout`), no points;
- skipped in the student's run (the reference ran it): `wrong_answer`, no points;
- missing from the report: failed as the run failed (`RunFailure`, when the runner knows why,
  such as a whole-run timeout), else `runtime_error` "not reported: the test run ended before
  this test finished"; when the report has an error of its own outside any test (a pytest
  collection error, an import that failed), that error is the reason given.

A test reported twice counts as the worse of the two, so a report cannot add a passing copy of a
failed test. Tests the manifest does not list are ignored. With no report at all (it did not
compile, did not import, ran out of time or memory, crashed before writing the report) every
test fails with the `RunFailure`'s verdict and message. The maximum score is always the
manifest's. Groups score as I/O groups do (`grading/scoring.py`).
"""

from __future__ import annotations

import re

import msgspec

from grading.assertions import assertion_diff
from grading.feedback import clip
from grading.junit import Framework, Report, ReportedTest, TestStatus
from grading.manifest import scored_groups
from grading.outcome import Verdict
from grading.results import CaseResult, SubmissionResult
from grading.scoring import score_results
from grading.unit import Manifest, ManifestTest

SHOWN_CHARS = 4000
"""How much of a test's message and details a result carries."""
NOT_REPORTED = "not reported: the test run ended before this test finished"


class RunFailure(msgspec.Struct, frozen=True, kw_only=True):
    """Why a run left no report, or stopped before some tests: the verdict and what to say.

    E.g. `RunFailure(verdict=Verdict.COMPILE_ERROR, message='did not compile (line 4): ...')`,
    or `Verdict.TIMEOUT` with `killed after 60.0 s` when the whole run ran out of time.
    """

    verdict: Verdict
    message: str


def judge_report(
    manifest: Manifest,
    student: str,
    report: Report | None,
    failure: RunFailure | None = None,
) -> SubmissionResult:
    """Grade one submission's report (None: the run left none) against the manifest."""
    reported = _by_id(report.tests) if report is not None else {}
    missing = failure or _missing_reason(manifest, report)
    results = [
        _judged(manifest.framework, test, reported[test.id])
        if test.id in reported
        else _unreported(test, missing)
        for test in manifest.tests
    ]
    return score_results(scored_groups(manifest), student, results)


def _by_id(tests: list[ReportedTest]) -> dict[str, ReportedTest]:
    """Reported tests by id; of two with one id, the worse counts."""
    by_id: dict[str, ReportedTest] = {}
    for test in tests:
        earlier = by_id.get(test.id)
        if earlier is None or _rank(test) > _rank(earlier):
            by_id[test.id] = test
    return by_id


def _rank(test: ReportedTest) -> tuple[int, bool]:
    return _RANK[test.status], test.timed_out


_RANK = {TestStatus.PASSED: 0, TestStatus.SKIPPED: 1, TestStatus.FAILED: 2, TestStatus.ERROR: 3}


def _missing_reason(manifest: Manifest, report: Report | None) -> RunFailure:
    """Why a test is missing: an error the report has outside the manifest's tests, if any."""
    if report is None:
        return RunFailure(verdict=Verdict.RUNTIME_ERROR, message="the test run left no report")
    known = {test.id for test in manifest.tests}
    for test in report.tests:
        if test.id not in known and test.status == TestStatus.ERROR:
            said = _said(test)
            why = f"the tests could not run: {said}" if said else "the tests could not run"
            return RunFailure(verdict=Verdict.RUNTIME_ERROR, message=f"not reported: {why}")
    return RunFailure(verdict=Verdict.RUNTIME_ERROR, message=NOT_REPORTED)


def _judged(framework: Framework, test: ManifestTest, reported: ReportedTest) -> CaseResult:
    """The result of a test the report lists."""
    verdict = _verdict(framework, reported)
    said = _said(reported)
    if reported.status == TestStatus.SKIPPED:
        said = f"skipped: {said}" if said else "skipped"
    return CaseResult(
        name=test.id,
        verdict=verdict,
        points=_earned(test, reported) if verdict == Verdict.PASSED else 0.0,
        max_points=test.points,
        time_ms=reported.time_ms,
        message=said or None,
        diff=None if verdict == Verdict.PASSED else assertion_diff(reported.message),
        group=test.group,
        visibility=test.visibility,
    )


def _verdict(framework: Framework, reported: ReportedTest) -> Verdict:
    if reported.status == TestStatus.PASSED:
        return Verdict.PASSED
    if reported.timed_out:
        return Verdict.TIMEOUT
    if reported.status == TestStatus.ERROR or _raised(framework, reported.message):
        return Verdict.RUNTIME_ERROR
    return Verdict.WRONG_ANSWER


# pytest reports any exception a test's call raises as a <failure> whose message is the
# exception's own line, `RecursionError: maximum recursion depth exceeded` (an <error> is only
# a fixture's). A failed `assert` reads `assert 4 == -4` (or `AssertionError: ...` with a
# message of its own); `Failed: ...` is pytest.fail and pytest.raises' `DID NOT RAISE`, the
# tests saying the answer is wrong. Exception classes are capitalised, so a lowercase word
# before a colon (`expected: <4> ...`) is not one. Other frameworks tell errors apart themselves.
_EXCEPTION_LINE = re.compile(r"(?:[A-Za-z_]\w*\.)*(?P<name>[A-Z]\w*)(?::|$)")
_WRONG_ANSWERS = frozenset({"AssertionError", "Failed"})


def _raised(framework: Framework, message: str) -> bool:
    """Whether a pytest failure is an exception other than a failed assertion."""
    if framework != "pytest":
        return False
    found = _EXCEPTION_LINE.match(message.partition("\n")[0])
    return found is not None and found["name"] not in _WRONG_ANSWERS


def _earned(test: ManifestTest, reported: ReportedTest) -> float:
    """A passed test's points: all of them, or its reported score when it gives partial credit."""
    if not test.partial or reported.score is None:
        return test.points
    return min(max(reported.score, 0.0), test.points)


def _said(reported: ReportedTest) -> str:
    """The framework's message, then its details when they add to it, bounded."""
    message, details = reported.message.strip(), reported.details.strip()
    if details and details != message:
        message = f"{message}\n\n{details}" if message else details
    return clip(message, SHOWN_CHARS)


def _unreported(test: ManifestTest, failure: RunFailure) -> CaseResult:
    """The result of a test the report does not list: failed as the run did."""
    # A test that did not report never passes, whatever verdict the caller gave the run.
    verdict = Verdict.RUNTIME_ERROR if failure.verdict == Verdict.PASSED else failure.verdict
    return CaseResult(
        name=test.id,
        verdict=verdict,
        points=0.0,
        max_points=test.points,
        message=clip(failure.message, SHOWN_CHARS),
        group=test.group,
        visibility=test.visibility,
    )
