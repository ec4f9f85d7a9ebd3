"""Webhook deliveries, signed as Standard Webhooks (standardwebhooks.com) and retried for hours.

A delivery is recorded before anything is sent, so the database says what remains to send.
Workers call `due` and `attempt`; nothing here is sent from a request's path. Every attempt is
logged, and a delivery keeps one id across retries: receivers dedupe on its `webhook-id`.

OopsEngine's own events are POSTed as `{"type", "timestamp", "data"}`. A `bare` delivery sends
`data` alone, with the method asked for: Judge0's callbacks are a PUT of the submission itself.
Both are signed and retried alike.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import random
import time
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import anyio
import httpx
import msgspec

from runners.access.keys import webhook_secret
from runners.access.scope import Scope
from runners.errors import RequestError, RunnerError
from runners.settings import settings
from runners.store import clock
from runners.store.database import bound
from runners.store.states import DeliveryState
from runners.store.tables import Delivery, DeliveryAttempt

BACKOFF: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s) for s in (5, 30, 120, 300, 900, 1800, 3600, 7200, 14400, 28800)
)
"""Waits after each failed attempt; the attempt after the last wait is the final one.

Each is multiplied by `Settings.webhook_backoff_scale` (1 in production; a test shrinks it)."""
JITTER = 0.1
"""Each wait is stretched or shrunk by up to this fraction, so receivers are not stampeded."""
TIMEOUT = 10.0
"""Seconds an attempt may take in all: httpx's own timeouts apply per read, not per request."""
LEASE = timedelta(seconds=60)
"""How long a claimed attempt is hidden from other workers: longer than any request may take."""
MAX_URL_LENGTH = 2000
MAX_ERROR_LENGTH = 500
USER_AGENT = "OopsEngine-Webhooks/1"


class WebhookError(RunnerError, ValueError):
    """A callback URL OopsEngine will not call, or a delivery that cannot be redelivered."""


class AttemptView(msgspec.Struct, frozen=True):
    """One logged attempt: a status code, or the error that stood in for one."""

    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryView(msgspec.Struct, frozen=True):
    """A delivery as its log shows it; `attempts` counts the current round of retries."""

    id: UUID
    event_type: str
    url: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    history: list[AttemptView]


class _Outcome(msgspec.Struct, frozen=True):
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def validate_callback_url(url: str) -> str:
    """The URL itself, if it is an http(s) URL with a host; otherwise a `WebhookError`."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise WebhookError(f"callback URL {url!r} is not a valid URL: {error}") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise WebhookError(f"callback URL must be http:// or https:// with a host, got {url!r}")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookError(f"callback URL is longer than {MAX_URL_LENGTH} characters")
    return url


def checked_callback(url: str | None) -> str | None:
    """The callback URL if OopsEngine will call it; otherwise a `RequestError` on `callback_url`."""
    if url is None:
        return None
    try:
        return validate_callback_url(url)
    except WebhookError as error:
        raise RequestError("callback_url", str(error)) from None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def backoff(attempts: int) -> timedelta | None:
    """The jittered wait after the `attempts`-th failed attempt; None once the schedule is spent."""
    if attempts > len(BACKOFF):
        return None
    # Jitter only spreads retries out; nothing depends on it being unpredictable.
    scale = settings().webhook_backoff_scale
    return BACKOFF[attempts - 1] * scale * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311


async def enqueue(
    subject: str,
    event_type: str,
    url: str,
    data: Any,
    api_key_id: UUID,
    course: UUID | None,
    *,
    method: Literal["POST", "PUT"] = "POST",
    bare: bool = False,
) -> UUID:
    """Record an event about `course`'s work for delivery, due now, signed with the webhook
    secret of `api_key_id`.

    With `bare` the body is `data` itself rather than the event envelope.
    """
    validate_callback_url(url)
    await webhook_secret(api_key_id)
    payload = data if bare else {"type": event_type, "timestamp": clock.now(), "data": data}
    row = Delivery(
        course=course,
        subject=subject,
        event_type=event_type,
        url=url,
        method=method,
        body=msgspec.json.encode(payload).decode(),
        api_key=api_key_id,
        next_attempt_at=clock.now(),
    )
    await row.save()
    return UUID(str(row.id))


async def due(limit: int = 100) -> list[UUID]:
    """Pending deliveries whose next attempt is due, the longest waiting first."""
    ids = (
        await Delivery.select(Delivery.id)
        .where(
            (Delivery.status == DeliveryState.PENDING) & (Delivery.next_attempt_at <= clock.now())
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
        .output(as_list=True)
    )
    return [UUID(str(i)) for i in ids]


async def _claim(delivery_id: UUID) -> dict[str, Any] | None:
    """Take the attempt if it is due, pushing it a lease ahead so no other worker takes it too."""
    now = clock.now()
    rows = (
        await Delivery.update({Delivery.next_attempt_at: now + LEASE})
        .where(
            (Delivery.id == delivery_id)
            & (Delivery.status == DeliveryState.PENDING)
            & (Delivery.next_attempt_at <= now)
        )
        .returning(
            Delivery.url, Delivery.method, Delivery.body, Delivery.api_key, Delivery.attempts
        )
    )
    return rows[0] if rows else None


class _Destination(msgspec.Struct, frozen=True):
    """Where an attempt connects: the address its check approved, or why it must not leave."""

    address: str | None = None
    refusal: str | None = None


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """An address on the public internet: not loopback, private, link-local or reserved."""
    return ip.is_global


async def _destination(url: str) -> _Destination:
    """Resolve the callback's host once; refuse it unless every address it has is public.

    Callback URLs come from API clients; without this check they could make workers POST to
    services inside the operator's network (SSRF). The attempt then connects to the address
    checked here, never to a second lookup, so a name that resolves to a public address for the
    check and to a private one a moment later (DNS rebinding) still cannot reach the inside.
    Redirects are not followed. OOPS_ALLOW_PRIVATE_CALLBACKS=1 lifts the check for receivers on
    the same network, and the attempt connects by name.
    """
    if settings().allow_private_callbacks:
        return _Destination()
    parsed = httpx.URL(url)
    try:
        found = await anyio.getaddrinfo(parsed.host, parsed.port or 443)
    except OSError as error:
        return _Destination(refusal=f"cannot resolve {parsed.host}: {error}")
    addresses = [ipaddress.ip_address(address[0]) for *_, address in found]
    for ip in addresses:
        if not _public(ip):
            refusal = f"refused: {parsed.host} resolves to {ip}, which is not a public address"
            return _Destination(refusal=refusal)
    if not addresses:
        return _Destination(refusal=f"cannot resolve {parsed.host}: no address")
    return _Destination(address=str(addresses[0]))


class _Target(msgspec.Struct, frozen=True):
    """What httpx is given: the URL to connect to, the headers, and the TLS server name."""

    url: httpx.URL
    headers: dict[str, str]
    extensions: dict[str, Any]


def _pinned(url: str, address: str | None, headers: dict[str, str]) -> _Target:
    """The request to `url`, sent to `address` if given, the URL's host as Host and TLS name."""
    target = httpx.URL(url)
    if address is None:
        return _Target(target, headers, {})
    host = {"host": target.netloc.decode("ascii")}
    return _Target(target.copy_with(host=address), headers | host, {"sni_hostname": target.host})


