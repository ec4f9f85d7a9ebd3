"""Puts lost work back on the queue, sends due webhook retries, sweeps abandoned containers.

The database is the record of what remains to be done; the queue is only how work reaches a
worker. Work goes back on the queue when:

- a case or run is `running` past its deadline: its worker died (SIGKILL, a crash);
- a case or run has sat `queued` for `requeue_after` seconds: its message may be lost;
- the queue's marker key is gone: Redis restarted empty, so everything `queued` goes back now.

A case of a submission graded in `submission` isolation goes back as its whole submission.

Every worker process runs one reconciler. Re-enqueuing takes a row with a conditional update
of `updated_at`, so two reconcilers never both put back the same row, and a duplicate message
is harmless anyway: claiming is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import anyio
import docker
from piccolo.custom_types import Combinable
from redis.asyncio import Redis

from runners import webhooks
from runners.backend import Backend
from runners.errors import EngineUnavailable
from runners.languages import publish_versions
from runners.queue import heartbeats
from runners.queue.tasks import deliver, execute_run, kick_case
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


async def requeue(
    table: type[CaseRun] | type[Run], kick: Kick, stale_before: datetime, everything: bool
) -> int:
    """Put back lost rows of `table` (all queued ones when `everything`); returns how many."""
    moment = now()
    lost = (table.status == Leased.RUNNING) & (table.deadline < moment)
    waiting: Combinable = table.status == Leased.QUEUED
    if not everything:
        waiting = waiting & (table.updated_at < stale_before)
    rows = await table.select(table.id, table.updated_at).where(lost | waiting).limit(BATCH)
    count = 0
    for row in rows:
        taken = (
            await table.update({table.updated_at: moment})
            .where((table.id == row["id"]) & (table.updated_at == row["updated_at"]))
            .returning(table.id)
        )
        if taken:
            await kick(str(row["id"]))
            count += 1
    return count


async def redis_was_emptied(redis: Redis | None) -> bool:
    """True once after Redis lost its data (the marker key is gone); sets the marker again."""
    if redis is None:
        return False
    created = await redis.set(MARKER, "1", nx=True)
    return bool(created)


async def pass_once(config: Settings, redis: Redis | None) -> None:
    """One round: lost cases and runs back on the queue, due webhooks sent."""
    everything = await redis_was_emptied(redis)
    if everything:
        log.warning("the queue was emptied; putting every queued case and run back")
    stale = now() - timedelta(seconds=config.requeue_after)
    cases = await requeue(CaseRun, kick_case, stale, everything)
    runs = await requeue(Run, execute_run.kiq, stale, everything)
    if cases or runs:
        log.info("put back %d cases and %d runs", cases, runs)
    for delivery in await webhooks.due():
        await deliver.kiq(str(delivery))


async def announce(backend: Backend) -> None:
    """Renew this worker's heartbeat, saying whether its Docker engine answers."""
    if backend.redis is None:
        return
    try:
        client = await anyio.to_thread.run_sync(backend.docker_client)
        await anyio.to_thread.run_sync(client.ping)
        docker_ok = True
    except (docker.errors.DockerException, EngineUnavailable):
        docker_ok = False
    ttl = 3 * backend.settings.reconcile_every + 10
    await heartbeats.beat(backend.redis, docker_ok, ttl=ttl)


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
    """Every `reconcile_every` seconds: a heartbeat and a round; sweep every `sweep_every`."""
    config, redis = backend.settings, backend.redis
    last_sweep = 0.0
    while True:
        try:
            await announce(backend)
            await pass_once(config, redis)
            if anyio.current_time() - last_sweep > config.sweep_every:
                await sweep(backend)
                last_sweep = anyio.current_time()
        except Exception:  # a database or Redis hiccup must not stop reconciling for good
            log.exception("reconciler round failed; trying again")
        await anyio.sleep(config.reconcile_every)
