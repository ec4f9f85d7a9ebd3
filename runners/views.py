"""What clients read: assignments, batches and submissions, hidden cases redacted for students.

The HTTP API and the web pages read the same functions, so what a caller may see is decided
here once: each takes the caller's `Scope` and keeps to it in its own query, so a row of another
course (or another student's, for a student) reads as None, exactly as a missing one.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import anyio
import msgspec

from grading.outcome import Verdict
from grading.redact import StudentView, student_view
from grading.results import CaseResult, SubmissionResult
from grading.suite import Suite
from runners.scope import Scope
from runners.store.states import WorkState
from runners.store.tables import Assignment, Batch, Submission

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


class Owned(msgspec.Struct, frozen=True, kw_only=True):
    """Who a batch or submission belongs to, for authorisation and webhooks."""

    owner: str | None
    callback_url: str | None
    course: uuid.UUID | None = None
    student: str | None = None


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


async def batch_owner(batch_id: uuid.UUID) -> Owned | None:
    """The key that created the batch and where its webhook goes."""
    row = (
        await Batch.select(Batch.owner, Batch.callback_url, Batch.course)
        .where(Batch.id == batch_id)
        .first()
    )
    return None if row is None else Owned(**row)


async def submission_owner(submission_id: uuid.UUID) -> Owned | None:
    """The key that sent the submission, its student and where its webhook goes."""
    row = (
        await Submission.select(
            Submission.owner, Submission.callback_url, Submission.course, Submission.student
        )
        .where(Submission.id == submission_id)
        .first()
    )
    return None if row is None else Owned(**row)


def _visible_submission(submission_id: uuid.UUID, scope: Scope) -> Any:
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
        .where(_visible_submission(submission_id, scope))
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


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """The code a submission was graded on, for showing beside its result."""

    language: str
    code: str


class AssignmentSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the list of assignments."""

    id: uuid.UUID
    name: str
    version: int
    created_at: datetime
    students: int
    submissions: int


class Standing(msgspec.Struct, frozen=True, kw_only=True):
    """Where one student stands on an assignment: the latest submission and the best score."""

    student: str
    submissions: int
    latest_id: uuid.UUID
    latest_status: str
    latest_verdict: str | None
    latest_score: float | None
    best_score: float | None
    max_score: float | None


class BatchSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One batch of an assignment, for a list of batches."""

    id: uuid.UUID
    status: str
    total: int
    created_at: datetime


class AssignmentDetail(msgspec.Struct, frozen=True, kw_only=True):
    """An assignment with its suite, each student's standing and its batches, newest first."""

    id: uuid.UUID
    name: str
    version: int
    suite: Suite
    students: list[Standing]
    batches: list[BatchSummary]


async def submission_source(submission_id: uuid.UUID, scope: Scope) -> Source | None:
    """The submission's language and code, or None when there is no such one in the scope."""
    row = (
        await Submission.select(Submission.language, Submission.code)
        .where(_visible_submission(submission_id, scope))
        .first()
    )
    return None if row is None else Source(**row)


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


async def assignment_list(scope: Scope) -> list[AssignmentSummary]:
    """The assignments of the caller's courses, newest first, with how many students and
    submissions each has."""
    rows = (
        await Assignment.select(
            Assignment.id, Assignment.name, Assignment.version, Assignment.created_at
        )
        .where(scope.in_courses(Assignment.course))
        .order_by(Assignment.created_at, ascending=False)
    )
    counted = await Submission.select(Submission.assignment, Submission.student).where(
        scope.in_courses(Submission.course) & scope.of_student(Submission.student)
    )
    students: dict[object, set[str]] = {}
    totals: dict[object, int] = {}
    for row in counted:
        students.setdefault(row["assignment"], set()).add(row["student"])
        totals[row["assignment"]] = totals.get(row["assignment"], 0) + 1
    return [
        AssignmentSummary(
            **row,
            students=len(students.get(row["id"], ())),
            submissions=totals.get(row["id"], 0),
        )
        for row in rows
    ]


async def assignment_detail(assignment_id: uuid.UUID, scope: Scope) -> AssignmentDetail | None:
    """The assignment, its suite, every student's standing and its batches, for its course's
    staff; None if unknown, of another course, or asked by a student (the suite is hidden)."""
    row = (
        await Assignment.select(Assignment.name, Assignment.version, Assignment.suite)
        .where((Assignment.id == assignment_id) & scope.in_courses(Assignment.course))
        .first()
    )
    if row is None or scope.for_a_student:
        return None
    batches = (
        await Batch.select(Batch.id, Batch.status, Batch.total, Batch.created_at)
        .where(Batch.assignment == assignment_id)
        .order_by(Batch.created_at, ascending=False)
    )
    return AssignmentDetail(
        id=assignment_id,
        name=row["name"],
        version=row["version"],
        suite=msgspec.json.decode(row["suite"], type=Suite),
        students=await _standings(assignment_id),
        batches=[BatchSummary(**batch) for batch in batches],
    )


async def _standings(assignment_id: uuid.UUID) -> list[Standing]:
    """Each student's latest submission and best completed score, sorted by student."""
    rows = (
        await Submission.select(*SUMMARY_COLUMNS)
        .where(Submission.assignment == assignment_id)
        .order_by(Submission.submitted_at)
    )
    by_student: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_student.setdefault(row["student"], []).append(row)
    return [_standing(student, by_student[student]) for student in sorted(by_student)]


def _standing(student: str, rows: list[dict[str, Any]]) -> Standing:
    latest = rows[-1]
    scored = [row for row in rows if row["status"] == WorkState.COMPLETED]
    best = max(scored, key=lambda row: row["score"] or 0.0, default=None)
    return Standing(
        student=student,
        submissions=len(rows),
        latest_id=latest["id"],
        latest_status=latest["status"],
        latest_verdict=latest["verdict"],
        latest_score=latest["score"],
        best_score=None if best is None else best["score"],
        max_score=(best or latest)["max_score"],
    )


class OwnSubmission(msgspec.Struct, frozen=True, kw_only=True):
    """One of a student's own submissions, as the student's list shows it (no score: a score
    is withheld while a case is hidden, which only the submission's own view can tell)."""

    id: uuid.UUID
    assignment: str
    status: str
    verdict: str | None
    submitted_at: datetime


async def student_submissions(student: str, scope: Scope) -> list[OwnSubmission]:
    """A student's own submissions in the caller's courses, newest first: what a student key
    may open (the same student id in another course is another person)."""
    rows = (
        await Submission.select(
            Submission.id,
            Submission.assignment.name.as_alias("assignment"),
            Submission.status,
            Submission.verdict,
            Submission.submitted_at,
        )
        .where((Submission.student == student) & scope.in_courses(Submission.course))
        .order_by(Submission.submitted_at, ascending=False)
    )
    return [OwnSubmission(**row) for row in rows]
