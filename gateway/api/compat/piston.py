"""Piston's routes: `POST /api/v2/execute` and `GET /api/v2/runtimes`.

Piston has no authentication; here both routes need an API key, as `Authorization: Bearer KEY`
or `X-Auth-Token: KEY`, with API v1's roles and rate limit. Each execution is a run: the answer's
`Content-Location` names it under `/v1/runs`.
"""

from __future__ import annotations

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from gateway.api.auth import allow, owner_of
from gateway.api.problems import problem
from gateway.api.routes.runs import MAX_WAIT_SECONDS, RUN_BODY_BYTES, WAIT_MARGIN_SECONDS
from runners import intake, runs
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.compat import piston
from runners.settings import settings
from runners.store.states import Leased


@post(
    "/api/v2/execute",
    guards=[allow("instructor", "student")],
    request_max_body_size=RUN_BODY_BYTES,
    status_code=HTTP_200_OK,
)
async def execute(
    data: JSONBody[piston.ExecuteRequest],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
) -> Response[piston.ExecuteAnswer]:
    """Run a program and answer once it ended, in Piston's shape."""
    config = settings()
    spec = piston.spec_of(config, data)
    run_id = await intake.submit_run(config, spec, owner_of(principal), access, api="piston")
    budget = runs.longest_seconds(config, spec) + WAIT_MARGIN_SECONDS
    view = await runs.wait(run_id, min(budget, MAX_WAIT_SECONDS), access)
    where = f"/v1/runs/{run_id}"
    if view is None or view.status in tuple(Leased):
        detail = f"the run has not finished yet; read its result at {where}"
        raise problem(504, detail, headers={"Content-Location": where})
    answer = piston.answer(spec.language, view)
    return Response(answer, headers={"Content-Location": where})


@get("/api/v2/runtimes")
async def list_runtimes() -> list[piston.Runtime]:
    """Every language, with Piston's name, version and aliases."""
    return piston.runtimes()


ROUTES = [execute, list_runtimes]
