"""Readiness: can this deployment take work now? Its database, Redis, and a Docker engine.

Embedded, this process runs the containers and pings its own engine. Served, the gateway runs
none: Docker counts as reachable when at least one live worker says its engine answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import anyio
import docker
import msgspec
from redis.asyncio import Redis

from runners.backend import Backend
from runners.queue import heartbeats
from runners.store.tables import Assignment

CHECK_TIMEOUT_SECONDS = 5.0

Check = Callable[[], Awaitable[object]]


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    """The parts checked, and for each that failed, why."""

    checked: list[str]
    failed: dict[str, str]


async def readiness(backend: Backend) -> Readiness:
    """Check every part this deployment needs, each within CHECK_TIMEOUT_SECONDS."""
    checks: dict[str, Check] = {"database": _database}
    if backend.redis is None:
        checks["docker"] = _docker
    else:
        checks["redis"] = backend.redis.ping
        checks["docker"] = partial(_workers_with_docker, backend.redis)
    failed = {}
    for part, check in checks.items():
        try:
            with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
                await check()
        except Exception as error:  # any failure means not ready; say which and why
            failed[part] = f"{type(error).__name__}: {error}"
    return Readiness(checked=list(checks), failed=failed)


async def _database() -> None:
    """The database answers and has the schema (`oops migrate` was run)."""
    await Assignment.exists()


async def _workers_with_docker(redis: Redis) -> None:
    if not await heartbeats.ready_workers(redis):
        raise LookupError("no live worker reports a Docker engine that answers")


async def _docker() -> None:
    await anyio.to_thread.run_sync(_ping_docker, abandon_on_cancel=True)


def _ping_docker() -> None:
    client = docker.from_env(timeout=int(CHECK_TIMEOUT_SECONDS))
    try:
        client.ping()
    finally:
        client.close()
