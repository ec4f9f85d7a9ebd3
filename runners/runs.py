"""Single runs asked for over the API: accepted at once, run by a worker, read back by id.

A run's `status` is `queued` or `running` until it ends, then the status of its result (`ok`,
`timeout`, ...), as Judge0 reports "In Queue" and "Processing" in the same field. Runs asked
for through the Judge0 and Piston routes are the same rows (`api` says which API asked, so its
callback takes that API's shape); every API reads every run. A run belongs to a course and to
the key that asked for it: within the caller's `Scope`, only that key (or an admin) reads it.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Literal

import anyio
import msgspec

from grading.compare import compare
from grading.outcome import RunOutput, RunResult, Status, Verdict, verdict_of
from grading.suite import Compare
from runners.access.scope import Scope
from runners.monitor.backlog import check_room
from runners.sandbox.languages import language
from runners.sandbox.limits import check_program, check_stdin, resolve_limits
from runners.sandbox.protocol import RunRequest
from runners.settings import Settings
from runners.store.clock import now
from runners.store.lease import take
from runners.store.states import Leased
from runners.store.tables import Run

POLL_SECONDS = 0.1

Api = Literal["v1", "judge0", "piston"]
"""Which HTTP API asked for a run."""


class RunSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a client asks to run: the body of `POST /v1/runs`.

    `args` follow the program's command; with `stderr_to_stdout` both streams go to stdout in
    the order written. With `expected_output` the run's view says whether stdout matched it,
    compared as suites compare by default (and as Judge0 does): lines right-trimmed, trailing
    blank lines ignored.
    """

    code: str
    language: str = "python"
    stdin: str = ""
    time_limit: float | None = None
    memory_limit: int | None = None
    args: list[str] = msgspec.field(default_factory=list)
    stderr_to_stdout: bool = False
    expected_output: str | None = None


class RunView(RunOutput, frozen=True, kw_only=True):
    """A run as `GET /v1/runs/{id}` shows it: `oops run --json`'s fields plus id and state.

    `status` is `queued` or `running` until the run ends, then its result's status.
    """

    id: uuid.UUID
    status: str
    verdict: Verdict | None = None


class StoredRun(msgspec.Struct, frozen=True, kw_only=True):
    """Everything recorded about a run, for the APIs that show more than `RunView`."""

    spec: RunSpec
    view: RunView
    api: Api
    owner: str | None
    callback_url: str | None
    created_at: datetime
    completed_at: datetime | None


def request_of(config: Settings, spec: RunSpec) -> RunRequest:
    """The sandbox request for `spec`, refusing what the operator's settings do not allow."""
    check_program(config, spec.code, spec.language)
    check_stdin(config, spec.stdin.encode())
    return RunRequest(
        code=spec.code,
        language=spec.language,
        stdin=spec.stdin.encode(),
        args=spec.args,
        stderr_to_stdout=spec.stderr_to_stdout,
        limits=resolve_limits(config, spec.time_limit, spec.memory_limit),
    )


def longest_seconds(config: Settings, spec: RunSpec) -> float:
    """How long the run may take in its sandbox: its time limit and its compile step's."""
    lang = language(spec.language)
    compiling = lang.compile_time_limit if lang.compile else 0.0
    return (spec.time_limit or config.time_limit) + compiling


async def create(
    config: Settings,
    spec: RunSpec,
    course: uuid.UUID,
    owner: str | None = None,
    callback_url: str | None = None,
    api: Api = "v1",
) -> uuid.UUID:
    """Record a queued run in `course` after checking it can be run as asked and has room."""
    request_of(config, spec)
    await check_room(config)
    run = Run(
        id=uuid.uuid4(),
        course=course,
        owner=owner,
        request=msgspec.json.encode(spec).decode(),
        callback_url=callback_url,
        api=api,
    )
    await run.save()
    return uuid.UUID(str(run.id))


async def claim(run_id: uuid.UUID, lease: timedelta, claimant: str) -> RunSpec | None:
    """Take a queued run (or one whose worker died) for `claimant`; None if done or taken."""
    row = await take(Run, run_id, lease, claimant, Run.request)
    return None if row is None else msgspec.json.decode(row["request"], type=RunSpec)


async def record(run_id: uuid.UUID, result: RunResult) -> bool:
    """Write the run's result unless one is there; True when this call wrote it."""
    written = await (
        Run.update(
            {
                Run.status: result.status.value,
                Run.claimant: None,
                Run.result: msgspec.json.encode(result).decode(),
                Run.completed_at: now(),
                Run.updated_at: now(),
            }
        )
        .where((Run.id == run_id) & Run.status.is_in(list(Leased)))
        .returning(Run.id)
    )
    return bool(written)


async def view(run_id: uuid.UUID, scope: Scope) -> RunView | None:
    """The run as clients see it; None when there is no such run within the scope."""
    stored = await load(run_id, scope)
    return None if stored is None else stored.view


async def load(run_id: uuid.UUID, scope: Scope) -> StoredRun | None:
    """The run's request, view, origin and times; None when there is no such run in scope."""
    visible = scope.in_courses(Run.course) & scope.of_owner(Run.owner)
    row = await Run.select().where((Run.id == run_id) & visible).first()
    if row is None:
        return None
    spec = msgspec.json.decode(row["request"], type=RunSpec)
    return StoredRun(
        spec=spec,
        view=_view(run_id, row["status"], row["result"], spec),
        api=row["api"],
        owner=row["owner"],
        callback_url=row["callback_url"],
        created_at=row["created_at"],
        completed_at=row["completed_at"],
    )


def _view(run_id: uuid.UUID, status: str, stored: str | None, spec: RunSpec) -> RunView:
    if stored is None:
        return RunView(id=run_id, status=status)
    result = msgspec.json.decode(stored, type=RunResult)
    fields = msgspec.structs.asdict(result)
    verdict = None if spec.expected_output is None else _verdict(result, spec.expected_output)
    return RunView(id=run_id, **{**fields, "status": result.status.value, "verdict": verdict})


def _verdict(result: RunResult, expected_output: str) -> Verdict:
    """Passed or wrong answer for a run that ended normally, else how it failed."""
    if result.status is not Status.OK:
        return verdict_of(result.status)
    matched = compare(expected_output, result.stdout, Compare()).passed
    return Verdict.PASSED if matched else Verdict.WRONG_ANSWER


async def wait(
    run_id: uuid.UUID,
    # The deadline ends in a result (the run as it stands then), which a caller's cancel scope
    # would throw away; it is kept with anyio.move_on_after below.
    timeout: float,  # noqa: ASYNC109
    scope: Scope,
    ended: asyncio.Event | None = None,
) -> RunView | None:
    """The run once it has ended, or as it stands when `timeout` seconds have passed.

    `ended` (see `runners.queue.notices`) wakes the wait as soon as a worker recorded the run;
    without it, or when a notice is lost, the database is polled every `POLL_SECONDS`.
    """
    with anyio.move_on_after(timeout):
        while True:
            found = await view(run_id, scope)
            if found is None or found.status not in tuple(Leased):
                break
            await _pause(ended)
    return await view(run_id, scope)


async def _pause(ended: asyncio.Event | None) -> None:
    if ended is None:
        await anyio.sleep(POLL_SECONDS)
        return
    with anyio.move_on_after(POLL_SECONDS):
        await ended.wait()
    ended.clear()
