"""What every kind of suite answers the same way: the cases a submission is graded on, and
how their results make its score.

An I/O suite's cases are its own (`grading/scoring.py`). A unit suite's are the tests of its
manifest (`grading/manifest.py`), each planned as a case named by the test's id and worth its
points, so the pipeline records and settles them exactly as it does I/O cases.
"""

from __future__ import annotations

from collections.abc import Sequence

from grading.errors import SuiteError
from grading.manifest import scored_groups
from grading.results import CaseResult, SubmissionResult
from grading.scoring import PlannedCase, score_results, score_submission
from grading.scoring import plan as plan_cases
from grading.suite import Case, Isolation, Suite
from grading.unit import Manifest, UnitSuite

AnySuite = Suite | UnitSuite
"""A suite of any kind, as a document holds it."""


def plan(suite: AnySuite) -> list[PlannedCase]:
    """Every case of the suite in the order it runs; a unit suite's from its manifest."""
    if isinstance(suite, Suite):
        return plan_cases(suite)
    return [
        PlannedCase(
            group=test.group,
            case=Case(name=test.id, points=test.points, visibility=test.visibility),
            index=index,
        )
        for index, test in enumerate(manifest_of(suite).tests)
    ]


def score(suite: AnySuite, student: str, results: Sequence[CaseResult]) -> SubmissionResult:
    """The submission's verdict and score from its cases' results."""
    if isinstance(suite, Suite):
        return score_submission(suite, student, results)
    return score_results(scored_groups(manifest_of(suite)), student, results)


def grouping(suite: AnySuite, asked: Isolation | None = None) -> Isolation:
    """What one container serves: `asked` or the suite's choice for I/O cases; a unit suite's
    tests always run together, one container per submission (its `isolation` says whether in
    one process or one each)."""
    if isinstance(suite, Suite):
        return asked or suite.isolation
    return "submission"


def manifest_of(suite: UnitSuite) -> Manifest:
    """The suite's manifest; a unit suite is stored only once its reference run made one."""
    if suite.manifest is None:
        raise SuiteError(f"{suite.name}: the suite has no manifest yet (run its reference first)")
    return suite.manifest
