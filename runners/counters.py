"""Counters of hits in windows that expire on their own: per-key rate limits, course quotas.

Served, the counts live in Redis, so every gateway process shares them; embedded, one process
answers every request, so a dict in that process holds them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Protocol, runtime_checkable

from redis.asyncio import Redis


@runtime_checkable
class Counter(Protocol):
    """Counts hits on a key within a window that expires on its own.

    Runtime-checkable because Litestar checks the type of each value it injects.
    """

    def hit(self, key: str, ttl: int, amount: int = 1) -> Awaitable[int]:
        """Count `amount` more hits on `key` and return the window's total."""


class RedisCounter:
    """A counter every gateway process shares: INCRBY, and EXPIRE on the window's first hit."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def hit(self, key: str, ttl: int, amount: int = 1) -> int:
        """Count `amount` more hits on `key` and return the window's total."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            pipe.expire(key, ttl, nx=True)
            count, _ = await pipe.execute()
        return int(count)


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
