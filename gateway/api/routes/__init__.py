"""The HTTP routes, one module per resource; `/v1` needs a key, health checks do not.

The Judge0 and Piston routes (`gateway.api.compat`) sit at the root, as their clients expect,
and need a key like `/v1`.
"""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from gateway.api.auth import authenticate_request, provide_counter, provide_principal, provide_scope
from gateway.api.compat import judge0, piston
from gateway.api.routes import (
    assignments,
    batches,
    courses,
    health,
    keys,
    languages,
    metrics,
    runs,
    submissions,
)

V1: list[ControllerRouterHandler] = [
    languages.read_languages,
    courses.list_courses,
    courses.create_course,
    courses.set_quota,
    keys.list_keys,
    keys.revoke_key,
    runs.create_run,
    runs.read_run,
    assignments.list_assignments,
    assignments.create_assignment,
    assignments.create_from_package,
    assignments.read_assignment,
    assignments.replace_suite,
    assignments.regrade,
    assignments.gradebook,
    submissions.create_submission,
    submissions.read_submission,
    batches.create_batch,
    batches.read_batch,
    batches.batch_events,
    batches.batch_deliveries,
    batches.redeliver,
]


def keyed(path: str, handlers: list[ControllerRouterHandler]) -> Router:
    """A router whose every route needs a key, and may take the caller as `principal`, what
    it may see as `access` (a `runners.access.scope.Scope`), and the shared hit counter as
    `counter`.
    """
    return Router(
        path,
        route_handlers=handlers,
        guards=[authenticate_request],
        dependencies={
            "principal": Provide(provide_principal),
            "access": Provide(provide_scope),
            "counter": Provide(provide_counter),
        },
    )


def routers() -> list[ControllerRouterHandler]:
    """Every route: health checks open; metrics, `/v1`, Judge0's and Piston's behind a key."""
    root: list[ControllerRouterHandler] = [metrics.metrics, *judge0.ROUTES, *piston.ROUTES]
    return [health.healthz, health.readyz, keyed("/", root), keyed("/v1", V1)]
