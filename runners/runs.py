"""Single runs asked for over the API: accepted at once, run by a worker, read back by id.

A run's `status` is `queued` or `running` until it ends, then the status of its result (`ok`,
`timeout`, ...), as Judge0 reports "In Queue" and "Processing" in the same field.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import anyio
import msgspec

from grading.outcome import RunOutput, RunResult
from runners.sandbox.limits import check_program, check_stdin, resolve_limits
from runners.sandbox.sandbox import RunRequest
from runners.settings import Settings
from runners.store.clock import now
from runners.store.lease import take
from runners.store.states import Leased
from runners.store.tables import Run
from runners.views import Owned

POLL_SECONDS = 0.1


class RunSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a client asks to run: the body of `POST /v1/runs`."""

    code: str
    language: str = "python"
    stdin: str = ""
    time_limit: float | None = None
    memory_limit: int | None = None


class RunView(RunOutput, frozen=True, kw_only=True):
    """A run as `GET /v1/runs/{id}` shows it: `oops run --json`'s fields plus id and state.

    `status` is `queued` or `running` until the run ends, then its result's status.
    """

    id: uuid.UUID
    status: str


def request_of(config: Settings, spec: RunSpec) -> RunRequest:
    """The sandbox request for `spec`, refusing what the operator's settings do not allow."""
    check_program(config, spec.code, spec.language)
    check_stdin(config, spec.stdin.encode())
    return RunRequest(
        code=spec.code,
        language=spec.language,
        stdin=spec.stdin.encode(),
        limits=resolve_limits(config, spec.time_limit, spec.memory_limit),
    )


async def create(
    config: Settings, spec: RunSpec, owner: str | None = None, callback_url: str | None = None
) -> uuid.UUID:
    """Record a queued run after checking it can be run as asked."""
    request_of(config, spec)
    run = Run(
        id=uuid.uuid4(),
        owner=owner,
        request=msgspec.json.encode(spec).decode(),
        callback_url=callback_url,
    )
    await run.save()
    return uuid.UUID(str(run.id))


async def claim(run_id: uuid.UUID, lease: timedelta) -> RunSpec | None:
    """Take a queued run (or one whose worker died) to execute; None if done or taken."""
    row = await take(Run, run_id, lease, Run.request)
    return None if row is None else msgspec.json.decode(row["request"], type=RunSpec)


async def record(run_id: uuid.UUID, result: RunResult) -> bool:
    """Write the run's result unless one is there; True when this call wrote it."""
    written = await (
        Run.update(
            {
                Run.status: result.status.value,
                Run.result: msgspec.json.encode(result).decode(),
                Run.completed_at: now(),
                Run.updated_at: now(),
            }
        )
        .where((Run.id == run_id) & Run.status.is_in(list(Leased)))
        .returning(Run.id)
    )
    return bool(written)


async def view(run_id: uuid.UUID) -> RunView | None:
    """The run as clients see it; None when there is no such run."""
    row = await Run.select(Run.status, Run.result).where(Run.id == run_id).first()
    if row is None:
        return None
    if row["result"] is None:
        return RunView(id=run_id, status=row["status"])
    result = msgspec.json.decode(row["result"], type=RunResult)
    fields = msgspec.structs.asdict(result)
    return RunView(id=run_id, **{**fields, "status": result.status.value})


async def owned(run_id: uuid.UUID) -> Owned | None:
    """The key that asked for the run and where its webhook goes, as for batches."""
    row = await Run.select(Run.owner, Run.callback_url).where(Run.id == run_id).first()
    return None if row is None else Owned(owner=row["owner"], callback_url=row["callback_url"])


async def wait(run_id: uuid.UUID, timeout: float) -> RunView | None:
    """The run once it has ended, or as it stands when `timeout` seconds have passed."""
    with anyio.move_on_after(timeout):
        while True:
            found = await view(run_id)
            if found is None or found.status not in tuple(Leased):
                break
            await anyio.sleep(POLL_SECONDS)
    return await view(run_id)
