"""Worker heartbeats in Redis: which workers are alive and whether their Docker engine answers.

Each worker process renews a key that expires `worker_timeout` seconds after its last beat. The
gateway's readiness reads them (a gateway runs no containers), and reconcilers read them to
find the claims of a worker that died: a claim whose claimant has no heartbeat is lost work.

A Redis restarted empty loses every heartbeat at once, while every worker is still alive; each
one beats again within `heartbeat_every` seconds. So a worker counts as dead only after its
heartbeat has been missing for a grace period longer than that (`Absences`), never at first
sight of a missing key.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable
from functools import cache

from redis.asyncio import Redis

PREFIX = "oopsengine:worker:"
DOCKER_OK = "docker-ok"
DOCKER_DOWN = "docker-unreachable"


def identity() -> str:
    """This process as claims and heartbeats name it: `host:pid:nonce`.

    The nonce tells a restarted container's worker from its dead predecessor, which often had
    the same host name and pid.
    """
    return _identity(os.getpid())


@cache
def _identity(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{secrets.token_hex(4)}"


async def beat(redis: Redis, docker_ok: bool, ttl: float, name: str | None = None) -> None:
    """Say this worker is alive for `ttl` seconds, and how its engine is."""
    key = f"{PREFIX}{name or identity()}"
    await redis.set(key, DOCKER_OK if docker_ok else DOCKER_DOWN, px=int(ttl * 1000))


async def workers(redis: Redis) -> dict[str, str]:
    """Every live worker and the state of its engine."""
    found: dict[str, str] = {}
    async for key in redis.scan_iter(match=f"{PREFIX}*"):
        value = await redis.get(key)
        if value is not None:
            found[_text(key).removeprefix(PREFIX)] = _text(value)
    return found


async def ready_workers(redis: Redis) -> int:
    """How many live workers can start containers."""
    return sum(1 for state in (await workers(redis)).values() if state == DOCKER_OK)


class Absences:
    """Remembers since when each claimant's heartbeat has been missing, as one observer saw it.

    `dead` names the claimants missing for at least `grace` seconds in a row; a claimant seen
    alive again is forgotten. Times are the caller's monotonic clock.
    """

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.missing_since: dict[str, float] = {}

    def dead(self, claimants: Iterable[str], alive: Iterable[str], moment: float) -> list[str]:
        """The claimants whose heartbeat has been missing for `grace` seconds by `moment`."""
        live = set(alive)
        missing = {c for c in claimants if c not in live}
        self.missing_since = {c: self.missing_since.get(c, moment) for c in missing}
        return sorted(c for c, since in self.missing_since.items() if moment - since >= self.grace)

    def forget(self) -> None:
        """Start counting afresh: Redis was emptied, so every absence so far means nothing."""
        self.missing_since.clear()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
