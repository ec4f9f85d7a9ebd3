"""Run-ended notices, so that `POST /v1/runs?wait=true` answers as soon as the result is recorded.

A worker announces each run it recorded; a request waiting for that run wakes and reads the
result from the database. In the served mode notices travel over Redis pub/sub: every gateway
process keeps one subscription (`relay_forever`) and wakes its own waiters. In the embedded
mode the worker is in the same process and wakes them directly. Pub/sub keeps nothing, so a
notice can be missed (Redis restarting, say): waiters still poll the database, more slowly,
and the database stays the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterator

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

CHANNEL = "oopsengine:run-ended"
LISTEN_SECONDS = 1.0
RECONNECT_DELAY = 1.0

log = logging.getLogger(__name__)

_waiting: dict[uuid.UUID, asyncio.Event] = {}


@contextlib.contextmanager
def waiting(run_id: uuid.UUID) -> Iterator[asyncio.Event]:
    """An event set when `run_id` is announced; enter it before the run is queued."""
    ended = _waiting.setdefault(run_id, asyncio.Event())
    try:
        yield ended
    finally:
        _waiting.pop(run_id, None)


def wake(run_id: uuid.UUID) -> None:
    """Wake this process's request waiting for `run_id`, if there is one."""
    ended = _waiting.get(run_id)
    if ended is not None:
        ended.set()


async def announce(redis: Redis | None, run_id: uuid.UUID) -> None:
    """Tell whoever waits for `run_id` that its result is recorded; never fails the run.

    `redis` is the process's (served mode); without one the waiter is in this process.
    """
    if redis is None:
        wake(run_id)
        return
    try:
        await redis.publish(CHANNEL, str(run_id))
    except (RedisConnectionError, TimeoutError) as error:
        log.warning("could not announce run %s (%s); its waiter will poll", run_id, error)


async def relay_forever(redis: Redis) -> None:
    """Subscribe to run-ended notices and wake this process's waiters; reconnects for ever."""
    while True:
        try:
            await _relay(redis)
        except (RedisConnectionError, TimeoutError) as error:
            log.warning("run notices interrupted (%s); waiters poll meanwhile", error)
            await asyncio.sleep(RECONNECT_DELAY)


async def _relay(redis: Redis) -> None:
    async with redis.pubsub() as pubsub:
        await pubsub.subscribe(CHANNEL)
        while True:
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=LISTEN_SECONDS
            )
            if message is not None:
                wake(uuid.UUID(message["data"].decode()))
