"""Counters of hits in windows that expire on their own: per-key rate limits, course quotas.

Served, the counts live in Redis, so every gateway process shares them; embedded, one process
answers every request, so a dict in that process holds them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import NamedTuple, Protocol, runtime_checkable

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

log = logging.getLogger(__name__)


class Hit(NamedTuple):
    """`amount` more hits (or fewer, if negative) on `key`, whose window lasts `ttl` seconds."""

    key: str
    ttl: int
    amount: int = 1


@runtime_checkable
class Counter(Protocol):
    """Counts hits on a key within a window that expires on its own.

    Runtime-checkable because Litestar checks the type of each value it injects.
    """

    def hit(self, key: str, ttl: int, amount: int = 1) -> Awaitable[int]:
        """Count `amount` more hits on `key` and return the window's total."""

    def hits(self, *changes: Hit) -> Awaitable[list[int]]:
        """Count several hits at once (one round trip); each window's total, in order."""


class RedisCounter:
    """A counter every gateway process shares: INCRBY, and EXPIRE on the window's first hit.

    A Redis that restarted leaves dead connections in the pool, and a MULTI on one fails once:
    the hit is tried again on a fresh connection. If Redis does not answer at all, the hit goes
    uncounted (logged, and 0 returned): a limit must not turn a Redis outage into every
    request failing, reads included.
    """

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def hit(self, key: str, ttl: int, amount: int = 1) -> int:
        """Count `amount` more hits on `key` and return the window's total (0: Redis away)."""
        return (await self.hits(Hit(key, ttl, amount)))[0]

    async def hits(self, *changes: Hit) -> list[int]:
        """Count every change in one transaction; each window's total (all 0: Redis away)."""
        for _ in range(2):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    for change in changes:
                        pipe.incrby(change.key, change.amount)
                        pipe.expire(change.key, change.ttl, nx=True)
                    answers = await pipe.execute()
                return [int(count) for count in answers[::2]]
            except RedisConnectionError:
                continue
        kinds = ", ".join(change.key.split(":")[1] for change in changes)
        log.warning("Redis does not answer; hits on %s go uncounted", kinds)
        return [0] * len(changes)


class MemoryCounter:
    """The embedded mode's counter: one process, so a dict, emptied of past windows."""

    def __init__(self) -> None:
        self.counts: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, ttl: int, amount: int = 1) -> int:
        """Count `amount` more hits on `key` and return the window's total."""
        moment = time.monotonic()
        self.counts = {k: v for k, v in self.counts.items() if v[0] > moment}
        expires, count = self.counts.get(key, (moment + ttl, 0))
        self.counts[key] = (expires, count + amount)
        return count + amount

    async def hits(self, *changes: Hit) -> list[int]:
        """Count every change; each window's total."""
        return [await self.hit(*change) for change in changes]
