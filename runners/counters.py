"""Counters of hits in windows that expire on their own: per-key rate limits, course quotas.

Served, the counts live in Redis, so every gateway process shares them; embedded, one process
answers every request, so a dict in that process holds them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import Protocol, runtime_checkable

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

log = logging.getLogger(__name__)


@runtime_checkable
class Counter(Protocol):
    """Counts hits on a key within a window that expires on its own.

    Runtime-checkable because Litestar checks the type of each value it injects.
    """

    def hit(self, key: str, ttl: int, amount: int = 1) -> Awaitable[int]:
        """Count `amount` more hits on `key` and return the window's total."""

    def count(self, key: str) -> Awaitable[int]:
        """The window's total so far on `key`, counting nothing."""


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
        for _ in range(2):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.incrby(key, amount)
                    pipe.expire(key, ttl, nx=True)
                    count, _ = await pipe.execute()
                return int(count)
            except RedisConnectionError:
                continue
        log.warning("Redis does not answer; a hit on %s goes uncounted", key.split(":")[1])
        return 0

    async def count(self, key: str) -> int:
        """The window's total so far on `key` (0: Redis away, as for `hit`)."""
        for _ in range(2):
            try:
                return int(await self.redis.get(key) or 0)
            except RedisConnectionError:
                continue
        log.warning("Redis does not answer; %s is taken as 0", key.split(":")[1])
        return 0


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

    async def count(self, key: str) -> int:
        """The window's total so far on `key`."""
        expires, count = self.counts.get(key, (0.0, 0))
        return count if expires > time.monotonic() else 0
