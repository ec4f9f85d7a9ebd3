"""Taking work back from workers that died, on the real Postgres and Redis.

A worker whose heartbeat is gone loses its claims within seconds, not at the end of the lease;
a live worker keeps them however slow it is; an emptied Redis (every heartbeat gone at once)
makes nobody dead; a case whose task failed under a live worker is retried without charge.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from grading.suite import Case, Suite
from runners import assignments, pipeline
from runners.access import courses
from runners.pipeline import Entry, Target
from runners.queue import heartbeats, reconciler, tasks
from runners.settings import Settings
from runners.store import clock
from runners.store.tables import CaseRun, Run

pytestmark = [pytest.mark.services]

SUITE = Suite(name="one", cases=[Case(name="one", stdin="1\n", expected_output="1\n")])
LEASE = timedelta(seconds=120)


class Kicks:
    """Records what the reconciler puts back on the queue instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def __call__(self, ident: str) -> None:
        self.sent.append(ident)


@pytest.fixture
async def redis_for_heartbeats(settings: Settings) -> AsyncIterator[Redis]:
    """The tests' Redis database; the heartbeats written here are removed afterwards."""
    redis = Redis.from_url(settings.redis_url)
    yield redis
    async for key in redis.scan_iter(match=f"{heartbeats.PREFIX}test-*"):
        await redis.delete(key)
    await redis.aclose()


async def claimed_case(settings: Settings, claimant: str) -> uuid.UUID:
    """A queued case of a fresh submission, claimed by `claimant`."""
    course = await courses.ensure_default()
    assignment = (await assignments.create(settings, f"one-{uuid.uuid4()}", SUITE, course)).id
    target = Target(assignment=assignment, course=course, suite=SUITE)
    accepted = await pipeline.accept(settings, target, [Entry(student="a", code="1")])
    case = accepted.cases[0]
    assert await pipeline.claim(case, LEASE, claimant) is not None
    return case


async def state(case: uuid.UUID) -> dict[str, object]:
    row = (
        await CaseRun.select(CaseRun.status, CaseRun.claimant, CaseRun.attempts)
        .where(CaseRun.id == case)
        .first()
    )
    assert row is not None
    return row


def watcher(settings: Settings, redis: Redis, kicks: Kicks) -> reconciler.Reconciler:
    return reconciler.Reconciler(settings, redis, kicks=((CaseRun, kicks), (Run, kicks)))


async def test_a_dead_workers_case_goes_back_on_the_queue_after_the_grace(
    database: None, settings: Settings, redis_for_heartbeats: Redis
) -> None:
    dead = f"test-dead-{uuid.uuid4().hex[:8]}:1"
    case = await claimed_case(settings, dead)
    kicks = Kicks()
    watch = watcher(settings, redis_for_heartbeats, kicks)
    watch.absences.grace = 0.0
    await watch.release_dead_workers()
    assert str(case) in kicks.sent
    assert await state(case) == {"status": "queued", "claimant": None, "attempts": 1}
    assert await pipeline.claim(case, LEASE, "test-other:2") is not None


async def test_a_missing_heartbeat_is_not_death_before_the_grace(
    database: None, settings: Settings, redis_for_heartbeats: Redis
) -> None:
    """Redis emptied: every heartbeat vanishes at once, and is back within one beat."""
    worker = f"test-live-{uuid.uuid4().hex[:8]}:1"
    case = await claimed_case(settings, worker)
    kicks = Kicks()
    watch = watcher(settings, redis_for_heartbeats, kicks)
    await watch.release_dead_workers()
    await heartbeats.beat(redis_for_heartbeats, True, ttl=60, name=worker)
    watch.absences.grace = 0.0
    await watch.release_dead_workers()
    assert str(case) not in kicks.sent
    assert await state(case) == {"status": "running", "claimant": worker, "attempts": 1}


async def test_a_slow_live_worker_keeps_its_case_and_records_it_once(
    database: None, settings: Settings, redis_for_heartbeats: Redis
) -> None:
    worker = f"test-slow-{uuid.uuid4().hex[:8]}:1"
    await heartbeats.beat(redis_for_heartbeats, True, ttl=60, name=worker)
    case = await claimed_case(settings, worker)
    kicks = Kicks()
    watch = watcher(settings, redis_for_heartbeats, kicks)
    watch.absences.grace = 0.0
    await watch.release_dead_workers()
    assert str(case) not in kicks.sent
    assert await pipeline.claim(case, LEASE, "test-other:2") is None
    assert await pipeline.record(case, None) is True
    assert await pipeline.record(case, None) is False


async def test_a_case_whose_task_failed_is_retried_later_without_charge(
    database: None, settings: Settings
) -> None:
    """Claimed by this process, held by no task of it: the engine or database failed it."""
    case = await claimed_case(settings, heartbeats.identity())
    freed = await reconciler.release_orphans(CaseRun, heartbeats.identity(), retry_delay=0.0)
    assert freed == 1
    assert await state(case) == {"status": "queued", "claimant": None, "attempts": 0}
    kicks = Kicks()
    stale = clock.now() - timedelta(hours=1)
    assert await reconciler.requeue(CaseRun, kicks, stale, everything=False) >= 1
    assert str(case) in kicks.sent
    again = Kicks()
    await reconciler.requeue(CaseRun, again, stale, everything=False)
    assert str(case) not in again.sent


async def test_a_case_a_task_still_holds_is_not_taken_back(
    database: None, settings: Settings
) -> None:
    case = await claimed_case(settings, heartbeats.identity())
    with tasks.holding(case):
        await reconciler.release_orphans(CaseRun, heartbeats.identity(), retry_delay=0.0)
    assert await state(case) == {
        "status": "running",
        "claimant": heartbeats.identity(),
        "attempts": 1,
    }


def test_absences_name_only_claimants_missing_for_the_whole_grace() -> None:
    absences = heartbeats.Absences(grace=2.5)
    assert absences.dead(["a", "b"], ["b"], moment=10.0) == []
    assert absences.dead(["a", "b"], ["b"], moment=12.0) == []
    assert absences.dead(["a", "b"], ["b"], moment=12.5) == ["a"]
    assert absences.dead(["a", "b"], ["a", "b"], moment=13.0) == []
    assert absences.dead(["a"], [], moment=14.0) == []
    absences.forget()
    assert absences.dead(["a"], [], moment=16.0) == []
