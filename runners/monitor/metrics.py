"""What `/metrics` reports: queue depth, completion rate and verdicts, and container starts.

Counts are read from the database, the record of what remains to be done. Container start
latencies are kept where every gateway can read them: Redis in the served mode (workers push
them), this process in the embedded mode.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import msgspec
from piccolo.query.functions.aggregate import Count
from redis.asyncio import Redis

from runners.store.clock import now
from runners.store.states import CaseState, Leased
from runners.store.tables import CaseRun, Run

KEY = "oopsengine:metrics:container-start-ms"
KEEP = 1000
RATE_WINDOW = timedelta(minutes=1)

_local: deque[int] = deque(maxlen=KEEP)


class Depth(msgspec.Struct, frozen=True):
    """How many cases or runs are in one unfinished state."""

    kind: str
    status: str
    count: int


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Everything `/metrics` shows, read at one moment."""

    depth: list[Depth]
    completed_per_second: float
    verdicts: dict[str, int]
    start_latencies_ms: list[int]


async def observe_start(redis: Redis | None, milliseconds: int) -> None:
    """Remember one container's start latency (the most recent KEEP are kept)."""
    if redis is None:
        _local.appendleft(milliseconds)
        return
    async with redis.pipeline(transaction=False) as pipe:
        pipe.lpush(KEY, milliseconds)
        pipe.ltrim(KEY, 0, KEEP - 1)
        await pipe.execute()


async def start_latencies(redis: Redis | None) -> list[int]:
    """The most recent container start latencies, newest first, in milliseconds."""
    if redis is None:
        return list(_local)
    return [int(value) for value in await redis.lrange(KEY, 0, KEEP - 1)]


async def snapshot(redis: Redis | None) -> Snapshot:
    """Queue depth by state, cases completed per second over the last minute, verdicts."""
    return Snapshot(
        depth=await _depth(),
        completed_per_second=await _completion_rate(),
        verdicts=await _verdicts(),
        start_latencies_ms=await start_latencies(redis),
    )


async def _depth() -> list[Depth]:
    depth = []
    for kind, table, states in (
        ("case", CaseRun, (CaseState.QUEUED, CaseState.RUNNING)),
        ("run", Run, (Leased.QUEUED, Leased.RUNNING)),
    ):
        for state in states:
            count = await table.count().where(table.status == state)
            depth.append(Depth(kind=kind, status=state.value, count=count))
    return depth


async def _completion_rate() -> float:
    since = now() - RATE_WINDOW
    done = await CaseRun.count().where(
        (CaseRun.status == CaseState.DONE) & (CaseRun.updated_at > since)
    )
    return float(done) / RATE_WINDOW.total_seconds()


async def _verdicts() -> dict[str, int]:
    rows = (
        await CaseRun.select(CaseRun.verdict, Count(alias="count"))
        .where(CaseRun.status == CaseState.DONE)
        .group_by(CaseRun.verdict)
    )
    return {str(row["verdict"] or "none"): int(row["count"]) for row in rows}
