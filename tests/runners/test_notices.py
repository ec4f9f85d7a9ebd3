"""Run-ended notices over the real Redis: a worker's announcement wakes the waiting request."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from runners.queue import notices
from runners.settings import Settings

NOTICE_TIMEOUT = 30.0


async def announce_until_woken(redis: Redis, run_id: uuid.UUID, ended: asyncio.Event) -> None:
    """Announce again and again: the relay's subscription may not be up for the first one."""
    while not ended.is_set():
        await notices.announce(redis, run_id)
        await asyncio.sleep(0.1)


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    """A client of the tests' Redis, closed afterwards."""
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.mark.services
async def test_an_announced_run_wakes_its_waiter_through_redis(redis: Redis) -> None:
    relay = asyncio.create_task(notices.relay_forever(redis))
    run_id = uuid.uuid4()
    try:
        with notices.waiting(run_id) as ended:
            announcing = announce_until_woken(redis, run_id, ended)
            await asyncio.wait_for(announcing, NOTICE_TIMEOUT)
            assert ended.is_set()
    finally:
        relay.cancel()


@pytest.mark.services
async def test_another_run_s_notice_does_not_wake_a_waiter(redis: Redis) -> None:
    relay = asyncio.create_task(notices.relay_forever(redis))
    mine, other = uuid.uuid4(), uuid.uuid4()
    try:
        with notices.waiting(mine) as ended, notices.waiting(other) as others:
            await asyncio.wait_for(announce_until_woken(redis, other, others), NOTICE_TIMEOUT)
            assert not ended.is_set()
    finally:
        relay.cancel()


async def test_embedded_announcements_wake_the_waiter_in_process() -> None:
    run_id = uuid.uuid4()
    with notices.waiting(run_id) as ended:
        await notices.announce(None, run_id)
        assert ended.is_set()
