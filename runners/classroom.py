"""Grading a whole class from one command, resumably: `oops grade` and `oops export`.

Grading records everything: run it again after an interruption and it reuses the assignment
(same name and suite) and each submission (same student and code), and runs only the cases
that have no result yet. It all goes to the default course: these commands never name one.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from grading.documents import decode_stored
from grading.gradebook import Format, Policy
from grading.kinds import AnySuite
from grading.results import SubmissionResult
from grading.suite import Isolation
from runners import assignments, gradebooks, pipeline
from runners.access import courses
from runners.access.scope import Scope
from runners.errors import NotFound
from runners.pipeline import Entry, Target, Work, digest
from runners.settings import Settings
from runners.store.states import CaseState, WorkState
from runners.store.tables import Assignment, CaseRun, Submission


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    """How far grading a class has come."""

    done: int
    total: int
    settled: bool


async def assignment_for(config: Settings, suite: AnySuite) -> Target:
    """The default course's assignment with this name and exactly this suite, created if new
    (a unit suite's reference run then fixes its manifest, once)."""
    course = await courses.ensure_default()
    row = await _stored(suite, course)
    if row is None:
        await assignments.create(config, suite.name, suite, course)
        row = await _stored(suite, course)
    if row is None:
        raise NotFound("assignment", suite.name)
    stored = decode_stored(row["suite"])
    return Target(assignment=uuid.UUID(str(row["id"])), course=course, suite=stored)


async def _stored(suite: AnySuite, course: uuid.UUID) -> dict[str, Any] | None:
    """The id and stored suite of the course's assignment of this name and suite, if any."""
    found: dict[str, Any] | None = (
        await Assignment.select(Assignment.id, Assignment.suite)
        .where(
            (Assignment.name == suite.name)
            & (Assignment.suite_digest == assignments.suite_digest(suite))
            & (Assignment.course == course)
        )
        .first()
    )
    return found


async def submissions_for(
    config: Settings, target: Target, entries: list[Entry], isolation: Isolation | None = None
) -> list[uuid.UUID]:
    """Reuse each student's recorded submission of the same code; accept the rest.

    `isolation` overrides the suite's for the submissions accepted now; those recorded by an
    earlier, interrupted run keep theirs.
    """
    known = {
        (row["student"], row["code_digest"]): uuid.UUID(str(row["id"]))
        for row in await Submission.select(
            Submission.id, Submission.student, Submission.code_digest
        ).where(Submission.assignment == target.assignment)
    }
    fresh = [e for e in entries if (e.student, digest(e.code)) not in known]
    accepted = await pipeline.accept(config, target, fresh, isolation=isolation)
    new_ids = iter(accepted.submissions)
    return [known.get((e.student, digest(e.code))) or next(new_ids) for e in entries]


async def unfinished_work(config: Settings, submissions: list[uuid.UUID]) -> Work:
    """Every case without a result, as queue work; embedded, those a dead run held freed first."""
    if config.embedded:
        await pipeline.release(submissions)
    return await pipeline.unfinished(submissions)


async def progress(submissions: list[uuid.UUID]) -> Progress:
    """Cases done out of all, and whether every submission is scored."""
    in_class = CaseRun.submission.is_in(submissions)
    total = await CaseRun.count().where(in_class)
    done = await CaseRun.count().where(in_class & (CaseRun.status == CaseState.DONE))
    settled = not await Submission.exists().where(
        Submission.id.is_in(submissions) & (Submission.status != WorkState.COMPLETED)
    )
    return Progress(done=done, total=total, settled=settled)


async def results(submissions: list[uuid.UUID]) -> list[SubmissionResult]:
    """The scored results, in the order of `submissions`."""
    rows = await Submission.select(Submission.id, Submission.result).where(
        Submission.id.is_in(submissions)
    )
    by_id = {str(row["id"]): row["result"] for row in rows}
    return [msgspec.json.decode(by_id[str(s)], type=SubmissionResult) for s in submissions]


async def export(assignment: str, fmt: Format, policy: Policy) -> str | None:
    """The gradebook of the default course's newest assignment called `assignment`; None if
    there is none."""
    course = await courses.ensure_default()
    row = (
        await Assignment.select(Assignment.id)
        .where((Assignment.name == assignment) & (Assignment.course == course))
        .order_by(Assignment.created_at, ascending=False)
        .first()
    )
    if row is None:
        return None
    graded = await gradebooks.rows(uuid.UUID(str(row["id"])), Scope.everything())
    return gradebooks.render(fmt, assignment, graded, policy)
