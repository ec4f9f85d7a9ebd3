"""Puts lost work back on the queue, sends due webhook retries, sweeps abandoned containers.

The database is the record of what remains to be done; the queue is only how work reaches a
worker. Work goes back on the queue when:

- its claimant is dead: a case or run is `running` for a worker whose heartbeat has been
  missing for half of `worker_timeout` (SIGKILL, a crash, a lost host); seconds, not the lease;
- its task failed under a live worker: the claimant is this process but no task here holds it
  (the engine or the database went away mid-case); it waits `retry_delay` seconds, uncharged;
- a case or run is `running` past its deadline: the lease, the last resort when Redis says
  nothing (its worker died while Redis was down, say);
- a case or run has sat `queued` for `requeue_after` seconds: its message may be lost;
- the queue's marker key is gone: Redis restarted empty, so everything `queued` goes back now.

A case of a submission graded in `submission` isolation goes back as its whole submission.

Every worker process runs one reconciler and one heartbeat. Taking a row back is a conditional
update (on its status and claimant, or on `updated_at`), so two reconcilers never both put back
the same row, and a slow worker that finishes after all records nothing twice: recording is
conditional too, and claiming is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
import docker
from piccolo.columns import Column
from piccolo.custom_types import Combinable
from redis.asyncio import Redis

from runners import webhooks
from runners.backend import Backend
from runners.catalogue import publish_versions
from runners.errors import EngineUnavailable
from runners.queue import heartbeats
from runners.queue.tasks import deliver, execute_run, held, kick_case
from runners.sandbox import janitor
from runners.sandbox.build import versions
from runners.settings import Settings
from runners.store.clock import now
from runners.store.states import Leased
from runners.store.tables import CaseRun, Run

MARKER = "oopsengine:queue-marker"
BATCH = 500

log = logging.getLogger(__name__)

Kick = Callable[[str], Awaitable[object]]
Table = type[CaseRun] | type[Run]
KICKS: tuple[tuple[Table, Kick], ...] = ((CaseRun, kick_case), (Run, execute_run.kiq))


async def requeue(table: Table, kick: Kick, stale_before: datetime, everything: bool) -> int:
    """Put back lost rows of `table` (all queued ones when `everything`); returns how many."""
    moment = now()
    lost = (table.status == Leased.RUNNING) & (table.deadline < moment)
    retry_due = (table.status == Leased.QUEUED) & (table.deadline < moment)
    waiting: Combinable = table.status == Leased.QUEUED
    if not everything:
        waiting = waiting & (table.updated_at < stale_before)
    rows = (
        await table.select(table.id, table.status, table.updated_at)
        .where(lost | retry_due | waiting)
        .limit(BATCH)
    )
    count = 0
    for row in rows:
        # A queued row's deadline is its retry time: cleared here, so it is kicked once.
        changes: dict[Column | str, Any] = {table.updated_at: moment}
        if row["status"] == Leased.QUEUED:
            changes[table.deadline] = None
        taken = (
            await table.update(changes)
            .where((table.id == row["id"]) & (table.updated_at == row["updated_at"]))
            .returning(table.id)
        )
        if taken:
            await kick(str(row["id"]))
            count += 1
    return count


async def claimants(table: Table) -> set[str]:
    """Every worker that holds a running row of `table`."""
    rows = await table.select(table.claimant).where(
        (table.status == Leased.RUNNING) & table.claimant.is_not_null()
    )
    return {row["claimant"] for row in rows}


async def release_dead(table: Table, kick: Kick, claimant: str) -> int:
    """Put the running rows of a dead worker back on the queue now; returns how many.

    The attempt it spent still counts: a case that kills every worker it reaches must end.
    """
    freed = (
        await table.update(
            {
                table.status: Leased.QUEUED,
                table.claimant: None,
                table.deadline: None,
                table.updated_at: now(),
            }
        )
        .where((table.status == Leased.RUNNING) & (table.claimant == claimant))
        .returning(table.id)
    )
    for row in freed:
        await kick(str(row["id"]))
    return len(freed)


async def release_orphans(table: Table, me: str, retry_delay: float) -> int:
    """Give back the rows this live process claimed but no task of it holds; returns how many.

    Their task failed through the infrastructure, not through the student's code, so the
    attempt is not counted; `requeue` kicks them when `retry_delay` has passed.
    """
    mine = (table.status == Leased.RUNNING) & (table.claimant == me)
    owners = [CaseRun.submission] if table is CaseRun else []
    rows = await table.select(table.id, *owners).where(mine)
    working = held()
    # A task of `submission` isolation holds its submission, not each of its cases.
    orphans = [
        row["id"]
        for row in rows
        if str(row["id"]) not in working and str(row.get("submission")) not in working
    ]
    if not orphans:
        return 0
    freed = (
        await table.update(
            {
                table.status: Leased.QUEUED,
                table.claimant: None,
                table.attempts: table.attempts - 1,
                table.deadline: now() + timedelta(seconds=retry_delay),
                table.updated_at: now(),
            }
        )
        .where(table.id.is_in(orphans) & (table.status == Leased.RUNNING) & (table.claimant == me))
        .returning(table.id)
    )
    return len(freed)


async def redis_was_emptied(redis: Redis | None) -> bool:
    """True once after Redis lost its data (the marker key is gone); sets the marker again."""
    if redis is None:
        return False
    created = await redis.set(MARKER, "1", nx=True)
    return bool(created)


class Reconciler:
    """One process's reconciler: remembers which claimants' heartbeats it has seen missing."""

    def __init__(
        self, config: Settings, redis: Redis | None, kicks: tuple[tuple[Table, Kick], ...] = KICKS
    ) -> None:
        self.config = config
        self.redis = redis
        self.kicks = kicks
        self.absences = heartbeats.Absences(grace=config.worker_timeout / 2)

    async def pass_once(self) -> None:
        """One round: dead workers' and failed tasks' work back, lost work back, webhooks sent."""
        everything = await redis_was_emptied(self.redis)
        if everything:
            log.warning("the queue was emptied; putting every queued case and run back")
            self.absences.forget()
        await self.release_dead_workers()
        for table, _ in self.kicks:
            await release_orphans(table, heartbeats.identity(), self.config.retry_delay)
        stale = now() - timedelta(seconds=self.config.requeue_after)
        cases, runs = [await requeue(t, kick, stale, everything) for t, kick in self.kicks]
        if cases or runs:
            log.info("put back %d cases and %d runs", cases, runs)
        for delivery in await webhooks.due():
            await deliver.kiq(str(delivery))

    async def release_dead_workers(self) -> None:
        """Hand back at once what workers whose heartbeat stopped were holding."""
        if self.redis is None:
            return
        holders = {c for table, _ in self.kicks for c in await claimants(table)}
        alive = await heartbeats.workers(self.redis)
        for dead in self.absences.dead(holders, alive, anyio.current_time()):
            freed = [await release_dead(table, kick, dead) for table, kick in self.kicks]
            if any(freed):
                log.warning("worker %s is gone; put back %d cases and %d runs", dead, *freed)


async def announce(backend: Backend) -> None:
    """Renew this worker's heartbeat, saying whether its Docker engine answers."""
    if backend.redis is None:
        return
    try:
        client = await anyio.to_thread.run_sync(backend.docker_client)
        await anyio.to_thread.run_sync(client.ping)
        docker_ok = True
    except (docker.errors.DockerException, EngineUnavailable, OSError):
        docker_ok = False
    await heartbeats.beat(backend.redis, docker_ok, ttl=backend.settings.worker_timeout)


