"""Compile once: a program's artefact is made by one worker and kept in the database.

Every case of a submission runs the same compiled program, and so does every case a suite's
checker judges. The first worker that needs an artefact takes its `Build` row (inserted as
`compiling` with a deadline), compiles in a sandbox of its own and records the artefact; the
others wait for the row to be `done` and read it. A worker that dies while compiling leaves a
row past its deadline, which the next one takes over. The artefact lives in the database, not
in a worker's memory, because the cases run on other workers.

An internal error of the sandbox is not recorded: the next attempt compiles again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import timedelta

import anyio
import msgspec

from grading.outcome import Status
from runners.sandbox.artefact import Artefact
from runners.sandbox.languages import language
from runners.sandbox.sandbox import Sandbox
from runners.store.clock import now
from runners.store.states import BuildState
from runners.store.tables import Build

POLL_SECONDS = 0.2
LEASE_GRACE = timedelta(seconds=30)


def build_key(language_name: str, code: str, files: Mapping[str, bytes]) -> str:
    """What makes two compiles the same: language, compile command and every source byte."""
    lang = language(language_name)
    sha = hashlib.sha256(msgspec.json.encode([lang.name, lang.compile, lang.filename]))
    for name in sorted(files):
        sha.update(hashlib.sha256(name.encode() + b"\0" + files[name]).digest())
    sha.update(hashlib.sha256(code.encode()).digest())
    return sha.hexdigest()


async def compiled(
    sandbox: Sandbox,
    limiter: anyio.CapacityLimiter,
    language_name: str,
    code: str,
    files: Mapping[str, bytes] | None = None,
) -> Artefact:
    """The program's artefact, compiling it here only if no worker has or is doing so."""
    extra = dict(files or {})
    key = build_key(language_name, code, extra)
    lease = timedelta(seconds=language(language_name).compile_time_limit) + LEASE_GRACE
    while True:
        found = await _recorded(key)
        if found is not None:
            return found
        if await _take(key, lease):
            artefact = await anyio.to_thread.run_sync(
                sandbox.compile, language_name, code, extra, limiter=limiter
            )
            await _record(key, artefact)
            return artefact
        await anyio.sleep(POLL_SECONDS)


async def _recorded(key: str) -> Artefact | None:
    done = (Build.key == key) & (Build.status == BuildState.DONE)
    row = await Build.select(Build.artefact).where(done)
    if not row or row[0]["artefact"] is None:
        return None
    return msgspec.json.decode(row[0]["artefact"], type=Artefact)


async def _take(key: str, lease: timedelta) -> bool:
    """Own the compile: insert its row, or take over one whose compiler's lease ran out."""
    moment = now()
    inserted = (
        await Build.insert(
            Build(id=uuid.uuid4(), key=key, status=BuildState.COMPILING, deadline=moment + lease)
        )
        .on_conflict(action="DO NOTHING")
        .returning(Build.id)
    )
    if inserted:
        return True
    taken = (
        await Build.update({Build.deadline: moment + lease})
        .where(
            (Build.key == key) & (Build.status == BuildState.COMPILING) & (Build.deadline < moment)
        )
        .returning(Build.id)
    )
    return bool(taken)


async def _record(key: str, artefact: Artefact) -> None:
    """Keep the artefact for every other run; forget an internal error so it is retried."""
    if artefact.failure is not None and artefact.failure.status is Status.INTERNAL_ERROR:
        await Build.delete().where((Build.key == key) & (Build.status == BuildState.COMPILING))
        return
    await Build.update(
        {Build.status: BuildState.DONE, Build.artefact: msgspec.json.encode(artefact).decode()}
    ).where(Build.key == key)
