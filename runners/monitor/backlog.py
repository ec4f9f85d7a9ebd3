"""How much work waits, and the operator's cap on it: past `max_queue_depth`, new work waits.

A gateway that accepted everything under a sustained flood would only grow a queue nobody can
drain; refusing early (the gateway answers 503 with `Retry-After`) tells clients to come back
while what is queued is graded. The depth is the number of queued cases and runs in the
database, counted at most once a second per process so a flood of refusals costs one count.
"""

from __future__ import annotations

import time

from runners.errors import QueueFull
from runners.settings import Settings
from runners.store.tables import CaseRun, Run

RECOUNT_SECONDS = 1.0
RETRY_AFTER_SECONDS = 30

_last: list[tuple[float, int]] = []


async def depth() -> int:
    """Queued cases and runs, counted afresh at most every RECOUNT_SECONDS."""
    moment = time.monotonic()
    if _last and moment - _last[0][0] < RECOUNT_SECONDS:
        return _last[0][1]
    cases = await CaseRun.count().where(CaseRun.status == "queued")
    runs = await Run.count().where(Run.status == "queued")
    waiting = int(cases) + int(runs)
    _last[:] = [(moment, waiting)]
    return waiting


async def check_room(config: Settings) -> None:
    """Raise QueueFull when the queue is at the operator's cap (0 means no cap)."""
    if config.max_queue_depth <= 0:
        return
    waiting = await depth()
    if waiting >= config.max_queue_depth:
        raise QueueFull(
            f"{waiting} cases and runs are waiting, the most this server queues "
            f"({config.max_queue_depth}); try again in {RETRY_AFTER_SECONDS} s",
            retry_after=RETRY_AFTER_SECONDS,
        )