async def beat_forever(backend: Backend) -> None:
    """Renew the heartbeat every `heartbeat_every` seconds, apart from the slower rounds."""
    if backend.redis is None:
        return
    while True:
        try:
            await announce(backend)
        except Exception:  # Redis away: the next beat tries again
            log.warning("could not renew this worker's heartbeat; trying again", exc_info=True)
        await anyio.sleep(backend.settings.heartbeat_every)


async def sweep(backend: Backend) -> None:
    """Remove containers that dead processes left behind, if the engine answers.

    The same round tells gateways the languages' versions, as this worker's images' labels say.
    """
    client = await anyio.to_thread.run_sync(backend.docker_client)
    await anyio.to_thread.run_sync(janitor.sweep, client, backend.settings)
    if backend.redis is not None:
        found = await anyio.to_thread.run_sync(versions, client, backend.settings)
        await publish_versions(backend.redis, found)


async def reconcile_forever(backend: Backend) -> None:
    """Beat, and every `reconcile_every` seconds run a round; sweep every `sweep_every`."""
    config = backend.settings
    reconciler = Reconciler(config, backend.redis)
    last_sweep = 0.0
    async with anyio.create_task_group() as group:
        group.start_soon(beat_forever, backend)
        while True:
            try:
                await reconciler.pass_once()
                if anyio.current_time() - last_sweep > config.sweep_every:
                    await sweep(backend)
                    last_sweep = anyio.current_time()
            except Exception:  # a database or Redis hiccup must not stop reconciling for good
                log.exception("reconciler round failed; trying again")
            await anyio.sleep(config.reconcile_every)
