"""Keys: staff list the keys they may revoke, and revoke them (`runners.access.keys.within`).

An admin reaches every key; an instructor the student keys of its courses and the instructor
keys whose courses are all its own, its own key included. Any other id answers 404, as an
unknown one does. Keys are created by the operator (`oops keys create`), never over HTTP.
"""

from __future__ import annotations

import uuid

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK

from gateway.api.auth import allow
from gateway.api.problems import not_found
from runners.access import keys
from runners.access.keys import KeyView
from runners.access.scope import Scope


@get("/keys", guards=[allow("instructor")])
async def list_keys(access: NamedDependency[Scope]) -> list[KeyView]:
    """The keys the caller may revoke, newest first, revoked ones included; never a key."""
    return await keys.listing(access)


@post("/keys/{key_id:uuid}/revoke", guards=[allow("instructor")], status_code=HTTP_200_OK)
async def revoke_key(key_id: FromPath[uuid.UUID], access: NamedDependency[Scope]) -> KeyView:
    """Revoke the key: every gateway process answers it 401 from its next request on.

    Revoking a revoked key changes nothing and answers the key as it is; a caller may revoke
    its own key, and this answer is the last its key gets.
    """
    found = await keys.revoke(key_id, access)
    if found is None:
        raise not_found("API key", key_id)
    return found
