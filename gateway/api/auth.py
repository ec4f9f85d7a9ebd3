"""Who may call what: bearer keys, roles, and a per-key rate limit shared by every gateway.

    admin        everything
    instructor   assignments, batches, runs, gradebooks, deliveries; reads everything
    student      its own runs and its own student's submissions, nothing else

A request passes `authenticate` (a guard on every keyed router: `/v1`, the metrics, and the
Judge0 and Piston routes) and then the route's `allow` guard. The key comes as
`Authorization: Bearer KEY` or, as Judge0 clients send it, `X-Auth-Token: KEY`. The rate
limit is a fixed window per key and minute, counted in Redis when one is configured (so every
gateway process shares it) and in this process otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Any, Protocol

from litestar.connection import ASGIConnection, Request
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard
from redis.asyncio import Redis

from gateway.api.problems import problem
from runners.keys import Principal, Role, authenticate
from runners.settings import settings

WINDOW_SECONDS = 60
RATE_KEY = "oopsengine:rate:{key_id}:{window}"


class Counter(Protocol):
    """Counts hits on a key within a window that expires on its own."""

    def hit(self, key: str, ttl: int) -> Awaitable[int]:
        """Count one more hit on `key` and return the window's total."""


class RedisCounter:
    """A counter every gateway process shares: INCR, and EXPIRE on the window's first hit."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def hit(self, key: str, ttl: int) -> int:
        """Count one more hit on `key` and return the window's total."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, ttl, nx=True)
            count, _ = await pipe.execute()
        return int(count)


class MemoryCounter:
    """The embedded mode's counter: one process, so a dict, emptied of past windows."""

    def __init__(self) -> None:
        self.counts: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, ttl: int) -> int:
        """Count one more hit on `key` and return the window's total."""
        moment = time.monotonic()
        self.counts = {k: v for k, v in self.counts.items() if v[0] > moment}
        expires, count = self.counts.get(key, (moment + ttl, 0))
        self.counts[key] = (expires, count + 1)
        return count + 1


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
    principal = await authenticate(key) if key else None
    if principal is not None:
        await _limit_rate(connection.app.state.counter, principal)
        connection.state.principal = principal
    return principal


async def _limit_rate(counter: Counter, principal: Principal) -> None:
    window = int(time.time()) // WINDOW_SECONDS
    key = RATE_KEY.format(key_id=principal.key_id, window=window)
    if await counter.hit(key, WINDOW_SECONDS) > settings().rate_limit:
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


def owner_of(principal: Principal) -> str:
    """How rows record the key that created them."""
    return str(principal.key_id)
