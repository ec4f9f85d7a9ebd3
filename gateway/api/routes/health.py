"""Liveness and readiness: is the process up, and can it reach what it needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import anyio
import docker
from litestar import Request, get
from redis.asyncio import Redis

from gateway.api.problems import FieldError, problem
from runners.queue import heartbeats
from runners.store.tables import Assignment

CHECK_TIMEOUT_SECONDS = 5.0


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@get("/readyz")
async def readyz(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The database, Redis and Docker answer; else 503 naming the part that failed.

    Embedded, this process runs the containers and pings its own engine. Served, the gateway
    runs none: Docker is reachable when at least one live worker says its engine answers.
    """
    checks: dict[str, Callable[[], Awaitable[object]]] = {"database": _database}
    redis = request.app.state.redis
    if redis is None:
        checks["docker"] = _docker
    else:
        checks["redis"] = redis.ping
        checks["docker"] = partial(_workers_with_docker, redis)
    failures = [FieldError(part, message) for part, message in await _failures(checks)]
    if failures:
        parts = ", ".join(f.field for f in failures)
        raise problem(503, f"not ready: {parts} failed", slug="not-ready", errors=failures)
    return {part: "ok" for part in checks}


async def _failures(checks: dict[str, Callable[[], Awaitable[object]]]) -> list[tuple[str, str]]:
    failed = []
    for part, check in checks.items():
        try:
            with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
                await check()
        except Exception as error:  # any failure means not ready; say which and why
            failed.append((part, f"{type(error).__name__}: {error}"))
    return failed


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
