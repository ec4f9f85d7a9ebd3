"""The HTTP API: `uvicorn gateway.api.app:create_app --factory`.

The gateway checks and records what it is asked, puts work on the queue and answers at once;
workers do the running (see `runners.queue.tasks`). In the embedded mode (no Postgres or Redis
configured) this one process is also the queue and the runner, and runs the reconciler.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.plugins.problem_details import ProblemDetailsPlugin

from gateway.api.auth import MemoryCounter, RedisCounter
from gateway.api.problems import problem_details
from gateway.api.routes import routers
from runners.backend import Backend
from runners.queue.reconciler import reconcile_forever
from runners.settings import settings

DEFAULT_BODY_BYTES = 1024 * 1024
"""Bodies of routes that carry no code or suite; those set their own limit."""

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


class OfflineDocs(OpenAPIRenderPlugin):
    """A docs page made on the server from the schema: no script or style from a CDN.

    Litestar's UI plugins load their JavaScript from public CDNs, and no package here ships
    those assets, so this page lists every operation and links the full JSON schema.
    """

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """One table row per operation: method, path, summary."""
        rows = "".join(
            f"<tr><td>{method.upper()}</td><td><code>{html.escape(path)}</code></td>"
            f"<td>{html.escape(str(operation.get('summary', '')))}</td></tr>"
            for path, item in openapi_schema.get("paths", {}).items()
            for method, operation in item.items()
            if method in HTTP_METHODS
        )
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        spec = html.escape(self.get_openapi_json_route(request))
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>The full schema: <a href='{spec}'>{spec}</a>. "
            "Send `Authorization: Bearer KEY` to every path but the health checks.</p>"
            f"<table><tr><th>Method</th><th>Path</th><th>What it does</th></tr>{rows}</table>"
            "</body></html>"
        ).encode()


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Build and open the backend (and in embedded mode the reconciler); close them after."""
    backend = Backend.build(settings())
    await backend.open()
    app.state.backend = backend
    app.state.redis = backend.redis
    app.state.counter = (
        RedisCounter(backend.redis) if backend.redis is not None else MemoryCounter()
    )
    embedded = backend.settings.embedded
    reconciler = asyncio.create_task(reconcile_forever(backend)) if embedded else None
    try:
        yield
    finally:
        if reconciler is not None:
            reconciler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reconciler
        await backend.close()


def create_app() -> Litestar:
    """The Litestar application, its routes, problem details and OpenAPI at `/schema`."""
    return Litestar(
        route_handlers=routers(),
        lifespan=[lifespan],
        plugins=[ProblemDetailsPlugin(problem_details())],
        openapi_config=OpenAPIConfig(
            title="OopsEngine",
            version="1",
            description="Runs untrusted code in sandboxes and grades it against test suites.",
            path="/schema",
            render_plugins=[JsonRenderPlugin(path="/openapi.json"), OfflineDocs(path="/")],
        ),
        request_max_body_size=DEFAULT_BODY_BYTES,
    )
