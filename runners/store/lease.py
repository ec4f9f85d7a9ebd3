"""Taking work under a lease: how a worker claims a case or a single run.

A row is free when it is `queued`, or `running` past its deadline (its worker died). One
conditional update takes it: `running`, one more attempt, a new deadline. Two workers racing
for the same row cannot both win, so a message delivered twice is graded once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from piccolo.columns import Column

from runners.store.clock import now
from runners.store.states import Leased
from runners.store.tables import CaseRun, Run


async def take(
    table: type[CaseRun] | type[Run], row_id: uuid.UUID, lease: timedelta, *returning: Column
) -> dict[str, Any] | None:
    """Claim the row until `lease` from now; its `returning` columns, or None if not free."""
    moment = now()
    free = (table.status == Leased.QUEUED) | (
        (table.status == Leased.RUNNING) & (table.deadline < moment)
    )
    taken = (
        await table.update(
            {
                table.status: Leased.RUNNING,
                table.attempts: table.attempts + 1,
                table.deadline: moment + lease,
                table.updated_at: moment,
            }
        )
        .where((table.id == row_id) & free)
        .returning(*returning)
    )
    return taken[0] if taken else None
