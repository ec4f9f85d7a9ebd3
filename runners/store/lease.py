"""Taking work under a lease: how a worker claims a case or a single run.

A row is free when it is `queued`, or `running` past its deadline (its worker died). One
conditional update takes it (or, in `submission` isolation, every free case of a submission):
`running`, one more attempt, a new deadline, and the name of the worker that holds it
(`runners.queue.heartbeats.identity`), so the reconciler can take it back as soon as that
worker's heartbeat stops. Two workers racing for the same row cannot both
win, so a message delivered twice is graded once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from runners.store.clock import now
from runners.store.states import Leased
from runners.store.tables import CaseRun, Run


async def take(
    table: type[CaseRun] | type[Run],
    row_id: uuid.UUID,
    lease: timedelta,
    claimant: str,
    *returning: Column,
) -> dict[str, Any] | None:
    """Claim the row for `claimant` until `lease` from now; its `returning`, or None if not free."""
    taken = await take_where(table, table.id == row_id, lease, claimant, *returning)
    return taken[0] if taken else None


async def take_where(
    table: type[CaseRun] | type[Run],
    which: Combinable,
    lease: timedelta,
    claimant: str,
    *returning: Column,
) -> list[dict[str, Any]]:
    """Claim every free row matching `which` for `claimant` until `lease`; their `returning`."""
    moment = now()
    free = (table.status == Leased.QUEUED) | (
        (table.status == Leased.RUNNING) & (table.deadline < moment)
    )
    taken: list[dict[str, Any]] = (
        await table.update(
            {
                table.status: Leased.RUNNING,
                table.attempts: table.attempts + 1,
                table.deadline: moment + lease,
                table.claimant: claimant,
                table.updated_at: moment,
            }
        )
        .where(which & free)
        .returning(*returning)
    )
    return taken
