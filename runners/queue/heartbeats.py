"""Worker heartbeats in Redis: which workers are alive and whether their Docker engine answers.

A gateway runs no containers, so its readiness asks the workers: each one's reconciler writes
a key that expires unless renewed, saying whether its engine answered the last ping.
"""

from __future__ import annotations

import os
import socket

from redis.asyncio import Redis

PREFIX = "oopsengine:worker:"
DOCKER_OK = "docker-ok"
DOCKER_DOWN = "docker-unreachable"


async def beat(redis: Redis, docker_ok: bool, ttl: float) -> None:
    """Say this worker is alive for `ttl` seconds, and how its engine is."""
    name = f"{PREFIX}{socket.gethostname()}:{os.getpid()}"
    await redis.set(name, DOCKER_OK if docker_ok else DOCKER_DOWN, px=int(ttl * 1000))


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


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
