"""Suite kinds: how a submission is run and how what it reports becomes cases with points.

    executor        runs programs in sandboxes, bounded, compiled once (every kind uses it)
    compile_cache   a compiled program made by one worker and kept in the database
    io              stdin/stdout cases, judged by comparison or by a checker (the default kind)

The pipeline, the queue's tasks and the store know no kind: they plan a suite's cases, claim
them, record one `CaseResult` per case and settle. What differs between kinds is chosen once,
by `kind_of`: checking a suite before it is stored, and grading one case or all the cases a
worker holds of one submission. A new kind (unit tests, an autograder package) is a module
here with a class of the `SuiteKind` shape, and a line in `kind_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from grading.results import CaseResult
from grading.scoring import PlannedCase
from grading.suite import Suite
from runners.settings import Settings
from runners.suites.executor import Executor
from runners.suites.io import IoCases


class SuiteKind(Protocol):
    """What one kind of suite decides; every method must be safe to repeat (redelivery)."""

    def check(self, config: Settings, suite: Suite) -> None:
        """Refuse, with an error naming the field, a suite this deployment cannot run."""

    async def grade_case(
        self, executor: Executor, suite: Suite, planned: PlannedCase, code: str, language: str
    ) -> CaseResult:
        """Grade one case of one submission (`case` isolation)."""

    async def grade_submission(
        self,
        executor: Executor,
        suite: Suite,
        planned: Sequence[PlannedCase],
        code: str,
        language: str,
    ) -> list[CaseResult]:
        """Grade the `planned` cases of one submission together, one result each, in order."""


_IO = IoCases()


def kind_of(suite: Suite) -> SuiteKind:
    """The kind that runs and judges `suite`."""
    return _IO
