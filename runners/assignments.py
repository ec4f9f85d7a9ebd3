"""Assignments as the API shows them, and the work done on a whole assignment at once."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from grading.suite import Suite
from runners import pipeline
from runners.errors import Conflict, NotFound
from runners.intake import latest_entries, submit_batch
from runners.settings import Settings
from runners.store.tables import Assignment


class AssignmentCreated(msgspec.Struct, frozen=True, kw_only=True):
    """A recorded assignment."""

    id: uuid.UUID
    name: str
    version: int


class AssignmentView(AssignmentCreated, frozen=True, kw_only=True):
    """An assignment with its current suite document."""

    suite: dict[str, Any]


async def create(config: Settings, name: str, suite: Suite) -> AssignmentCreated:
    """Record a new assignment after checking its suite against the operator's limits."""
    assignment_id = await pipeline.create_assignment(config, name, suite)
    return AssignmentCreated(id=assignment_id, name=name, version=1)


async def view(assignment_id: uuid.UUID) -> AssignmentView:
    """The assignment and its current suite document."""
    row = (
        await Assignment.select(Assignment.name, Assignment.version, Assignment.suite)
        .where(Assignment.id == assignment_id)
        .first()
    )
    if row is None:
        raise NotFound("assignment", assignment_id)
    return AssignmentView(
        id=assignment_id,
        name=row["name"],
        version=row["version"],
        suite=msgspec.json.decode(row["suite"]),
    )


async def name_of(assignment_id: uuid.UUID) -> str:
    """The assignment's name."""
    row = await Assignment.select(Assignment.name).where(Assignment.id == assignment_id).first()
    if row is None:
        raise NotFound("assignment", assignment_id)
    return str(row["name"])


async def replace_suite(config: Settings, assignment_id: uuid.UUID, suite: Suite) -> AssignmentView:
    """Swap the assignment's suite; recorded results stay until a regrade."""
    if not await Assignment.exists().where(Assignment.id == assignment_id):
        raise NotFound("assignment", assignment_id)
    await pipeline.replace_suite(config, assignment_id, suite)
    return await view(assignment_id)


async def regrade(
    config: Settings, assignment_id: uuid.UUID, owner: str | None, callback_url: str | None
) -> uuid.UUID:
    """Grade every student's latest submission again, as a batch; the batch's id."""
    if not await Assignment.exists().where(Assignment.id == assignment_id):
        raise NotFound("assignment", assignment_id)
    entries = await latest_entries(assignment_id)
    if not entries:
        raise Conflict(f"assignment {assignment_id} has no submissions to regrade")
    return await submit_batch(config, assignment_id, entries, owner, callback_url)
