"""Judge0 CE's routes: `/submissions`, `/submissions/batch`, `/languages`, `/statuses`, `/about`,
`/config_info`. A submission's token is its run's id, so `/v1/runs/{token}` reads it too.

Keys, roles and the rate limit are API v1's; a key may come as `X-Auth-Token`, as Judge0's own
clients send it. Errors are problem details naming Judge0's field (see `docs/compat.md`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from gateway.api.auth import allow, owner_of
from gateway.api.problems import not_found, too_large
from gateway.api.routes.runs import MAX_WAIT_SECONDS, RUN_BODY_BYTES, WAIT_MARGIN_SECONDS
from runners import runs
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.compat import judge0, judge0_info, judge0_runs
from runners.settings import settings

Encoded = Annotated[bool, QueryParameter(description="source, input and output fields are base64")]
Fields = Annotated[
    str | None, QueryParameter(description="comma-separated fields to answer with, or `*`")
]


@post(
    "/submissions",
    guards=[allow("instructor", "student")],
    request_max_body_size=RUN_BODY_BYTES,
    status_code=HTTP_201_CREATED,
)
async def create_submission(
    data: JSONBody[judge0.SubmissionRequest],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
    base64_encoded: Encoded = False,
    wait: Annotated[bool, QueryParameter(description="answer once it ran (up to 30 s)")] = False,
    fields: Fields = None,
) -> dict[str, Any]:
    """Queue a submission and answer its token; with `?wait=true`, the finished submission."""
    wanted = judge0.parse_fields(fields)
    owner = owner_of(principal)
    (run_id,) = await judge0_runs.submit(settings(), [data], base64_encoded, owner, access)
    if not wait:
        return {"token": str(run_id)}
    stored = await runs.load(run_id, access)
    if stored is not None:
        budget = runs.longest_seconds(settings(), stored.spec) + WAIT_MARGIN_SECONDS
        await runs.wait(run_id, min(budget, MAX_WAIT_SECONDS), access)
        stored = await runs.load(run_id, access)
    if stored is None:
        raise not_found("submission", run_id)
    return judge0.render(stored, wanted, base64_encoded)


@post(
    "/submissions/batch",
    guards=[allow("instructor", "student")],
    request_max_body_size=judge0.MAX_BATCH * RUN_BODY_BYTES,
    status_code=HTTP_201_CREATED,
)
async def create_batch(
    data: JSONBody[judge0.BatchRequest],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
    base64_encoded: Encoded = False,
) -> list[dict[str, str]]:
    """Queue up to 20 submissions at once; answers their tokens in order."""
    owner = owner_of(principal)
    created = await judge0_runs.submit(settings(), data.submissions, base64_encoded, owner, access)
    return [{"token": str(run_id)} for run_id in created]


@get("/submissions/batch", guards=[allow("instructor", "student")])
async def read_batch(
    access: NamedDependency[Scope],
    tokens: Annotated[str, QueryParameter(description="comma-separated tokens")],
    base64_encoded: Encoded = False,
    fields: Fields = None,
) -> dict[str, list[dict[str, Any] | None]]:
    """Several submissions by token, in order; `null` for a token that names none of yours."""
    wanted = judge0.parse_fields(fields)
    named = [token.strip() for token in tokens.split(",") if token.strip()]
    if len(named) > judge0.MAX_BATCH:
        raise too_large("tokens", f"ask for at most {judge0.MAX_BATCH} tokens at once")
    found = [await _readable(access, token) for token in named]
    shown = [
        None if stored is None else judge0.render(stored, wanted, base64_encoded)
        for stored in found
    ]
    return {"submissions": shown}


@get("/submissions/{token:str}", guards=[allow("instructor", "student")])
async def read_submission(
    token: FromPath[str],
    access: NamedDependency[Scope],
    base64_encoded: Encoded = False,
    fields: Fields = None,
) -> dict[str, Any]:
    """One submission; only the key that made it (or an admin) may read it."""
    wanted = judge0.parse_fields(fields)
    stored = await _readable(access, token)
    if stored is None:
        raise not_found("submission", token)
    return judge0.render(stored, wanted, base64_encoded)


async def _readable(access: Scope, token: str) -> runs.StoredRun | None:
    """The run `token` names, if this caller may see it (its own key's, in its courses)."""
    try:
        run_id = uuid.UUID(token)
    except ValueError:
        return None
    return await runs.load(run_id, access)


@get("/languages")
async def list_languages() -> list[judge0_info.Language]:
    """Every language, under the ids Judge0 CE 1.13.1 gives it."""
    return judge0_info.languages()


@get("/languages/{language_id:int}")
async def read_language(language_id: FromPath[int]) -> judge0_info.LanguageDetail:
    """One language: its source file and its compile and run commands."""
    detail = judge0_info.language_detail(language_id)
    if detail is None:
        raise not_found("language", language_id)
    return detail


@get("/statuses")
async def list_statuses() -> list[judge0.Status]:
    """Judge0's statuses and their descriptions."""
    return judge0.statuses()


@get("/about")
async def about() -> judge0_info.About:
    """The Judge0 version these routes behave as."""
    return judge0_info.about()


@get("/config_info")
async def config_info() -> judge0_info.ConfigInfo:
    """This server's limits, in Judge0's fields and units."""
    return judge0_info.config_info(settings())


ROUTES = [
    create_submission,
    create_batch,
    read_batch,
    read_submission,
    list_languages,
    read_language,
    list_statuses,
    about,
    config_info,
]
