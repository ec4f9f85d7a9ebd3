"""The queue's tasks. A worker runs them: `taskiq worker runners.queue:broker runners.tasks`.

Each task is idempotent: the queue delivers at least once, and the database decides whether
there is anything left to do (see `runners.pipeline`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import anyio

from runners import pipeline
from runners.grader import Grader
from runners.queue import broker
from runners.sandbox import Sandbox
from runners.settings import settings

_graders: list[Grader] = []


async def grader() -> Grader:
    """This process's grader, created on first use (connecting to Docker blocks: a thread)."""
    if not _graders:
        config = settings()
        sandbox = await anyio.to_thread.run_sync(Sandbox, config)
        if not _graders:
            _graders.append(Grader(config, sandbox))
    return _graders[0]


async def process(case_run_id: uuid.UUID) -> pipeline.Settled:
    """Claim, grade, record and settle one case; nothing happens if it is done or taken."""
    claimed = await pipeline.claim(case_run_id, timedelta(seconds=settings().case_lease))
    if claimed is None:
        return pipeline.Settled()
    await pipeline.mark_running(case_run_id)
    worker = await grader()
    result = await worker.grade(
        claimed.suite, claimed.case, claimed.group, claimed.code, claimed.language
    )
    await pipeline.record(case_run_id, result)
    return await pipeline.settle(claimed.submission)


@broker.task(task_name="oopsengine.grade_case")
async def grade_case(case_run_id: str) -> None:
    """Grade one case of one submission."""
    await process(uuid.UUID(case_run_id))
