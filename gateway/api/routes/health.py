"""Liveness and readiness: is the process up, and can it reach what it needs."""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from gateway.api.problems import FieldError, problem
from runners.monitor.readiness import readiness


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
    ready = await readiness(request.app.state.backend)
    if ready.failed:
        failures = [FieldError(part, message) for part, message in ready.failed.items()]
        parts = ", ".join(ready.failed)
        raise problem(503, f"not ready: {parts} failed", slug="not-ready", errors=failures)
    return {part: "ok" for part in ready.checked}
