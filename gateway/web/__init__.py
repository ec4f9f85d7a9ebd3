"""The instructor's desk: web pages served by the gateway, rendered on the server.

    home.py          `/`: sign in with an API key, then the assignments (or a student's own work)
    assignments.py   `/assignments/{id}`: cases, students, limits, regrade, gradebook downloads
    batches.py       `/batches/{id}`: upload a class's submissions, watch them being graded
    submissions.py   `/results/{id}`: each case's verdict and diff, the code
    runs.py          `/run`: paste code, run it, see what it did
    keys.py          `/keys`: the keys staff may revoke, and revoking them
    docs.py          `/schema`: Swagger UI from a vendored package
    session.py       the sign-in cookie, bearer keys, CSRF; errors.py: problems as pages

Pages read the same `runners.views` and call the same use cases as the `/v1` API, with the
same principal, so what a key may see is decided in one place. Every script, style and font is
served from `/static`: a page loads nothing from another host, and reads fine without script.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from litestar import Router
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from gateway.api.auth import provide_counter, provide_scope
from gateway.web import assignments, batches, filters, home, keys, runs, submissions
from gateway.web.docs import swagger_assets
from gateway.web.errors import error_handlers
from gateway.web.session import PageCSRF, csrf_config, provide_principal

HERE = Path(__file__).parent
POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The browser itself refuses anything a page would load from another host."""
SECURITY_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=POLICY),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]


def templates() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja templates from `gateway/web/templates`, HTML-escaped, with the pages' filters."""
    return TemplateConfig(
        directory=HERE / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=_with_filters,
    )


def _with_filters(engine: JinjaTemplateEngine) -> None:
    environment: Environment = engine.engine
    environment.filters.update(filters.FILTERS)
    environment.globals.update(filters.GLOBALS)


def pages() -> list[ControllerRouterHandler]:
    """The pages, their static files and Swagger UI's assets."""
    router = Router(
        "/",
        route_handlers=[
            home.home,
            home.sign_in,
            home.sign_out,
            assignments.assignment_page,
            assignments.create_assignment,
            assignments.edit_limits,
            assignments.regrade,
            assignments.gradebook,
            batches.upload_batch,
            batches.batch_page,
            batches.batch_events,
            submissions.submission_page,
            runs.run_page,
            runs.run_code,
            keys.keys_page,
            keys.revoke_key,
        ],
        dependencies={
            "principal": Provide(provide_principal),
            "access": Provide(provide_scope),
            "counter": Provide(provide_counter),
        },
        middleware=[DefineMiddleware(PageCSRF, config=csrf_config())],
        exception_handlers=error_handlers(),
        response_headers=SECURITY_HEADERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static", directories=[HERE / "static"], include_in_schema=False
    )
    return [router, static, swagger_assets()]
