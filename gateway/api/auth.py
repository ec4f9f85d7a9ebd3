"""Who may call what: bearer keys, roles, and a per-key rate limit shared by every gateway.

    admin        everything, in every course; creates courses and sets their quotas
    instructor   assignments, batches, runs, gradebooks, deliveries, keys of its own courses
    student      its course's assignment list, its own runs, its own student's submissions

Roles are checked here (`allow`); what a key may see within its role, its courses and its
student, is `runners.access.scope.Scope`, which every use case applies in its own queries.

A request passes `authenticate` (a guard on every keyed router: `/v1`, the metrics, and the
Judge0 and Piston routes) and then the route's `allow` guard. The key comes as
`Authorization: Bearer KEY` or, as Judge0 clients send it, `X-Auth-Token: KEY`. The rate
limit is a fixed window per key and minute, counted in Redis when one is configured (so every
gateway process shares it) and in this process otherwise.

A presented key is limited per client address before it is looked up: each takes a token
from its address's window (`auth_failure_limit` a minute) and one that turns out valid gives
it back, in the same round trip to the counter that counts the key's own rate. An address past
its window is refused with 429 at once, so a flood of made-up keys costs neither a database
lookup nor a key's own budget. Keys are never logged; the stored
hash is compared in constant time (`runners.access.keys`).

Every request looks its key up in the database, and no process keeps what it found beyond the
request: a key revoked through any gateway process is refused by all of them from the next
request on. Keep it so; a per-process cache would let a revoked key through until it expired.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from gateway.api.problems import problem
from runners.access.counters import Counter, Hit
from runners.access.keys import authenticate
from runners.access.principal import Principal, Role
from runners.access.scope import Scope
from runners.settings import settings

WINDOW_SECONDS = 60
RATE_KEY = "oopsengine:rate:{key_id}:{window}"
ADDRESS_KEY = "oopsengine:unknown-keys:{address}:{window}"


def presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The key in `Authorization: Bearer KEY`, else in `X-Auth-Token: KEY` (Judge0's header)."""
    scheme, _, key = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return key.strip()
    return connection.headers.get("x-auth-token", "").strip() or None


async def authenticate_request(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: the caller's key names a live principal, within its rate limit."""
    principal = await principal_for(connection, presented_key(connection))
    if principal is None:
        detail = "send a valid API key as `Authorization: Bearer KEY` or `X-Auth-Token: KEY`"
        raise problem(401, detail, headers={"WWW-Authenticate": "Bearer"})


async def principal_for(
    connection: ASGIConnection[Any, Any, Any, Any], key: str | None
) -> Principal | None:
    """The principal `key` stands for, counted against its rate limit and kept on the request.

    The API takes the key from the `Authorization` header, the web pages also from a cookie;
    both come here, so a key has one principal and one rate limit however it is sent.
    """
    if not key:
        return None
    counter: Counter = connection.app.state.counter
    address_key = await _limit_unknown_keys(counter, _address(connection))
    principal = await authenticate(key)
    if principal is None:
        return None
    await _limit_rate(counter, principal, address_key)
    connection.state.principal = principal
    return principal


def _address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return connection.client.host if connection.client else "unknown"


async def _limit_unknown_keys(counter: Counter, address: str) -> str:
    """Take a token from the address's window of presented keys; 429 when none is left."""
    window = int(time.time()) // WINDOW_SECONDS
    key = ADDRESS_KEY.format(address=address, window=window)
    limit = settings().auth_failure_limit
    if await counter.hit(key, WINDOW_SECONDS) > limit:
        retry = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
        detail = f"more than {limit} requests without a valid key came from {address} this minute"
        raise problem(429, detail, headers={"Retry-After": str(retry)})
    return key


async def _limit_rate(counter: Counter, principal: Principal, address_key: str) -> None:
    """Give the address its token back and count the key's request; 429 past its rate."""
    window = int(time.time()) // WINDOW_SECONDS
    key = RATE_KEY.format(key_id=principal.key_id, window=window)
    _, used = await counter.hits(
        Hit(address_key, WINDOW_SECONDS, amount=-1), Hit(key, WINDOW_SECONDS)
    )
    if used > settings().rate_limit:
        retry = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
        detail = f"this key made more than {settings().rate_limit} requests this minute"
        raise problem(429, detail, headers={"Retry-After": str(retry)})


def allow(*roles: Role) -> Guard:
    """Guard: the principal's role is one of `roles` (admins may do everything)."""
    allowed = {"admin", *roles}

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        role = principal_of(connection).role
        if role not in allowed:
            raise problem(403, f"a {role} key may not do this")

    return guard


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The principal `authenticate_request` found for this request."""
    principal: Principal = connection.state.principal
    return principal


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """Dependency: the authenticated caller."""
    return principal_of(request)


async def provide_scope(request: Request[Any, Any, Any]) -> Scope:
    """Dependency: what the authenticated caller may see."""
    return Scope.of(principal_of(request))


async def provide_counter(request: Request[Any, Any, Any]) -> Counter:
    """Dependency: the hit counter every gateway process shares (quotas, rate limits)."""
    counter: Counter = request.app.state.counter
    return counter


def owner_of(principal: Principal) -> str:
    """How rows record the key that created them."""
    return str(principal.key_id)
