"""`/keys`: the keys staff may revoke (the same as `GET /v1/keys`), each with a revoke button."""

from __future__ import annotations

import uuid

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from gateway.api.problems import not_found
from gateway.web.session import cleared_cookie, page_allow
from runners.access import courses, keys
from runners.access.principal import Principal
from runners.access.scope import Scope

staff = [page_allow("instructor")]


@get("/keys", guards=staff, include_in_schema=False)
async def keys_page(
    principal: NamedDependency[Principal], access: NamedDependency[Scope]
) -> Template:
    """Id, role, courses, student, created and revoked of each key, newest first."""
    names = {c.id: c.name for c in await courses.listing(access)}
    context = {"keys": await keys.listing(access), "courses": names, "own": principal.key_id}
    return Template("keys.html", context=context)


@post("/keys/{key_id:uuid}/revoke", guards=staff, include_in_schema=False)
async def revoke_key(
    key_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
) -> Redirect:
    """Revoke the key, as `POST /v1/keys/{id}/revoke` does, and show the list again; after
    revoking one's own key, sign out (the key opens nothing any more)."""
    if await keys.revoke(key_id, access) is None:
        raise not_found("API key", key_id)
    if key_id != principal.key_id:
        return Redirect("/keys", status_code=HTTP_303_SEE_OTHER)
    redirect = Redirect("/", status_code=HTTP_303_SEE_OTHER)
    redirect.cookies.append(cleared_cookie())
    return redirect
