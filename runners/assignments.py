"""Assignments as callers see them, within their scope, and the work done on a whole one at once.

An assignment's suite holds its hidden cases' data, so only course staff read it: a student's
scope lists its course's assignments without suites, and reads no suite. An assignment outside
the caller's scope is `NotFound`, exactly as a missing one.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from grading.documents import encode_suite
from grading.kinds import AnySuite
from grading.suite import Suite
from runners.access.counters import Counter
from runners.access.scope import Scope
from runners.errors import Conflict, NotFound
from runners.intake import latest_entries, submit_batch
from runners.pipeline import digest
from runners.queue import tasks
from runners.settings import Settings
from runners.store.clock import now
from runners.store.tables import Assignment


class AssignmentCreated(msgspec.Struct, frozen=True, kw_only=True):
    """An assignment without its suite: as creating one answers, and as a listing shows it."""

    id: uuid.UUID
    name: str
    version: int
    course_id: uuid.UUID


class AssignmentView(AssignmentCreated, frozen=True, kw_only=True):
    """An assignment with its current suite document (hidden cases included: staff only)."""

    suite: dict[str, Any]


SUMMARY = (Assignment.id, Assignment.name, Assignment.version, Assignment.course)


def _summary(row: dict[str, Any]) -> AssignmentCreated:
    return AssignmentCreated(
        id=row["id"], name=row["name"], version=row["version"], course_id=row["course"]
    )


def _visible(assignment_id: uuid.UUID, scope: Scope) -> Any:
    return (Assignment.id == assignment_id) & scope.in_courses(Assignment.course)


async def create(
    config: Settings, name: str, suite: AnySuite, course: uuid.UUID
) -> AssignmentCreated:
    """Record a new assignment in `course` after checking its suite against the limits.

    `runners.access.courses.course_for` chooses the course a caller's new assignment goes to.
    """
    document, given = await _stored_document(config, suite)
    assignment = Assignment(name=name, suite=document, suite_digest=given, course=course)
    await assignment.save()
    return AssignmentCreated(
        id=uuid.UUID(str(assignment.id)), name=name, version=1, course_id=course
    )


async def listing(scope: Scope) -> list[AssignmentCreated]:
    """The assignments of the caller's courses, newest first, without their suites."""
    rows = (
        await Assignment.select(*SUMMARY)
        .where(scope.in_courses(Assignment.course))
        .order_by(Assignment.created_at, ascending=False)
    )
    return [_summary(row) for row in rows]


async def view(assignment_id: uuid.UUID, scope: Scope) -> AssignmentView:
    """The assignment and its current suite document, for its course's staff."""
    row = (
        await Assignment.select(*SUMMARY, Assignment.suite)
        .where(_visible(assignment_id, scope))
        .first()
    )
    if row is None or scope.for_a_student:
        raise NotFound("assignment", assignment_id)
    return AssignmentView(
        **msgspec.structs.asdict(_summary(row)), suite=msgspec.json.decode(row["suite"])
    )


async def name_of(assignment_id: uuid.UUID, scope: Scope) -> str:
    """The assignment's name."""
    row = await Assignment.select(Assignment.name).where(_visible(assignment_id, scope)).first()
    if row is None:
        raise NotFound("assignment", assignment_id)
    return str(row["name"])


async def replace_suite(
    config: Settings, assignment_id: uuid.UUID, suite: AnySuite, scope: Scope
) -> AssignmentView:
    """Swap the assignment's suite; recorded results stay until a regrade."""
    document, given = await _stored_document(config, suite)
    replaced = (
        await Assignment.update(
            {
                Assignment.suite: document,
                Assignment.suite_digest: given,
                Assignment.version: Assignment.version + 1,
                Assignment.updated_at: now(),
            }
        )
        .where(_visible(assignment_id, scope))
        .returning(Assignment.id)
    )
    if not replaced:
        raise NotFound("assignment", assignment_id)
    return await view(assignment_id, scope)


async def _stored_document(config: Settings, suite: AnySuite) -> tuple[str, str]:
    """The suite's document as stored, once its kind has checked and prepared it (a unit
    suite's reference run fixes its manifest), and the digest of the suite as given."""
    prepared = await tasks.prepared(config, suite)
    return encode_suite(prepared).decode(), suite_digest(suite)


def suite_digest(suite: AnySuite) -> str:
    """What tells two suites apart: the document as the instructor gave it (a unit suite's
    manifest is made from it, so it is left out)."""
    given = suite if isinstance(suite, Suite) else msgspec.structs.replace(suite, manifest=None)
    return digest(encode_suite(given).decode())


async def regrade(
    config: Settings,
    assignment_id: uuid.UUID,
    scope: Scope,
    counter: Counter,
    owner: str | None,
    callback_url: str | None,
) -> uuid.UUID:
    """Grade every student's latest submission again, as a batch; the batch's id."""
    if not await Assignment.exists().where(_visible(assignment_id, scope)):
        raise NotFound("assignment", assignment_id)
    entries = await latest_entries(assignment_id, scope)
    if not entries:
        raise Conflict(f"assignment {assignment_id} has no submissions to regrade")
    return await submit_batch(config, assignment_id, entries, owner, scope, counter, callback_url)
