"""`/v1/runs`: run a program once, now or in the background, and read its result."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from gateway.api.auth import allow, owner_of
from gateway.api.problems import not_found
from gateway.api.schemas import Created, RunCreate
from runners import intake, runs
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.queue import notices
from runners.runs import RunView
from runners.settings import settings
from runners.store.states import Leased
from runners.webhooks import checked_callback

MAX_WAIT_SECONDS = 30.0
WAIT_MARGIN_SECONDS = 10.0
RUN_BODY_BYTES = 2 * (settings().max_code_bytes + settings().max_stdin_bytes) + 64 * 1024
"""Room for the largest code and stdin even when JSON escaping doubles them."""


@post(
    "/runs",
    guards=[allow("instructor", "student")],
    request_max_body_size=RUN_BODY_BYTES,
    status_code=HTTP_202_ACCEPTED,
)
async def create_run(
    data: JSONBody[RunCreate],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
    wait: Annotated[
        bool, QueryParameter(description="answer once the run ended (up to 30 s)")
    ] = False,
) -> Response[Created | RunView]:
    """Queue a run; with `?wait=true` answer 201 with its result once it ended."""
    config = settings()
    callback = checked_callback(data.callback_url)
    spec = data.spec()
    run_id = await intake.submit_run(
        config, spec, owner_of(principal), access, callback, data.course_id
    )
    if not wait:
        return Response(Created(run_id, Leased.QUEUED), status_code=HTTP_202_ACCEPTED)
    limit = min((spec.time_limit or config.time_limit) + WAIT_MARGIN_SECONDS, MAX_WAIT_SECONDS)
    with notices.waiting(run_id) as ended:  # a notice sent before this finds the result recorded
        view = await runs.wait(run_id, limit, access, ended)
    if view is None:
        raise not_found("run", run_id)
    finished = view.status not in tuple(Leased)
    return Response(view, status_code=HTTP_201_CREATED if finished else HTTP_202_ACCEPTED)


@get("/runs/{run_id:uuid}", guards=[allow("instructor", "student")])
async def read_run(run_id: FromPath[uuid.UUID], access: NamedDependency[Scope]) -> RunView:
    """The run and, once it ended, its result; only its own key (or an admin) may read it."""
    view = await runs.view(run_id, access)
    if view is None:
        raise not_found("run", run_id)
    return view
