"""What clients read: assignments, batches and submissions, hidden cases redacted for students.

The HTTP API and the web pages read the same functions, so what a caller may see is decided
here once: each takes the caller's `Scope` and keeps to it in its own query, so a row of another
course (or another student's, for a student) reads as None, exactly as a missing one.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
import msgspec

from grading.outcome import Verdict
from grading.redact import StudentView, student_view
from grading.results import CaseResult, SubmissionResult
from runners.access.scope import Scope
from runners.store.states import WorkState
from runners.store.tables import Batch, Submission

SUMMARY_COLUMNS = (
    Submission.id,
    Submission.student,
    Submission.status,
    Submission.verdict,
    Submission.score,
    Submission.max_score,
)
"""What a line of a batch, or of an assignment's standings, reads of a submission."""


class Progress(msgspec.Struct, frozen=True):
    """How many of a batch's submissions are graded."""

    done: int
    total: int


class SubmissionSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a batch: a submission and, once graded, its verdict and score."""

    id: uuid.UUID
    student: str
    status: str
    verdict: str | None
    score: float | None
    max_score: float | None


class BatchView(msgspec.Struct, frozen=True, kw_only=True):
    """A batch as `GET /v1/batches/{id}` returns it, and as its webhook carries it."""

    id: uuid.UUID
    assignment_id: uuid.UUID
    status: str
    progress: Progress
    submissions: list[SubmissionSummary]


class SubmissionView(msgspec.Struct, frozen=True, kw_only=True):
    """A submission with every case, as `oops grade --json` shows one student.

    Once graded it carries the fields of the student's view of the result (`grading.redact`),
    or of the whole result for staff; until then its verdict and score are None.
    """

    id: uuid.UUID
    assignment_id: uuid.UUID
    batch_id: uuid.UUID | None
    student: str
    status: str
    language: str = "python"
    verdict: Verdict | None = None
    score: float | None = None
    max_score: float | None = None
    cases: list[CaseResult] = msgspec.field(default_factory=list)


async def batch_view(batch_id: uuid.UUID, scope: Scope) -> BatchView | None:
    """The batch and each of its submissions, or None when there is no such batch in scope.

    A student's scope, should one ask, lists only its own student's submissions.
    """
    batch = (
        await Batch.select(Batch.assignment, Batch.status, Batch.total)
        .where((Batch.id == batch_id) & scope.in_courses(Batch.course))
        .first()
    )
    if batch is None:
        return None
    rows = (
        await Submission.select(*SUMMARY_COLUMNS)
        .where((Submission.batch == batch_id) & scope.of_student(Submission.student))
        .order_by(Submission.student)
    )
    summaries = [SubmissionSummary(**row) for row in rows]
    done = sum(1 for s in summaries if s.status == WorkState.COMPLETED)
    return BatchView(
        id=batch_id,
        assignment_id=batch["assignment"],
        status=batch["status"],
        progress=Progress(done=done, total=batch["total"]),
        submissions=summaries,
    )


def visible_submission(submission_id: uuid.UUID, scope: Scope) -> Any:
    return (
        (Submission.id == submission_id)
        & scope.in_courses(Submission.course)
        & scope.of_student(Submission.student)
    )


async def submission_view(
    submission_id: uuid.UUID, scope: Scope, redacted: bool | None = None
) -> SubmissionView | None:
    """The submission with its cases, or None when there is no such one within the scope.

    A student sees only its own student's, and hidden cases without their data; `redacted`
    asks for that view whoever reads (a webhook that a student's receiver may get).
    """
    for_a_student = scope.for_a_student if redacted is None else redacted
    row = (
        await Submission.select(
            Submission.id,
            Submission.assignment,
            Submission.batch,
            Submission.student,
            Submission.status,
            Submission.language,
            Submission.result,
        )
        .where(visible_submission(submission_id, scope))
        .first()
    )
    if row is None:
        return None
    base = SubmissionView(
        id=row["id"],
        assignment_id=row["assignment"],
        batch_id=row["batch"],
        student=row["student"],
        status=row["status"],
        language=row["language"],
    )
    if row["result"] is None:
        return base
    result = msgspec.json.decode(row["result"], type=SubmissionResult)
    return _with_result(base, result, for_a_student)


def _with_result(
    base: SubmissionView, result: SubmissionResult, for_a_student: bool
) -> SubmissionView:
    graded: StudentView | SubmissionResult = student_view(result) if for_a_student else result
    shown = {field: getattr(graded, field) for field in StudentView.__struct_fields__}
    return msgspec.structs.replace(base, **shown)


async def batch_changes(
    batch_id: uuid.UUID, poll_seconds: float, scope: Scope
) -> AsyncIterator[BatchView]:
    """The batch view each time it changes, polled, ending after the view that is completed."""
    last = b""
    view = await batch_view(batch_id, scope)
    while view is not None:
        encoded = msgspec.json.encode(view)
        if encoded != last:
            last = encoded
            yield view
        if view.status == WorkState.COMPLETED:
            return
        await anyio.sleep(poll_seconds)
        view = await batch_view(batch_id, scope)
