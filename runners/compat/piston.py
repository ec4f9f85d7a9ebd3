"""Piston's execute API over OopsEngine's runs: its request, its answer, its runtimes.

`POST /api/v2/execute` is synchronous in Piston; here it is a run (`runners.runs`) that the
route waits for, so it is also visible at `/v1/runs/{id}`. The answer has Piston's shape:
`{language, version, run: {stdout, stderr, output, code, signal, ...}}`, and a `compile` stage
for compiled languages (without `run` when compiling failed, as Piston does).
"""

from __future__ import annotations

import base64
import binascii
import math
import signal
from typing import Literal

import msgspec

from grading.outcome import Status
from runners.compat import catalog
from runners.errors import RequestError
from runners.runs import RunSpec, RunView
from runners.settings import Settings

STATUS_CODES: dict[str, str] = {
    Status.RUNTIME_ERROR: "RE",
    Status.MEMORY_LIMIT: "SG",
    Status.TIMEOUT: "TO",
    Status.OUTPUT_LIMIT: "OL",
    Status.INTERNAL_ERROR: "XX",
}
"""Piston's stage `status` for runs that did not end normally (`OL`: output too long)."""


class PistonError(RequestError):
    """A Piston request OopsEngine cannot run as asked; `field` names Piston's field."""


class File(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One of the request's `files`; the first is the program."""

    content: str
    name: str | None = None
    encoding: Literal["utf8", "base64", "hex"] = "utf8"


class ExecuteRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The body of Piston's `POST /api/v2/execute`: timeouts in ms, memory limits in bytes.

    `version` is accepted whatever it says: each language has one version here, the one the
    answer names. `compile_timeout`, `compile_cpu_time` and `compile_memory_limit` are accepted
    and ignored: each language's compile step has its own limits.
    """

    language: str
    files: list[File]
    version: str = "*"
    stdin: str = ""
    args: list[str] = msgspec.field(default_factory=list)
    run_timeout: float | None = None
    run_cpu_time: float | None = None
    compile_timeout: float | None = None
    compile_cpu_time: float | None = None
    run_memory_limit: int | None = None
    compile_memory_limit: int | None = None


class Stage(msgspec.Struct, frozen=True, kw_only=True):
    """What one stage (`compile` or `run`) did, as Piston reports it."""

    stdout: str = ""
    stderr: str = ""
    output: str = ""
    code: int | None = 0
    signal: str | None = None
    message: str | None = None
    status: str | None = None
    cpu_time: int | None = None
    wall_time: int | None = None
    memory: int | None = None


class ExecuteAnswer(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Piston's answer; `compile` only for compiled languages, `run` unless compiling failed."""

    language: str
    version: str
    run: Stage | None = None
    compile: Stage | None = None


class Runtime(msgspec.Struct, frozen=True):
    """An entry of `GET /api/v2/runtimes`."""

    language: str
    version: str
    aliases: list[str]


def runtimes() -> list[Runtime]:
    """Every language we run under the name and aliases Piston gives it."""
    return [
        Runtime(entry.known.piston, entry.version, list(entry.known.aliases))
        for entry in catalog.entries()
    ]


def spec_of(config: Settings, request: ExecuteRequest) -> RunSpec:
    """The run a Piston request asks for, or a `PistonError` naming the field at fault."""
    entry = catalog.by_piston_name(request.language)
    if entry is None:
        known = ", ".join(runtime.language for runtime in runtimes())
        raise PistonError("language", f"{request.language} runtime is unknown; known: {known}")
    if len(request.files) != 1:
        raise PistonError("files", "send exactly one file: the program")
    return RunSpec(
        code=_content(request.files[0]),
        language=entry.language.name,
        stdin=request.stdin,
        args=request.args,
        time_limit=_seconds(config, request.run_timeout),
        memory_limit=_mebibytes(config, request.run_memory_limit),
    )


def _content(file: File) -> str:
    try:
        if file.encoding == "base64":
            return base64.b64decode(file.content, validate=True).decode()
        if file.encoding == "hex":
            return bytes.fromhex(file.content).decode()
    except (binascii.Error, ValueError):
        raise PistonError("files[0].content", f"is not valid {file.encoding} text") from None
    return file.content


def _seconds(config: Settings, milliseconds: float | None) -> float | None:
    if milliseconds is None or milliseconds == -1:
        return None
    most = config.max_time_limit * 1000
    if not 0 < milliseconds <= most:
        raise PistonError("run_timeout", f"must be more than 0 and at most {most:g} ms")
    return milliseconds / 1000


def _mebibytes(config: Settings, limit: int | None) -> int | None:
    if limit is None or limit == -1:
        return None
    most = config.max_memory_limit * 1024 * 1024
    if not 0 < limit <= most:
        raise PistonError("run_memory_limit", f"must be -1, or more than 0 and at most {most}")
    return math.ceil(limit / (1024 * 1024))


def answer(language: str, view: RunView) -> ExecuteAnswer:
    """Piston's answer for a run that ended; `language` is our name of its language."""
    entry = catalog.by_name(language)
    if entry is None:
        raise PistonError("language", f"{language} has no Piston name")
    stage = _stage(view)
    name, version = entry.known.piston, entry.version
    if not entry.known.compiled:
        return ExecuteAnswer(language=name, version=version, run=stage)
    if view.status == Status.COMPILE_ERROR:
        return ExecuteAnswer(language=name, version=version, compile=stage)
    return ExecuteAnswer(language=name, version=version, compile=Stage(), run=stage)


def _stage(view: RunView) -> Stage:
    return Stage(
        stdout=view.stdout,
        stderr=view.stderr,
        output=view.stdout + view.stderr,
        code=view.exit_code,
        signal=_signal_name(view.signal),
        message=view.message,
        status=STATUS_CODES.get(view.status),
        cpu_time=view.cpu_ms,
        wall_time=view.time_ms,
        memory=view.memory_kib * 1024,
    )


def _signal_name(number: int | None) -> str | None:
    """Piston names signals (`SIGKILL`); a number without a name stays a number."""
    if number is None:
        return None
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
