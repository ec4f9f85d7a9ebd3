"""The HTTP API: `uvicorn gateway.api.app:create_app --factory`.

The gateway checks and records what it is asked, puts work on the queue and answers at once;
workers do the running (see `runners.queue.tasks`). In the embedded mode (no Postgres or Redis
configured) this one process is also the queue and the runner, and runs the reconciler.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsPlugin

from gateway.api.openapi import ProblemAwareJson
from gateway.api.problems import problem_details
from gateway.api.routes import routers
from gateway.web import pages, templates
from gateway.web.docs import SwaggerDocs
from runners import compat
from runners.access.counters import MemoryCounter, RedisCounter
from runners.backend import Backend
from runners.queue import notices
from runners.queue.reconciler import reconcile_forever
from runners.queue.tasks import close_executor
from runners.settings import settings

DEFAULT_BODY_BYTES = 1024 * 1024
"""Bodies of routes that carry no code or suite; those set their own limit."""


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Build and open the backend and start the background jobs; stop and close them after.

    The embedded mode reconciles here; with Redis, run-ended notices are relayed to waiters.
    """
    backend = Backend.build(settings())
    compat.install()
    await backend.open()
    app.state.backend = backend
    app.state.redis = backend.redis
    app.state.counter = (
        RedisCounter(backend.redis) if backend.redis is not None else MemoryCounter()
    )
    background = [
        asyncio.create_task(job)
        for job in (
            reconcile_forever(backend) if backend.settings.embedded else None,
            notices.relay_forever(backend.redis) if backend.redis is not None else None,
        )
        if job is not None
    ]
    try:
        yield
    finally:
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await close_executor()
        await backend.close()


def create_app() -> Litestar:
    """The Litestar application: the API, the web pages, problem details, OpenAPI at `/schema`."""
    return Litestar(
        route_handlers=[*routers(), *pages()],
        template_config=templates(),
        lifespan=[lifespan],
        plugins=[ProblemDetailsPlugin(problem_details())],
        openapi_config=OpenAPIConfig(
            title="OopsEngine",
            version="1",
            description="Runs untrusted code in sandboxes and grades it against test suites.",
            path="/schema",
            render_plugins=[ProblemAwareJson(path="/openapi.json"), SwaggerDocs(path="/")],
            components=Components(
                security_schemes={
                    "apiKey": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="An API key from `oops keys create`.",
                    )
                }
            ),
            security=[{"apiKey": []}],
        ),
        request_max_body_size=DEFAULT_BODY_BYTES,
    )
