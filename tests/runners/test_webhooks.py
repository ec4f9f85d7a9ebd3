"""Webhook deliveries against the real Postgres and a real receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import msgspec
import pytest
from piccolo.table import create_db_tables
from standardwebhooks.webhooks import Webhook

from runners import webhooks
from runners.access.keys import NewKey, create_key
from runners.access.scope import Scope
from runners.store.tables import ApiKey, Delivery, DeliveryAttempt
from runners.webhooks import (
    BACKOFF,
    JITTER,
    DeliveryView,
    WebhookError,
    attempt,
    backoff,
    due,
    enqueue,
    log,
    redeliver,
    sign,
    validate_callback_url,
)

pytestmark = pytest.mark.services


class Received(msgspec.Struct, frozen=True):
    headers: dict[str, str]
    body: bytes
    method: str = "POST"


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST or PUT and answers the scripted codes."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.replies: deque[int] = deque()
        self.delay = 0.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append(Received(headers, body, self.command))
                time.sleep(receiver.delay)
                self.send_response(receiver.replies.popleft() if receiver.replies else 200)
                self.send_header("location", receiver.url)
                self.send_header("content-length", "0")
                self.end_headers()

            do_PUT = do_POST

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


EVERYTHING = Scope.everything()


@pytest.fixture(scope="module", autouse=True)
async def webhook_tables(database: None) -> None:
    """The key and delivery tables on the test database, created if missing and kept."""
    await create_db_tables(ApiKey, Delivery, DeliveryAttempt, if_not_exists=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running receiver on a free local port, shut down after the test."""
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
    thread.join()


@pytest.fixture
async def key() -> NewKey:
    return await create_key("instructor")


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens, so connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


async def send(url: str, key: NewKey, data: object = None) -> uuid.UUID:
    """Enqueue a batch.completed event under a fresh subject and return its delivery id."""
    subject = str(uuid.uuid4())
    return await enqueue(
        subject, "batch.completed", url, data or {"batch": subject}, key.id, key.courses[0]
    )


