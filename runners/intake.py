"""Accepting work: recorded first (the database is the record of what remains), then queued.

Graded submissions are written in one transaction with a `queued` case each, then queued: each
case as a task, or each submission as one task in `submission` isolation. A single run is
written, then queued. The same path serves one student's submission, a batch and a regrade,
from every door (API v1, the compatible routes, `oops grade`), so what is checked and recorded
never depends on the door the code came in by.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from taskiq import AsyncTaskiqTask

from grading.scoring import plan
from grading.suite import Isolation
from runners import pipeline, runs
from runners.compat import judge0
from runners.errors import NotFound, TooMuchWork
from runners.pipeline import Accepted, Entry, Work
from runners.queue.tasks import execute_run, grade_case, grade_submission
from runners.runs import Api, RunSpec
from runners.settings import Settings
from runners.store.tables import Submission

MAX_CASE_RUNS = 100_000
"""Cases one request may queue (submissions times the suite's cases)."""


async def submit(
    config: Settings,
    assignment_id: uuid.UUID,
    entries: Sequence[Entry],
    owner: str | None,
    batch: bool = False,
    callback_url: str | None = None,
    isolation: Isolation | None = None,
) -> Accepted:
    """Write the submissions and their cases in one transaction, then queue their work.

    `isolation` overrides the suite's: one task per case, or one per whole submission.
    """
    suite = await pipeline.load_suite(assignment_id)
    if suite is None:
        raise NotFound("assignment", assignment_id)
    case_runs = len(entries) * len(plan(suite))
    if case_runs > MAX_CASE_RUNS:
        message = f"{case_runs} case runs; one request may queue at most {MAX_CASE_RUNS}"
        raise TooMuchWork("submissions", message)
    accepted = await pipeline.accept(
        config,
        assignment_id,
        suite,
        entries,
        batch=batch,
        callback_url=callback_url,
        owner=owner,
        isolation=isolation,
    )
    await enqueue(accepted.work)
    return accepted


async def submit_batch(
    config: Settings,
    assignment_id: uuid.UUID,
    entries: Sequence[Entry],
    owner: str | None,
    callback_url: str | None = None,
    isolation: Isolation | None = None,
) -> uuid.UUID:
    """`submit` as one batch, whose webhook fires once every submission is graded; its id."""
    accepted = await submit(config, assignment_id, entries, owner, True, callback_url, isolation)
    if accepted.batch is None:
        raise RuntimeError("accepting a batch wrote no batch")
    return accepted.batch


async def enqueue(work: Work) -> list[AsyncTaskiqTask[None]]:
    """Queue one task per case, and one per submission graded whole; the tasks, to follow."""
    tasks = [await grade_case.kiq(str(case_run)) for case_run in work.cases]
    return tasks + [await grade_submission.kiq(str(s)) for s in work.submissions]


async def latest_entries(assignment_id: uuid.UUID) -> list[Entry]:
    """Each student's latest code for the assignment, for a regrade."""
    rows = (
        await Submission.select(Submission.student, Submission.code, Submission.language)
        .where(Submission.assignment == assignment_id)
        .order_by(Submission.submitted_at, ascending=False)
    )
    latest: dict[str, Entry] = {}
    for row in rows:
        latest.setdefault(row["student"], Entry(**row))
    return list(latest.values())


async def submit_run(
    config: Settings,
    spec: RunSpec,
    owner: str | None,
    callback_url: str | None = None,
    api: Api = "v1",
) -> uuid.UUID:
    """Record a single run after checking it can be run as asked, then queue it."""
    run_id = await runs.create(config, spec, owner=owner, callback_url=callback_url, api=api)
    await execute_run.kiq(str(run_id))
    return run_id


async def submit_judge0(
    config: Settings, requests: list[judge0.SubmissionRequest], encoded: bool, owner: str | None
) -> list[uuid.UUID]:
    """Judge0 submissions, one run each: all checked first, so a bad one records nothing."""
    accepted = judge0.accept(config, requests, encoded)
    return [
        await submit_run(config, item.spec, owner, item.callback_url, api="judge0")
        for item in accepted
    ]
