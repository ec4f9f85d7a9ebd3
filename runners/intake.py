"""Accepting work: recorded first (the database is the record of what remains), then queued.

Graded submissions are written in one transaction with a `queued` case each, then queued: each
case as a task, or each submission as one task in `submission` isolation. A single run is
written, then queued. The same path serves one student's submission, a batch and a regrade,
from every door (API v1, the compatible routes, `oops grade`), so what is checked and recorded
never depends on the door the code came in by. Every door passes the caller's `Scope`: an
assignment outside it is `NotFound`, and the work goes to the course the assignment (or, for a
run, the caller) belongs to, within that course's hourly quota.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from functools import partial

from taskiq import AsyncTaskiqTask

from grading.kinds import plan
from grading.suite import Isolation
from runners import pipeline, runs
from runners.access import courses, quotas
from runners.access.counters import Counter
from runners.access.scope import Scope
from runners.errors import NotFound, TooMuchWork
from runners.pipeline import Accepted, Entry, Work
from runners.queue.tasks import execute_run, grade_case, grade_submission
from runners.runs import Api, RunSpec
from runners.settings import Settings
from runners.store.tables import Submission

ENQUEUE_AT_ONCE = 64
MAX_CASE_RUNS = 100_000
"""Cases one request may queue (submissions times the suite's cases)."""


async def submit(
    config: Settings,
    assignment_id: uuid.UUID,
    entries: Sequence[Entry],
    owner: str | None,
    scope: Scope,
    counter: Counter,
    batch: bool = False,
    callback_url: str | None = None,
    isolation: Isolation | None = None,
) -> Accepted:
    """Write the submissions and their cases in one transaction, then queue their work.

    `isolation` overrides the suite's: one task per case, or one per whole submission. The
    course's quota is spent before anything is written: a refused request writes nothing.
    """
    target = await pipeline.load_target(assignment_id, scope)
    if target is None:
        raise NotFound("assignment", assignment_id)
    case_runs = len(entries) * len(plan(target.suite))
    if case_runs > MAX_CASE_RUNS:
        message = f"{case_runs} case runs; one request may queue at most {MAX_CASE_RUNS}"
        raise TooMuchWork("submissions", message)
    await quotas.spend(counter, target.course, len(entries))
    accepted = await pipeline.accept(
        config,
        target,
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
    scope: Scope,
    counter: Counter,
    callback_url: str | None = None,
    isolation: Isolation | None = None,
) -> uuid.UUID:
    """`submit` as one batch, whose webhook fires once every submission is graded; its id."""
    accepted = await submit(
        config, assignment_id, entries, owner, scope, counter, True, callback_url, isolation
    )
    if accepted.batch is None:
        raise RuntimeError("accepting a batch wrote no batch")
    return accepted.batch


async def enqueue(work: Work) -> list[AsyncTaskiqTask[None]]:
    """Queue one task per case, and one per submission graded whole; the tasks, to follow.

    Up to `ENQUEUE_AT_ONCE` messages are in flight together, so a class of a thousand cases
    waits for a few dozen round trips to Redis rather than a thousand.
    """
    kicks = [partial(grade_case.kiq, str(case_run)) for case_run in work.cases]
    kicks += [partial(grade_submission.kiq, str(s)) for s in work.submissions]
    tasks: list[AsyncTaskiqTask[None]] = []
    for start in range(0, len(kicks), ENQUEUE_AT_ONCE):
        tasks += await asyncio.gather(*(kick() for kick in kicks[start : start + ENQUEUE_AT_ONCE]))
    return tasks


async def latest_entries(assignment_id: uuid.UUID, scope: Scope) -> list[Entry]:
    """Each student's latest code for the assignment within the scope, for a regrade."""
    rows = (
        await Submission.select(Submission.student, Submission.code, Submission.language)
        .where(
            (Submission.assignment == assignment_id)
            & scope.in_courses(Submission.course)
            & scope.of_student(Submission.student)
        )
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
    scope: Scope,
    callback_url: str | None = None,
    course_id: uuid.UUID | None = None,
    api: Api = "v1",
) -> uuid.UUID:
    """Record a single run after checking it can be run as asked, then queue it.

    It goes to `course_id` if that is the caller's, else to the caller's course (the first,
    for a key of several; the default course, for an admin): see `courses.course_for`.
    """
    course = await courses.course_for(scope, course_id, strict=False)
    run_id = await runs.create(
        config, spec, course, owner=owner, callback_url=callback_url, api=api
    )
    await execute_run.kiq(str(run_id))
    return run_id