async def make_due(delivery_id: uuid.UUID) -> None:
    """Bring a scheduled retry forward to now, as if its wait had passed."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Delivery.update({Delivery.next_attempt_at: past}).where(Delivery.id == delivery_id)


async def view(delivery_id: uuid.UUID) -> DeliveryView:
    subject = await Delivery.select(Delivery.subject).where(Delivery.id == delivery_id).first()
    assert subject is not None
    (only,) = await log(subject["subject"], EVERYTHING)
    return only


async def test_a_2xx_answer_delivers_a_verifiable_standard_webhook(
    receiver: Receiver, key: NewKey
) -> None:
    delivery_id = await send(receiver.url, key, {"batch": "b1", "completed": 3})
    assert delivery_id in await due()
    await attempt(delivery_id)

    (request,) = receiver.requests
    payload = Webhook(key.webhook_secret).verify(request.body, request.headers)
    assert payload["type"] == "batch.completed"
    assert payload["data"] == {"batch": "b1", "completed": 3}
    assert datetime.fromisoformat(payload["timestamp"]).tzinfo is not None
    assert request.headers["webhook-id"] == str(delivery_id)
    assert request.headers["content-type"] == "application/json"
    shown = await view(delivery_id)
    assert (shown.status, shown.attempts, shown.last_status_code) == ("delivered", 1, 200)
    assert shown.delivered_at is not None
    assert delivery_id not in await due()


async def test_a_500_is_retried_on_schedule_then_delivered(receiver: Receiver, key: NewKey) -> None:
    receiver.replies.extend([500, 200])
    delivery_id = await send(receiver.url, key)
    before = datetime.now(UTC)
    await attempt(delivery_id)
    after = datetime.now(UTC)

    shown = await view(delivery_id)
    assert (shown.status, shown.attempts, shown.last_status_code) == ("pending", 1, 500)
    retry = await Delivery.select(Delivery.next_attempt_at).where(Delivery.id == delivery_id)
    next_at = retry[0]["next_attempt_at"]
    assert before + BACKOFF[0] * (1 - JITTER) <= next_at <= after + BACKOFF[0] * (1 + JITTER)

    await attempt(delivery_id)
    assert len(receiver.requests) == 1, "a retry that is not due yet is not sent"

    await make_due(delivery_id)
    await attempt(delivery_id)
    shown = await view(delivery_id)
    assert (shown.status, shown.last_status_code, shown.last_error) == ("delivered", 200, None)
    assert [a.status_code for a in shown.history] == [500, 200]
    assert shown.history[0].error == "HTTP 500"
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert ids == {str(delivery_id)}, "receivers dedupe on one id across retries"


async def test_a_bare_put_delivery_sends_the_data_itself_signed_and_retries_a_500(
    receiver: Receiver, key: NewKey
) -> None:
    receiver.replies.extend([500, 200])
    data = {"token": "t1", "status": {"id": 3, "description": "Accepted"}}
    delivery_id = await enqueue(
        str(uuid.uuid4()),
        "judge0.submission",
        receiver.url,
        data,
        key.id,
        key.courses[0],
        method="PUT",
        bare=True,
    )
    await attempt(delivery_id)
    await make_due(delivery_id)
    await attempt(delivery_id)

    assert [r.method for r in receiver.requests] == ["PUT", "PUT"]
    for request in receiver.requests:
        assert Webhook(key.webhook_secret).verify(request.body, request.headers) == data
    shown = await view(delivery_id)
    assert (shown.status, [a.status_code for a in shown.history]) == ("delivered", [500, 200])


async def test_a_refused_connection_counts_as_a_failed_attempt(
    closed_port_url: str, key: NewKey
) -> None:
    delivery_id = await send(closed_port_url, key)
    await attempt(delivery_id)
    shown = await view(delivery_id)
    assert (shown.status, shown.attempts, shown.last_status_code) == ("pending", 1, None)
    assert shown.last_error is not None
    assert "ConnectError" in shown.last_error
    (logged,) = shown.history
    assert logged.status_code is None
    assert logged.error == shown.last_error


async def test_a_receiver_that_does_not_answer_in_time_counts_as_a_failed_attempt(
    receiver: Receiver, key: NewKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.2)
    receiver.delay = 1.0
    delivery_id = await send(receiver.url, key)
    await attempt(delivery_id)
    shown = await view(delivery_id)
    assert (shown.status, shown.attempts, shown.last_status_code) == ("pending", 1, None)
    assert shown.last_error is not None
    assert "Timeout" in shown.last_error


async def test_a_redirect_is_a_failure_and_is_not_followed(receiver: Receiver, key: NewKey) -> None:
    receiver.replies.append(307)
    delivery_id = await send(receiver.url, key)
    await attempt(delivery_id)
    assert len(receiver.requests) == 1
    shown = await view(delivery_id)
    assert (shown.status, shown.last_status_code) == ("pending", 307)


async def test_the_delivery_fails_after_the_last_step_of_the_schedule(
    receiver: Receiver, key: NewKey
) -> None:
    receiver.replies.extend([503] * (len(BACKOFF) + 1))
    delivery_id = await send(receiver.url, key)
    for _ in BACKOFF:
        await attempt(delivery_id)
        assert (await view(delivery_id)).status == "pending"
        await make_due(delivery_id)
    await attempt(delivery_id)

    shown = await view(delivery_id)
    assert (shown.status, shown.attempts) == ("failed", len(BACKOFF) + 1)
    assert len(shown.history) == len(BACKOFF) + 1
    assert delivery_id not in await due()
    await attempt(delivery_id)
    assert len(receiver.requests) == len(BACKOFF) + 1


async def test_two_workers_attempting_at_once_send_one_request(
    receiver: Receiver, key: NewKey
) -> None:
    delivery_id = await send(receiver.url, key)
    await asyncio.gather(attempt(delivery_id), attempt(delivery_id))
    assert len(receiver.requests) == 1
    assert len((await view(delivery_id)).history) == 1


async def test_redelivery_sends_again_with_the_same_id_and_keeps_the_log(
    receiver: Receiver, key: NewKey
) -> None:
    delivery_id = await send(receiver.url, key)
    await attempt(delivery_id)
    await redeliver(delivery_id, EVERYTHING)
    assert delivery_id in await due()
    await attempt(delivery_id)

    first, second = receiver.requests[0], receiver.requests[-1]
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == str(delivery_id)
    assert first.body == second.body
    Webhook(key.webhook_secret).verify(second.body, second.headers)
    shown = await view(delivery_id)
    assert shown.status == "delivered"
    assert len(shown.history) == 2


async def test_redelivering_a_pending_or_unknown_delivery_is_refused(
    receiver: Receiver, key: NewKey
) -> None:
    with pytest.raises(WebhookError, match="still pending"):
        await redeliver(await send(receiver.url, key), EVERYTHING)
    with pytest.raises(WebhookError, match="no webhook delivery"):
        await redeliver(uuid.uuid4(), EVERYTHING)


async def test_the_log_lists_every_delivery_about_a_subject(
    receiver: Receiver, key: NewKey
) -> None:
    subject = str(uuid.uuid4())
    first = await enqueue(
        subject, "batch.completed", receiver.url, {"n": 1}, key.id, key.courses[0]
    )
    second = await enqueue(
        subject, "batch.regraded", receiver.url, {"n": 2}, key.id, key.courses[0]
    )
    await attempt(first)
    shown = await log(subject, EVERYTHING)
    assert [(d.id, d.event_type, d.status) for d in shown] == [
        (first, "batch.completed", "delivered"),
        (second, "batch.regraded", "pending"),
    ]
    assert len(shown[0].history) == 1
    assert shown[1].history == []
    assert await log(str(uuid.uuid4()), EVERYTHING) == []


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("ftp://example.test/hook", id="ftp"),
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("http://", id="no-host"),
        pytest.param("hooks.example.test/x", id="no-scheme"),
        pytest.param("https://example.test/" + "a" * 2000, id="too-long"),
    ],
)
async def test_a_callback_url_that_is_not_http_is_refused(url: str, key: NewKey) -> None:
    with pytest.raises(WebhookError, match="callback URL"):
        validate_callback_url(url)
    with pytest.raises(WebhookError):
        await enqueue("s", "batch.completed", url, {}, key.id, key.courses[0])


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://127.0.0.1:8000/hooks", id="http"),
        pytest.param("https://hooks.example.test/oops?token=1", id="https-with-query"),
    ],
)
def test_an_http_callback_url_is_accepted(url: str) -> None:
    assert validate_callback_url(url) == url


def test_the_signature_is_the_one_standard_webhooks_computes() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 -- a test secret
    body = json.dumps({"type": "batch.completed", "data": {"é": 1}}).encode()
    expected = Webhook(secret).sign(
        "msg_1", datetime.fromtimestamp(1_700_000_000, UTC), body.decode()
    )
    assert sign(secret, "msg_1", 1_700_000_000, body) == expected


@pytest.mark.parametrize("attempts", range(1, len(BACKOFF) + 1))
def test_each_wait_is_its_scheduled_step_within_the_jitter(attempts: int) -> None:
    wait = backoff(attempts)
    step = BACKOFF[attempts - 1]
    assert wait is not None
    assert step * (1 - JITTER) <= wait <= step * (1 + JITTER)


def test_the_schedule_retries_for_about_sixteen_hours_then_stops() -> None:
    assert list(BACKOFF) == sorted(BACKOFF)
    assert timedelta(hours=15) < sum(BACKOFF, timedelta()) < timedelta(hours=17)
    assert backoff(len(BACKOFF) + 1) is None


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://127.0.0.1:9/hooks", id="loopback"),
        pytest.param("http://169.254.169.254/latest/meta-data", id="cloud-metadata"),
        pytest.param("http://10.0.0.1/hooks", id="private-range"),
        pytest.param("http://localhost:9/hooks", id="name-resolving-to-loopback"),
    ],
)
async def test_callbacks_to_non_public_addresses_are_refused_by_default(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runners import webhooks
    from runners.settings import Settings

    monkeypatch.setattr(webhooks, "settings", lambda: Settings(allow_private_callbacks=False))
    outcome = await webhooks._send("POST", url, {}, b"{}")
    assert outcome.status_code is None
    assert outcome.error is not None
    assert "not a public address" in outcome.error


async def test_an_attempt_connects_to_the_address_its_check_approved(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the host is looked up once, and the POST goes to the address checked.

    `hooks.invalid` resolves nowhere for the system's resolver. The check's own lookup answers
    the receiver's address, taken as public here, so only a connection to that very address
    reaches the receiver; a second lookup by name would fail.
    """
    from runners.settings import Settings

    port = receiver.server.server_address[1]

    async def lookup(host: str, port_: int, **_: object) -> list[tuple[object, ...]]:
        assert host == "hooks.invalid"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

    monkeypatch.setattr(webhooks, "settings", lambda: Settings(allow_private_callbacks=False))
    monkeypatch.setattr(anyio, "getaddrinfo", lookup)
    monkeypatch.setattr(webhooks, "_public", lambda ip: True)
    outcome = await webhooks._send("POST", f"http://hooks.invalid:{port}/hooks", {}, b"{}")
    assert outcome.error is None
    assert outcome.status_code == 200
    assert receiver.requests[0].headers["host"] == f"hooks.invalid:{port}"


def test_a_pinned_https_attempt_keeps_the_hosts_name_for_tls_and_host() -> None:
    target = webhooks._pinned("https://hooks.example.edu/in?x=1", "2001:db8::1", {"a": "b"})
    assert str(target.url) == "https://[2001:db8::1]/in?x=1"
    assert target.headers == {"a": "b", "host": "hooks.example.edu"}
    assert target.extensions == {"sni_hostname": "hooks.example.edu"}
