"""What the web pages read beyond the API's views: lists, standings, a submission's source.

The pages show an instructor a course at a glance (assignments with their counts, each
student's standing, batches) and a student their own submissions. Each function takes the
caller's `Scope` and keeps to it in its own query, as `runners.views` does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from grading.documents import decode_stored
from grading.kinds import AnySuite
from runners.access.scope import Scope
from runners.store.states import WorkState
from runners.store.tables import Assignment, Batch, Submission
from runners.views import SUMMARY_COLUMNS, visible_submission


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
    suite: AnySuite
    students: list[Standing]
    batches: list[BatchSummary]


async def submission_source(submission_id: uuid.UUID, scope: Scope) -> Source | None:
    """The submission's language and code, or None when there is no such one in the scope."""
    row = (
        await Submission.select(Submission.language, Submission.code)
        .where(visible_submission(submission_id, scope))
        .first()
    )
    return None if row is None else Source(**row)


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
        suite=decode_stored(row["suite"]),
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
