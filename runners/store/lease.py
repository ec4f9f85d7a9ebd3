"""Taking work under a lease: how a worker claims a case or a single run.

A row is free when it is `queued`, or `running` past its deadline (its worker died). One
conditional update takes it (or, in `submission` isolation, every free case of a submission):
`running`, one more attempt, a new deadline. Two workers racing for the same row cannot both
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
    table: type[CaseRun] | type[Run], row_id: uuid.UUID, lease: timedelta, *returning: Column
) -> dict[str, Any] | None:
    """Claim the row until `lease` from now; its `returning` columns, or None if not free."""
    taken = await take_where(table, table.id == row_id, lease, *returning)
    return taken[0] if taken else None


async def take_where(
    table: type[CaseRun] | type[Run], which: Combinable, lease: timedelta, *returning: Column
) -> list[dict[str, Any]]:
    """Claim every free row that matches `which` until `lease` from now; their `returning`."""
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
                table.updated_at: moment,
            }
        )
        .where(which & free)
        .returning(*returning)
    )
    return taken
