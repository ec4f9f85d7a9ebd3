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
from taskiq import AckableMessage, AsyncBroker, InMemoryBroker
from taskiq_redis import RedisStreamBroker

from runners.settings import Settings

QUEUE = "oopsengine:cases"
MAX_STREAM_LENGTH = 100_000
IDLE_MS = 10 * 60 * 1000
RECONNECT_DELAY = 1.0

log = logging.getLogger(__name__)


class StreamBroker(RedisStreamBroker):
    """The Redis stream broker, surviving a Redis that restarts empty.

    A restarted Redis has lost the consumer group; reading then fails with NOGROUP, and this
    broker declares the group again instead of letting the worker die. The group is declared
    at the start of the stream (id 0), so what was added before any worker started is read.
    """

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


def build_broker(config: Settings) -> AsyncBroker:
    """The broker this configuration asks for."""
    if not config.redis_url:
        return InMemoryBroker(max_async_tasks=config.concurrency * 4, propagate_exceptions=False)
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
