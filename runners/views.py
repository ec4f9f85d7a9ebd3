"""Batches and submissions as clients read them, with hidden cases redacted for students."""

from __future__ import annotations

import uuid

import msgspec

from grading.outcome import Verdict
from grading.redact import StudentView, student_view
from grading.results import CaseResult, SubmissionResult
from runners.store.states import WorkState
from runners.store.tables import Batch, Submission


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


class Owned(msgspec.Struct, frozen=True, kw_only=True):
    """Who a batch or submission belongs to, for authorisation and webhooks."""

    owner: str | None
    callback_url: str | None
    student: str | None = None


async def batch_view(batch_id: uuid.UUID) -> BatchView | None:
    """The batch and each of its submissions, or None when there is no such batch."""
    batch = (
        await Batch.select(Batch.assignment, Batch.status, Batch.total)
        .where(Batch.id == batch_id)
        .first()
    )
    if batch is None:
        return None
    rows = (
        await Submission.select(
            Submission.id,
            Submission.student,
            Submission.status,
            Submission.verdict,
            Submission.score,
            Submission.max_score,
        )
        .where(Submission.batch == batch_id)
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


async def batch_owner(batch_id: uuid.UUID) -> Owned | None:
    """The key that created the batch and where its webhook goes."""
    row = await Batch.select(Batch.owner, Batch.callback_url).where(Batch.id == batch_id).first()
    return None if row is None else Owned(**row)


async def submission_owner(submission_id: uuid.UUID) -> Owned | None:
    """The key that sent the submission, its student and where its webhook goes."""
    row = (
        await Submission.select(Submission.owner, Submission.callback_url, Submission.student)
        .where(Submission.id == submission_id)
        .first()
    )
    return None if row is None else Owned(**row)


async def submission_view(submission_id: uuid.UUID, for_a_student: bool) -> SubmissionView | None:
    """The submission with its cases; a student sees hidden cases without their data."""
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
        .where(Submission.id == submission_id)
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
