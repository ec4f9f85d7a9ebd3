"""Assignments as callers see them, within their scope: listed, read, and regraded.

An assignment's suite holds its hidden cases' data, so only course staff read it: a student's
scope lists its course's assignments by name and never gets a suite.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from runners.pipeline import Entry
from runners.scope import Scope
from runners.store.tables import Assignment, Submission


class AssignmentSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An assignment without its suite: what a listing shows, and what creating one answers."""

    id: uuid.UUID
    name: str
    version: int
    course_id: uuid.UUID


class AssignmentView(AssignmentSummary, frozen=True, kw_only=True):
    """An assignment with its current suite document (hidden cases included: staff only)."""

    suite: dict[str, Any]


def _visible(assignment_id: uuid.UUID, scope: Scope) -> Any:
    return (Assignment.id == assignment_id) & scope.in_courses(Assignment.course)


async def listing(scope: Scope) -> list[AssignmentSummary]:
    """The assignments of the caller's courses, newest first."""
    rows = (
        await Assignment.select(
            Assignment.id, Assignment.name, Assignment.version, Assignment.course
        )
        .where(scope.in_courses(Assignment.course))
        .order_by(Assignment.created_at, ascending=False)
    )
    return [_summary(row) for row in rows]


def _summary(row: dict[str, Any]) -> AssignmentSummary:
    return AssignmentSummary(
        id=row["id"], name=row["name"], version=row["version"], course_id=row["course"]
    )


async def summary(assignment_id: uuid.UUID, scope: Scope) -> AssignmentSummary | None:
    """The assignment without its suite, or None when there is no such one within the scope."""
    row = (
        await Assignment.select(
            Assignment.id, Assignment.name, Assignment.version, Assignment.course
        )
        .where(_visible(assignment_id, scope))
        .first()
    )
    return None if row is None else _summary(row)


async def view(assignment_id: uuid.UUID, scope: Scope) -> AssignmentView | None:
    """The assignment and its suite for course staff; None otherwise, as for a missing one."""
    if scope.for_a_student:
        return None
    row = (
        await Assignment.select(
            Assignment.id, Assignment.name, Assignment.version, Assignment.course, Assignment.suite
        )
        .where(_visible(assignment_id, scope))
        .first()
    )
    if row is None:
        return None
    return AssignmentView(
        **msgspec.structs.asdict(_summary(row)), suite=msgspec.json.decode(row["suite"])
    )


async def latest_entries(assignment_id: uuid.UUID, scope: Scope) -> list[Entry] | None:
    """Each student's latest code for the assignment; None when there is no such assignment."""
    if await summary(assignment_id, scope) is None:
        return None
    rows = (
        await Submission.select(Submission.student, Submission.code, Submission.language)
        .where(
            (Submission.assignment == assignment_id)
            & scope.in_courses(Submission.course)
            & scope.of_student(Submission.student)
        )
        .order_by(Submission.submitted_at, ascending=False)
    )
    latest: dict[str, Entry] = {}
    for row in rows:
        latest.setdefault(row["student"], Entry(**row))
    return list(latest.values())
