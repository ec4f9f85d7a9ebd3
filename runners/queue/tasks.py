"""The queue's tasks, run by workers (`oops worker`).

Each task is idempotent: the queue delivers at least once, and the database decides whether
there is anything left to do (see `runners.pipeline` and `runners.runs`). Webhooks leave from
here, never from a request handler.

A task claims its work in this process's name and holds it (`held`) until the task ends. A
claim of a live worker that no task holds any more is one whose task failed before recording
(the engine or the database went away under it): the reconciler gives it back, uncharged.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta

import anyio
from taskiq import async_shared_broker

from grading.documents import decode_stored, encode_suite
from grading.errors import SuiteError
from grading.kinds import AnySuite
from grading.outcome import RunResult, Status
from grading.results import CaseResult
from grading.scoring import PlannedCase
from runners import pipeline, runs, views, webhooks
from runners.access.owners import Owned, batch_owner, run_owner, submission_owner
from runners.access.scope import Scope
from runners.backend import current
from runners.errors import RunnerError
from runners.queue import answers, heartbeats, notices
from runners.sandbox.engine import answering
from runners.sandbox.sandbox import Sandbox
from runners.settings import Settings
from runners.store.tables import CaseRun
from runners.suites import kind_of
from runners.suites.executor import Executor

RunAnnouncer = Callable[[runs.StoredRun, Owned], Awaitable[uuid.UUID | None]]
"""Queues the webhook of a completed run in the shape its API promises; the delivery's id."""

PREPARE_SECONDS = 180.0
"""How long a gateway waits for a worker to prepare a suite (a unit suite's reference run)."""

_executors: list[Executor] = []
_run_announcers: dict[str, RunAnnouncer] = {}
_holding: Counter[str] = Counter()


async def executor() -> Executor:
    """This process's executor, created on first use (connecting to Docker blocks: a thread).

    Its sandbox starts keeping containers warm for the default limits at once.
    """
    if not _executors:
        backend = current()
        client = await anyio.to_thread.run_sync(backend.docker_client)
        await anyio.to_thread.run_sync(answering, client)
        sandbox = await anyio.to_thread.run_sync(Sandbox, backend.settings, client)
        if _executors:
            await anyio.to_thread.run_sync(sandbox.close)
        else:
            sandbox.warm()
            _executors.append(Executor(backend.settings, sandbox, backend.redis))
    return _executors[0]


async def close_executor() -> None:
    """Remove every container this process's sandbox holds; returns once they are gone."""
    while _executors:
        await anyio.to_thread.run_sync(_executors.pop().sandbox.close)


def announce_runs_of(api: str, announcer: RunAnnouncer) -> None:
    """Give the callbacks of the runs a compatible API asked for that API's shape.

    A run's `api` column names the API; runs of an API that registered nothing are announced
    as `/v1/runs` announces them. `runners.compat.install` registers the compatible APIs.
    """
    _run_announcers[api] = announcer


def lease() -> timedelta:
    """How long a worker may hold a case or run before another takes it over."""
    return timedelta(seconds=current().settings.case_lease)


def held() -> set[str]:
    """The ids of the cases, submissions and runs whose tasks are running in this process now."""
    return {ident for ident, count in _holding.items() if count > 0}


@contextlib.contextmanager
def holding(ident: uuid.UUID) -> Iterator[None]:
    """Mark a case, submission or run as worked on in this process for the task's duration."""
    _holding[str(ident)] += 1
    try:
        yield
    finally:
        _holding[str(ident)] -= 1
        if _holding[str(ident)] <= 0:
            del _holding[str(ident)]


async def process(case_run_id: uuid.UUID) -> pipeline.Settled:
    """Claim, grade, record and settle one case; nothing happens if it is done or taken."""
    with holding(case_run_id):
        return await _process(case_run_id)


