"""The worker process (`oops worker`): taskiq's worker over `runners.queue.worker:broker`.

This module is the worker process's entry point, so importing it is the process's start-up: it
builds the backend from the settings. On the worker's start-up event it opens the database and
starts this process's reconciler; on shutdown it stops both. The broker acknowledges a message
only after its task has recorded its result.
"""

from __future__ import annotations

import asyncio
import contextlib

from taskiq import TaskiqEvents, TaskiqState

from runners.backend import Backend
from runners.queue.reconciler import reconcile_forever
from runners.settings import settings

backend = Backend.build(settings())
broker = backend.broker

__all__ = ["broker"]


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def start(state: TaskiqState) -> None:
    """Open the database and start reconciling."""
    await backend.open()
    state.reconciler = asyncio.create_task(reconcile_forever(backend))


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def stop(state: TaskiqState) -> None:
    """Stop reconciling and close the database."""
    state.reconciler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await state.reconciler
    await backend.close()
