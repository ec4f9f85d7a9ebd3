"""The task queue: Redis streams when OOPS_REDIS_URL is set, else in-process.

The Redis stream broker acknowledges a message only after its task ran, and redelivers what a
dead worker left unacknowledged; the in-process broker serves the embedded single-process mode.
Neither is the record of what remains to be done: the database is (see `runners.pipeline`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from taskiq import AckableMessage, AsyncBroker, BrokerMessage, InMemoryBroker
from taskiq.exceptions import UnknownTaskError
from taskiq_redis import RedisStreamBroker

from runners.settings import Settings

QUEUE = "oopsengine:cases"
MAX_STREAM_LENGTH = 100_000
IDLE_MS = 10 * 60 * 1000
RECONNECT_DELAY = 1.0
KICK_RETRY_PAUSES = (0.0, 0.0, 0.1)
"""Seconds to wait before each try to send a message."""

log = logging.getLogger(__name__)


class StreamBroker(RedisStreamBroker):
    """The Redis stream broker, surviving a Redis that restarts empty.

    A restarted Redis has lost the consumer group; reading then fails with NOGROUP, and this
    broker declares the group again instead of letting the worker die. The group is declared
    at the start of the stream (id 0), so what was added before any worker started is read.
    """

    async def kick(self, message: BrokerMessage) -> None:
        """Add a message to the stream, trying again on fresh connections after a Redis restart.

        Work reaches the stream only after it is recorded in the database, so a message that
        cannot be sent is not lost: it is logged, and the reconciler puts the row back on the
        queue (at once when Redis came back empty, else after `requeue_after`). The client
        that asked for the work gets its answer rather than an error it might retry.
        """
        for pause in KICK_RETRY_PAUSES:
            await asyncio.sleep(pause)
            try:
                await super().kick(message)
                return
            except RedisConnectionError:
                continue
        log.warning("Redis does not answer; task %s waits for the reconciler", message.task_id)

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        """Yield messages for ever, re-declaring the group after Redis lost it."""
        while True:
            try:
                async for message in super().listen():
                    yield message
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                log.warning("the queue's consumer group is gone (Redis restarted?); declaring it")
                await self._declare_consumer_group()
            except RedisConnectionError as error:
                log.warning("Redis is unreachable (%s); retrying", error)
                await asyncio.sleep(RECONNECT_DELAY)


class LocalBroker(InMemoryBroker):
    """The in-process queue, running at most `limit` tasks at once.

    taskiq's in-memory broker starts every task it is given at once (its `max_async_tasks`
    bounds only brokers that listen). A class of a few hundred cases then opened as many
    SQLite connections together, and under CPU load their writes waited past the busy timeout
    ("database is locked"); here the rest wait their turn, as they would on Redis.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(max_async_tasks=limit, propagate_exceptions=False)
        self._slots = asyncio.Semaphore(limit)

    async def kick(self, message: BrokerMessage) -> None:
        """Start the message's task once a slot is free; refuse a task nobody registered."""
        if self.find_task(message.task_name) is None:
            raise UnknownTaskError(task_name=message.task_name)
        task = asyncio.create_task(self._run(message.message))
        self._running_tasks.add(task)  # as the parent keeps them, for `wait_all` and shutdown
        task.add_done_callback(self._running_tasks.discard)

    async def _run(self, message: bytes) -> None:
        async with self._slots:
            await self.receiver.callback(message=message)


def build_broker(config: Settings) -> AsyncBroker:
    """The broker this configuration asks for."""
    if not config.redis_url:
        return LocalBroker(limit=config.concurrency * 4)
    return StreamBroker(
        url=config.redis_url,
        queue_name=QUEUE,
        consumer_group_name="oopsengine-workers",
        consumer_id="0",
        maxlen=MAX_STREAM_LENGTH,
        idle_timeout=IDLE_MS,
        # Without this lock timeout a SIGKILLed worker can block reclaiming for good.
        unacknowledged_lock_timeout=30,
        xread_block=1000,
    )