async def _process(case_run_id: uuid.UUID) -> pipeline.Settled:
    claimed = await pipeline.claim(case_run_id, lease(), heartbeats.identity())
    if claimed is None:
        return pipeline.Settled()
    await pipeline.mark_running(case_run_id)
    if claimed.attempt > current().settings.max_attempts:
        result = gave_up(claimed)
    else:
        planned = PlannedCase(group=claimed.group, case=claimed.case, index=claimed.position)
        result = await kind_of(claimed.suite).grade_case(
            await executor(), planned, claimed.code, claimed.language
        )
    await pipeline.record(case_run_id, result)
    return await _settle(claimed.submission)


async def process_submission(submission_id: uuid.UUID) -> pipeline.Settled:
    """Claim every free case of one submission, grade them in one container, record, settle.

    Each case is recorded with the same conditional update as in `process`, so a second
    delivery, or a worker taking over after this one died, records nothing twice.
    """
    with holding(submission_id):
        return await _process_submission(submission_id)


async def _process_submission(submission_id: uuid.UUID) -> pipeline.Settled:
    config = current().settings
    claims = await pipeline.claim_submission(config, submission_id, lease(), heartbeats.identity())
    if not claims:
        return pipeline.Settled()
    await pipeline.mark_running(claims[0].case_run)
    exhausted = [claim for claim in claims if claim.attempt > config.max_attempts]
    runnable = [claim for claim in claims if claim.attempt <= config.max_attempts]
    results = [(claim, gave_up(claim)) for claim in exhausted]
    if runnable:
        first = runnable[0]
        planned = [PlannedCase(group=c.group, case=c.case, index=c.position) for c in runnable]
        graded = await kind_of(first.suite).grade_submission(
            await executor(), planned, first.code, first.language
        )
        results += list(zip(runnable, graded, strict=True))
    await pipeline.record_all([(claim.case_run, result) for claim, result in results])
    return await _settle(submission_id)


async def _settle(submission_id: uuid.UUID) -> pipeline.Settled:
    """Score the submission if its last case is in, and announce what completed."""
    settled = await pipeline.settle(submission_id)
    if settled.submission is not None:
        await _announce_submission(submission_id)
    if settled.completed_batch is not None:
        await _announce_batch(settled.completed_batch)
    return settled


async def kick_case(case_run_id: str) -> None:
    """Queue a case again the way its submission is graded: alone, or with its submission."""
    row = (
        await CaseRun.select(CaseRun.submission, CaseRun.submission.isolation)
        .where(CaseRun.id == uuid.UUID(case_run_id))
        .first()
    )
    if row is not None and row["submission.isolation"] == "submission":
        await grade_submission.kiq(str(row["submission"]))
    else:
        await grade_case.kiq(case_run_id)


def gave_up(claimed: pipeline.Claim) -> CaseResult:
    """The result of a case whose every attempt died with its worker: an internal error.

    Without a last word such a case (one that crashes workers, say) would keep its batch from
    ever completing. It costs the student nothing that a regrade cannot give back.
    """
    attempts = claimed.attempt - 1
    run = RunResult(
        status=Status.INTERNAL_ERROR,
        message=f"not graded: {attempts} attempts ended without a result; regrade to try again",
    )
    planned = PlannedCase(group=claimed.group, case=claimed.case, index=claimed.position)
    return kind_of(claimed.suite).ungraded(planned, run)


async def execute(run_id: uuid.UUID) -> None:
    """Claim, run and record one single run, then call its webhook if it asked for one."""
    with holding(run_id):
        await _execute(run_id)


async def _execute(run_id: uuid.UUID) -> None:
    spec = await runs.claim(run_id, lease(), heartbeats.identity())
    if spec is None:
        return
    runner = await executor()
    result = await runner.run(runs.request_of(runner.config, spec))
    if not await runs.record(run_id, result):
        return
    await notices.announce(current().redis, run_id)
    stored = await runs.load(run_id, Scope.everything())
    owned = await run_owner(run_id)
    if stored is None or owned is None:
        return
    announce = _run_announcers.get(stored.api, _announce_run)
    delivery = await announce(stored, owned)
    if delivery is not None:
        await deliver.kiq(str(delivery))


