"""Who is looking at a page: the API key in an HTTP-only cookie, or a bearer header.

A person signs in once with an API key; the key goes into an HTTP-only, same-site cookie (never
a URL) and each page authenticates it exactly as the API authenticates a bearer key, rate limit
included (`gateway.api.auth.principal_for`). Forms carry a CSRF token (double-submit cookie,
signed with `OOPS_SECRET_KEY`). A script may instead send `Authorization: Bearer KEY`, as to
the API: a browser never adds that header on its own, so such a request needs no CSRF token.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection, Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Guard, Receive, Scope, Send

from gateway.api.auth import presented_key, principal_for
from runners.access.principal import Principal, Role
from runners.settings import settings

KEY_COOKIE = "oops_key"
CSRF_COOKIE = "oops_csrf"
COOKIE_DAYS = 7


def csrf_config() -> CSRFConfig:
    """Double-submit CSRF tokens for the pages' forms, in an HTTP-only cookie."""
    return CSRFConfig(
        secret=settings().secret_key or secrets.token_hex(32),
        cookie_name=CSRF_COOKIE,
        cookie_httponly=True,
        cookie_samesite="lax",
    )


class PageCSRF(CSRFMiddleware):
    """Litestar's CSRF check, skipped for requests authenticated by a bearer header."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass bearer-keyed requests through; check every other form post."""
        headers = dict(scope.get("headers", []))
        if headers.get(b"authorization", b"").lower().startswith(b"bearer "):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def key_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The key a page request carries: the bearer header first, else the sign-in cookie."""
    return presented_key(connection) or connection.cookies.get(KEY_COOKIE) or None


def page_allow(*roles: Role) -> Guard:
    """Guard: a live key whose role is one of `roles` (admins may see everything).

    Without a live key the sign-in form is shown (401); with another role, a 403 page.
    """
    allowed = {"admin", *roles}

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        found = await principal_for(connection, key_of(connection))
        if found is None:
            raise NotAuthorizedException("sign in with an API key to see this page")
        if found.role not in allowed:
            raise PermissionDeniedException(f"a {found.role} key may not open this page")

    return guard


def principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The principal `signed_in` found for this request."""
    found: Principal = connection.state.principal
    return found


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """Dependency: the signed-in caller."""
    return principal(request)


def key_cookie(request: Request[Any, Any, Any], key: str) -> Cookie:
    """The cookie that keeps a person signed in: HTTP-only, same-site, secure over HTTPS."""
    return Cookie(
        key=KEY_COOKIE,
        value=key,
        max_age=COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def cleared_cookie() -> Cookie:
    """The cookie that signs a person out."""
    return Cookie(key=KEY_COOKIE, value="", max_age=0, httponly=True, samesite="lax", path="/")
