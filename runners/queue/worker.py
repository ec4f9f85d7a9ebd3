"""The worker process (`oops worker`): taskiq's worker over `runners.queue.worker:broker`.

This module is the worker process's entry point, so importing it is the process's start-up: it
builds the backend from the settings. On the worker's start-up event it opens the database,
starts this process's reconciler and fills its pool of warm containers; on shutdown it stops
all three, removing the pool's containers. The broker acknowledges a message only after its
task has recorded its result.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from taskiq import TaskiqEvents, TaskiqState

from runners import compat
from runners.backend import Backend
from runners.errors import EngineUnavailable
from runners.queue.reconciler import reconcile_forever
from runners.queue.tasks import close_executor, executor
from runners.settings import settings

backend = Backend.build(settings())
compat.install()
broker = backend.broker

__all__ = ["broker"]

log = logging.getLogger(__name__)


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def start(state: TaskiqState) -> None:
    """Open the database, start reconciling and start warming containers."""
    await backend.open()
    state.reconciler = asyncio.create_task(reconcile_forever(backend))
    try:
        await executor()
    except EngineUnavailable as error:  # the heartbeat reports it; tasks retry on first use
        log.warning("no warm containers yet: %s", error)


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def stop(state: TaskiqState) -> None:
    """Stop reconciling, drain the pool and close the database."""
    state.reconciler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await state.reconciler
    await close_executor()
    await backend.close()