async def _announce_run(stored: runs.StoredRun, owned: Owned) -> uuid.UUID | None:
    """The `/v1/runs` callback: a signed `run.completed` webhook carrying the run's view."""
    if owned.callback_url is None or owned.owner is None:
        return None
    return await webhooks.enqueue(
        str(stored.view.id),
        "run.completed",
        owned.callback_url,
        stored.view,
        uuid.UUID(owned.owner),
        owned.course,
    )


async def _announce_batch(batch_id: uuid.UUID) -> None:
    owned = await batch_owner(batch_id)
    batch = await views.batch_view(batch_id, Scope.everything())
    if owned is not None and batch is not None:
        await _announce(str(batch_id), "batch.completed", owned, batch)


async def _announce_submission(submission_id: uuid.UUID) -> None:
    owned = await submission_owner(submission_id)
    if owned is None or owned.callback_url is None:
        return
    submission = await views.submission_view(submission_id, Scope.everything(), redacted=True)
    await _announce(str(submission_id), "submission.completed", owned, submission)


async def _announce(subject: str, event_type: str, owned: Owned, data: object) -> None:
    """Queue a signed webhook when the request asked for one; it belongs to the work's course."""
    if owned.callback_url is None or owned.owner is None:
        return
    delivery = await webhooks.enqueue(
        subject, event_type, owned.callback_url, data, uuid.UUID(owned.owner), owned.course
    )
    await deliver.kiq(str(delivery))


async def prepared(config: Settings, suite: AnySuite) -> AnySuite:
    """The suite as it is stored, checked and prepared by its kind.

    A kind that needs a trusted run (a unit suite's reference solution) gets it from this
    process's sandbox when the process runs cases itself (embedded), else from a worker: the
    gateway queues `prepare_suite` and waits for its answer in Redis.
    """
    kind = kind_of(suite)
    kind.check(config)
    if not kind.trusted_run:
        return suite
    redis = current().redis
    if redis is None:
        return await kind.prepare(await executor())
    asked = str(uuid.uuid4())
    await prepare_suite.kiq(asked, encode_suite(suite).decode())
    return await answers.wait(redis, asked, PREPARE_SECONDS)


@async_shared_broker.task(task_name="oopsengine.prepare_suite")
async def prepare_suite(asked: str, document: str) -> None:
    """Prepare a suite for a gateway that has no sandbox, and leave it the answer."""
    suite = decode_stored(document)
    try:
        prepared = await kind_of(suite).prepare(await executor())
        answer = answers.Answer(suite=encode_suite(prepared).decode())
    except SuiteError as error:
        answer = answers.Answer(error=str(error), suite_at_fault=True)
    except RunnerError as error:
        answer = answers.Answer(error=str(error))
    redis = current().redis
    if redis is not None:
        await answers.give(redis, asked, answer)


@async_shared_broker.task(task_name="oopsengine.grade_case")
async def grade_case(case_run_id: str) -> None:
    """Grade one case of one submission."""
    await process(uuid.UUID(case_run_id))


@async_shared_broker.task(task_name="oopsengine.grade_submission")
async def grade_submission(submission_id: str) -> None:
    """Grade every case of one submission in one container (`submission` isolation)."""
    await process_submission(uuid.UUID(submission_id))


@async_shared_broker.task(task_name="oopsengine.execute_run")
async def execute_run(run_id: str) -> None:
    """Run one program for the runs API."""
    await execute(uuid.UUID(run_id))


@async_shared_broker.task(task_name="oopsengine.deliver")
async def deliver(delivery_id: str) -> None:
    """Try to send one webhook delivery; failures are retried later by the reconciler."""
    await webhooks.attempt(uuid.UUID(delivery_id))
