"""Container start latency, kept where every gateway can read it: Redis, or this process.

Workers observe how long each sandbox took from `create` to running; `/metrics` summarises
the most recent observations. Everything else `/metrics` shows is counted from the database.
"""

from __future__ import annotations

from collections import deque

from redis.asyncio import Redis

from runners.settings import settings

KEY = "oopsengine:metrics:container-start-ms"
KEEP = 1000

_local: deque[int] = deque(maxlen=KEEP)
_clients: list[Redis] = []


def _redis() -> Redis | None:
    if not settings().redis_url:
        return None
    if not _clients:
        _clients.append(Redis.from_url(settings().redis_url))
    return _clients[0]


async def observe_start(milliseconds: int) -> None:
    """Remember one container's start latency (the most recent KEEP are kept)."""
    redis = _redis()
    if redis is None:
        _local.appendleft(milliseconds)
        return
    async with redis.pipeline(transaction=False) as pipe:
        pipe.lpush(KEY, milliseconds)
        pipe.ltrim(KEY, 0, KEEP - 1)
        await pipe.execute()


async def start_latencies() -> list[int]:
    """The most recent container start latencies, newest first, in milliseconds."""
    redis = _redis()
    if redis is None:
        return list(_local)
    return [int(value) for value in await redis.lrange(KEY, 0, KEEP - 1)]
