"""The worker process (`oops worker`): taskiq's worker over `runners.queue.worker:broker`.

On start-up it opens the database and starts this process's reconciler; on shutdown it stops
both. The broker acknowledges a message only after its task has recorded its result.
"""

from __future__ import annotations

import asyncio
import contextlib

from taskiq import TaskiqEvents, TaskiqState

from runners.queue.broker import broker
from runners.queue.reconciler import reconcile_forever
from runners.settings import settings
from runners.store.storage import close_storage, open_storage

__all__ = ["broker"]


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def start(state: TaskiqState) -> None:
    """Open the database and start reconciling."""
    await open_storage()
    state.reconciler = asyncio.create_task(reconcile_forever(settings()))


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def stop(state: TaskiqState) -> None:
    """Stop reconciling and close the database."""
    state.reconciler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await state.reconciler
    await close_storage()