async def _send(method: str, url: str, headers: dict[str, str], body: bytes) -> _Outcome:
    """Send once, without following redirects or reading the receiver's answer."""
    started = time.monotonic()
    destination = await _destination(url)
    if destination.refusal is not None:
        return _Outcome(None, destination.refusal, 0)
    target = _pinned(url, destination.address, headers)
    try:
        async with (
            asyncio.timeout(TIMEOUT),
            httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client,
            client.stream(
                method,
                target.url,
                content=body,
                headers=target.headers,
                extensions=target.extensions,
            ) as response,
        ):
            code, error = response.status_code, None
            if not 200 <= code < 300:
                error = f"HTTP {code}"
    except (httpx.HTTPError, TimeoutError) as failure:
        code, error = None, f"{type(failure).__name__}: {failure}"[:MAX_ERROR_LENGTH]
    return _Outcome(code, error, round((time.monotonic() - started) * 1000))


async def _record(delivery_id: UUID, attempts: int, outcome: _Outcome) -> None:
    """Log the attempt and move the delivery on: delivered, retried later, or failed."""
    now = clock.now()
    changes: dict[Any, Any] = {
        Delivery.attempts: attempts,
        Delivery.last_status_code: outcome.status_code,
        Delivery.last_error: outcome.error,
    }
    wait = None if outcome.ok else backoff(attempts)
    if outcome.ok:
        changes |= {Delivery.status: DeliveryState.DELIVERED, Delivery.delivered_at: now}
    elif wait is None:
        changes |= {Delivery.status: DeliveryState.FAILED}
    else:
        changes |= {Delivery.next_attempt_at: now + wait}
    attempt_row = DeliveryAttempt(
        delivery=delivery_id,
        attempted_at=now,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
    )
    async with bound().transaction():
        await attempt_row.save()
        await Delivery.update(changes).where(Delivery.id == delivery_id)


async def attempt(delivery_id: UUID) -> None:
    """Send a delivery once if it is pending and due; safe to call from many workers at once."""
    claimed = await _claim(delivery_id)
    if claimed is None:
        return
    secret = await webhook_secret(claimed["api_key"])
    body = claimed["body"].encode()
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": str(delivery_id),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, str(delivery_id), timestamp, body),
    }
    outcome = await _send(claimed["method"], claimed["url"], headers, body)
    await _record(delivery_id, claimed["attempts"] + 1, outcome)


async def redeliver(delivery_id: UUID, scope: Scope) -> None:
    """Send a delivered or failed delivery again, due now with a fresh retry schedule."""
    row = (
        await Delivery.select(Delivery.status)
        .where((Delivery.id == delivery_id) & scope.in_courses(Delivery.course))
        .first()
    )
    if row is None:
        raise WebhookError(f"no webhook delivery with id {delivery_id}")
    if row["status"] == DeliveryState.PENDING:
        raise WebhookError(f"delivery {delivery_id} is still pending; it will be retried as is")
    await Delivery.update(
        {
            Delivery.status: DeliveryState.PENDING,
            Delivery.attempts: 0,
            Delivery.next_attempt_at: clock.now(),
        }
    ).where((Delivery.id == delivery_id) & (Delivery.status != DeliveryState.PENDING))


async def log(subject: str, scope: Scope) -> list[DeliveryView]:
    """Every delivery about `subject` within the scope, oldest first, each with its attempts."""
    deliveries = (
        await Delivery.select()
        .where((Delivery.subject == subject) & scope.in_courses(Delivery.course))
        .order_by(Delivery.created_at)
    )
    ids = [row["id"] for row in deliveries]
    attempts = (
        await DeliveryAttempt.select()
        .where(DeliveryAttempt.delivery.is_in(ids))
        .order_by(DeliveryAttempt.attempted_at)
        if ids
        else []
    )
    history: dict[UUID, list[AttemptView]] = {i: [] for i in ids}
    for row in attempts:
        history[row["delivery"]].append(msgspec.convert(row, AttemptView))
    return [
        msgspec.convert(row | {"history": history[row["id"]]}, DeliveryView) for row in deliveries
    ]
