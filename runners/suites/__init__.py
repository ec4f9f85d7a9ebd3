"""Suite kinds: how a submission is run and how what it reports becomes cases with points.

    executor        runs programs in sandboxes, bounded, compiled once (every kind uses it)
    compile_cache   a compiled program made by one worker and kept in the database
    io              stdin/stdout cases, judged by comparison or by a checker (the default kind)
    unit            the instructor's unit tests against the student's files, per-test points

The pipeline, the queue's tasks and the store know no kind: they plan a suite's cases, claim
them, record one `CaseResult` per case and settle. What differs between kinds is chosen once,
by `kind_of`: checking a suite and preparing it to be stored (a unit suite's reference run
fixes its manifest), and grading one case or all the cases a worker holds of one submission.
A new kind (an autograder package, an interactive problem) is a module here with a class of
the `SuiteKind` shape, and a line in `kind_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from grading.kinds import AnySuite
from grading.outcome import RunResult
from grading.results import CaseResult
from grading.scoring import PlannedCase
from grading.suite import Suite
from runners.settings import Settings
from runners.suites.executor import Executor
from runners.suites.io import IoCases
from runners.suites.unit import UnitTests


class SuiteKind(Protocol):
    """What one kind of suite decides, for the suite it was made for; grading must be safe to
    repeat (the queue redelivers)."""

    trusted_run: bool
    """Whether storing the suite needs a run in the sandbox (`prepare` uses the executor)."""

    def check(self, config: Settings) -> None:
        """Refuse, with an error naming the field, a suite this deployment cannot run."""

    async def prepare(self, executor: Executor) -> AnySuite:
        """The suite as it is stored: checked, and with whatever a trusted run fixes."""

    def seconds(self, config: Settings, planned: Sequence[PlannedCase]) -> float:
        """The longest that grading the `planned` cases together may take (a claim's lease)."""

    def ungraded(self, planned: PlannedCase, run: RunResult) -> CaseResult:
        """The result of a case that could not be graded, as `run` (an internal error) says."""

    async def grade_case(
        self, executor: Executor, planned: PlannedCase, code: str, language: str
    ) -> CaseResult:
        """Grade one case of one submission (`case` isolation)."""

    async def grade_submission(
        self, executor: Executor, planned: Sequence[PlannedCase], code: str, language: str
    ) -> list[CaseResult]:
        """Grade the `planned` cases of one submission together, one result each, in order."""


def kind_of(suite: AnySuite) -> SuiteKind:
    """The kind that runs and judges `suite`."""
    if isinstance(suite, Suite):
        return IoCases(suite)
    return UnitTests(suite)
