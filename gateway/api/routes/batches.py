"""Batches: a class's submissions graded together, their progress, and their webhook log."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.status_codes import HTTP_202_ACCEPTED

from gateway.api.auth import allow, owner_of
from gateway.api.problems import not_found, too_large
from gateway.api.schemas import BatchCreate, Created
from runners import intake, views, webhooks
from runners.access.counters import Counter
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.pipeline import Entry
from runners.settings import settings
from runners.store.states import WorkState
from runners.views import BatchView
from runners.webhooks import DeliveryView, checked_callback

MAX_SUBMISSIONS = 1000
"""Submissions one batch may hold; send a larger class as several batches."""
BATCH_BODY_BYTES = 64 * 1024 * 1024
EVENTS_POLL_SECONDS = 0.5


@post(
    "/batches",
    guards=[allow("instructor")],
    request_max_body_size=BATCH_BODY_BYTES,
    status_code=HTTP_202_ACCEPTED,
)
async def create_batch(
    data: JSONBody[BatchCreate],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
    counter: NamedDependency[Counter],
) -> Created:
    """Accept a class's submissions at once; follow them at `/v1/batches/{id}`."""
    count = len(data.submissions)
    if count > MAX_SUBMISSIONS:
        message = f"{count} submissions; a batch holds at most {MAX_SUBMISSIONS}"
        raise too_large("submissions", message)
    callback = checked_callback(data.callback_url)
    entries = [Entry(student=s.student, code=s.code, language=s.language) for s in data.submissions]
    batch = await intake.submit_batch(
        settings(),
        data.assignment_id,
        entries,
        owner_of(principal),
        access,
        counter,
        callback,
        data.isolation,
    )
    return Created(batch, WorkState.QUEUED)


async def _batch(batch_id: uuid.UUID, access: Scope) -> BatchView:
    view = await views.batch_view(batch_id, access)
    if view is None:
        raise not_found("batch", batch_id)
    return view


@get("/batches/{batch_id:uuid}", guards=[allow("instructor")])
async def read_batch(batch_id: FromPath[uuid.UUID], access: NamedDependency[Scope]) -> BatchView:
    """The batch's progress and each submission's verdict and score."""
    return await _batch(batch_id, access)


@get("/batches/{batch_id:uuid}/events", guards=[allow("instructor")])
async def batch_events(
    batch_id: FromPath[uuid.UUID], access: NamedDependency[Scope]
) -> ServerSentEvent:
    """Server-sent events: the batch view whenever it changes, ending once it is completed."""
    await _batch(batch_id, access)
    return ServerSentEvent(batch_messages(batch_id, access))


async def batch_messages(
    batch_id: uuid.UUID, access: Scope
) -> AsyncIterator[ServerSentEventMessage]:
    """One `batch` event per change of the batch view, the last one once it is completed."""
    async for view in views.batch_changes(batch_id, EVENTS_POLL_SECONDS, access):
        yield ServerSentEventMessage(data=msgspec.json.encode(view).decode(), event="batch")


@get("/batches/{batch_id:uuid}/deliveries", guards=[allow("instructor")])
async def batch_deliveries(
    batch_id: FromPath[uuid.UUID], access: NamedDependency[Scope]
) -> list[DeliveryView]:
    """Every webhook sent about the batch, with each attempt."""
    await _batch(batch_id, access)
    return await webhooks.log(str(batch_id), access)


@post(
    "/batches/{batch_id:uuid}/deliveries/{delivery_id:uuid}/redeliver",
    guards=[allow("instructor")],
    status_code=HTTP_202_ACCEPTED,
)
async def redeliver(
    batch_id: FromPath[uuid.UUID],
    delivery_id: FromPath[uuid.UUID],
    access: NamedDependency[Scope],
) -> DeliveryView:
    """Send a delivered or failed webhook again, with a fresh retry schedule."""
    await _batch(batch_id, access)
    if not any(d.id == delivery_id for d in await webhooks.log(str(batch_id), access)):
        raise not_found("delivery", delivery_id)
    await webhooks.redeliver(delivery_id, access)
    log = await webhooks.log(str(batch_id), access)
    return next(d for d in log if d.id == delivery_id)
