"""The in-process queue of the embedded mode: every task runs, never more than its limit at once.

Without the limit, a class of a few hundred cases started as many tasks together, each with
its own SQLite connection, and under CPU load `oops grade` failed with "database is locked".
"""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import pytest
from taskiq import AsyncBroker, BrokerMessage
from taskiq.exceptions import UnknownTaskError

from runners.queue.broker import LocalBroker, build_broker
from runners.settings import Settings


async def most_at_once(broker: AsyncBroker, tasks: int) -> tuple[int, list[int]]:
    """Kick `tasks` tasks that each hold a moment; how many ran at once at most, and which ran."""
    running, most, finished = 0, 0, []

    @broker.task(task_name=f"tests.hold.{uuid.uuid4().hex}")
    async def hold(number: int) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        finished.append(number)

    await broker.startup()
    try:
        for number in range(tasks):
            await hold.kiq(number)
        await asyncio.wait_for(broker.wait_all(), timeout=30)  # type: ignore[attr-defined]
    finally:
        await broker.shutdown()
    return most, sorted(finished)


async def test_every_task_runs_and_at_most_limit_run_at_once() -> None:
    assert await most_at_once(LocalBroker(limit=3), 20) == (3, list(range(20)))


async def test_the_embedded_mode_runs_four_tasks_per_sandbox_slot() -> None:
    broker = build_broker(msgspec.structs.replace(Settings(), redis_url="", concurrency=2))
    assert isinstance(broker, LocalBroker)
    assert await most_at_once(broker, 30) == (8, list(range(30)))


async def test_a_task_nobody_registered_is_refused() -> None:
    broker = LocalBroker(limit=2)
    message = BrokerMessage(task_id="1", task_name="nobody.knows", message=b"{}", labels={})
    with pytest.raises(UnknownTaskError):
        await broker.kick(message)
