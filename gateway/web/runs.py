"""`/run`: paste a program, run it once in a sandbox, and read what it did."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from gateway.api.auth import owner_of
from gateway.api.routes.runs import MAX_WAIT_SECONDS, RUN_BODY_BYTES, WAIT_MARGIN_SECONDS
from gateway.web.session import page_allow
from runners import intake, runs
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.runs import RunSpec
from runners.sandbox.languages import LANGUAGES
from runners.settings import settings

runners_ = [page_allow("instructor", "student")]


class RunForm(msgspec.Struct, frozen=True):
    """The run form: code, its input and its language."""

    code: str = ""
    stdin: str = ""
    language: str = "python"


@get("/run", guards=runners_, include_in_schema=False)
async def run_page() -> Template:
    """An empty run form."""
    return Template("run.html", context={"form": RunForm(), "languages": sorted(LANGUAGES)})


@post("/run", guards=runners_, request_max_body_size=RUN_BODY_BYTES, include_in_schema=False)
async def run_code(
    data: Annotated[RunForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
) -> Template:
    """Run the pasted code as `POST /v1/runs?wait=true` does, and show the result under it."""
    config = settings()
    spec = RunSpec(
        code=data.code.replace("\r\n", "\n"),
        stdin=data.stdin.replace("\r\n", "\n"),
        language=data.language,
    )
    run_id = await intake.submit_run(config, spec, owner_of(principal), access)
    wait = min(config.time_limit + WAIT_MARGIN_SECONDS, MAX_WAIT_SECONDS)
    result = await runs.wait(run_id, wait, access)
    context = {"form": data, "result": result, "languages": sorted(LANGUAGES)}
    return Template("run.html", context=context)
