"""Who a batch, submission or run belongs to: the key that asked, its course, its webhook.

Read for authorisation (a student's own submission) and by the tasks that announce completed
work (the webhook goes to the asking key's URL, signed with that key's secret).
"""

from __future__ import annotations

import uuid

import msgspec

from runners.store.tables import Batch, Run, Submission


class Owned(msgspec.Struct, frozen=True, kw_only=True):
    """Who a batch, submission or run belongs to, for authorisation and webhooks."""

    owner: str | None
    callback_url: str | None
    course: uuid.UUID | None = None
    student: str | None = None


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


async def run_owner(run_id: uuid.UUID) -> Owned | None:
    """The key that asked for the run and where its webhook goes, as for batches."""
    row = await Run.select(Run.owner, Run.callback_url, Run.course).where(Run.id == run_id).first()
    return None if row is None else Owned(**row)
