"""Answers a gateway waits for from a worker: one per question, kept in Redis for minutes.

A gateway runs no sandbox. When a request needs one before it can be answered (a unit suite's
reference run), the gateway queues a task with a fresh id and waits for the answer the task
leaves under that id. It polls rather than blocking on Redis: a blocking read longer than
redis-py's socket timeout fails.
"""

from __future__ import annotations

import time

import anyio
import msgspec
from redis.asyncio import Redis

from grading.documents import decode_stored
from grading.errors import SuiteError
from grading.kinds import AnySuite
from runners.errors import EngineUnavailable

KEY = "oopsengine:answer:{}"
KEPT_SECONDS = 600
POLL_SECONDS = 0.1


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """A prepared suite's document, or why there is none (`error`, and whose fault)."""

    suite: str | None = None
    error: str | None = None
    suite_at_fault: bool = False


async def give(redis: Redis, asked: str, answer: Answer) -> None:
    """Leave the answer to question `asked` for whoever waits on it."""
    await redis.set(KEY.format(asked), msgspec.json.encode(answer), ex=KEPT_SECONDS)


async def wait(redis: Redis, asked: str, seconds: float) -> AnySuite:
    """The prepared suite answering `asked`; a `SuiteError` when the suite is at fault, and
    `EngineUnavailable` when no worker could answer within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await redis.getdel(KEY.format(asked))
        if found is not None:
            return _suite(msgspec.json.decode(found, type=Answer))
        await anyio.sleep(POLL_SECONDS)
    raise EngineUnavailable(
        f"no worker prepared the suite within {seconds:g} s: is `oops worker` running?"
    )


def _suite(answer: Answer) -> AnySuite:
    if answer.suite is not None:
        return decode_stored(answer.suite)
    if answer.suite_at_fault:
        raise SuiteError(answer.error or "the suite could not be prepared")
    raise EngineUnavailable(f"a worker could not run the suite's reference: {answer.error}")
