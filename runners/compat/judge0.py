"""Judge0 CE's submissions API over OopsEngine's runs: its request, its answer, its statuses.

A submission is a run (`runners.runs`) whose token is the run's id. What Judge0 clients send is
turned into a `RunSpec` here, and a stored run is rendered back the way Judge0 CE 1.13.1 renders
a submission (`app/serializers/submission_serializer.rb`): text fields base64-encoded on request
(`message` too), `time` and `wall_time` as strings of seconds, `memory` in KB, and the fields a
client names in `?fields=` (or Judge0's defaults, or all with `*`).

Statuses, and what OopsEngine says that Judge0 cannot (it says the rest in `message`):

    queued / running                 1 In Queue / 2 Processing
    ok                               3 Accepted, or 4 Wrong Answer against `expected_output`
    timeout                          5 Time Limit Exceeded
    compile_error                    6 Compilation Error
    runtime_error, memory_limit      7-12 by signal (SIGSEGV, SIGXFSZ, SIGFPE, SIGABRT), 11 NZEC
                                     for a non-zero exit, 12 Other for any other signal
    output_limit                     8 Runtime Error (SIGXFSZ): output past the cap
    internal_error                   13 Internal Error
"""

from __future__ import annotations

import base64
import binascii
import math
import shlex
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from grading.outcome import Status as RunStatus
from grading.outcome import Verdict
from runners.compat import catalog
from runners.errors import RequestError, TooMuchWork
from runners.runs import RunSpec, RunView, StoredRun, request_of
from runners.settings import Settings
from runners.store.states import Leased
from runners.webhooks import checked_callback

VERSION = "1.13.1"
"""The Judge0 CE release `/about` reports; the `judge0` SDK picks language ids by it."""
MAX_BATCH = 20
STATUSES = {
    1: "In Queue",
    2: "Processing",
    3: "Accepted",
    4: "Wrong Answer",
    5: "Time Limit Exceeded",
    6: "Compilation Error",
    7: "Runtime Error (SIGSEGV)",
    8: "Runtime Error (SIGXFSZ)",
    9: "Runtime Error (SIGFPE)",
    10: "Runtime Error (SIGABRT)",
    11: "Runtime Error (NZEC)",
    12: "Runtime Error (Other)",
    13: "Internal Error",
    14: "Exec Format Error",
}
SIGNAL_STATUSES = {11: 7, 25: 8, 8: 9, 6: 10}
"""Judge0's `Status.find_runtime_error_by_status_code`: SIGSEGV, SIGXFSZ, SIGFPE, SIGABRT."""
DEFAULT_FIELDS = (
    "token",
    "time",
    "memory",
    "stdout",
    "stderr",
    "compile_output",
    "message",
    "status",
)
"""What Judge0 answers without `?fields=`, and what its callbacks carry."""
OUR_FIELDS = {"code": "source_code", "language": "language_id", "time_limit": "wall_time_limit"}
"""Judge0's name for a run field that the runner's own checks name."""
ENCODED_FIELDS = frozenset(
    ("source_code", "stdin", "expected_output", "stdout", "stderr", "compile_output", "message")
)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""Judge0's timestamps; the `judge0` SDK parses `created_at` and `finished_at` with exactly this."""


class Judge0Error(RequestError):
    """A Judge0 request OopsEngine cannot run as asked; `field` names Judge0's field."""


class Status(msgspec.Struct, frozen=True):
    """Judge0's `status`: an id from `STATUSES` and its description."""

    id: int
    description: str


def status(status_id: int) -> Status:
    """The status with Judge0's description."""
    return Status(status_id, STATUSES[status_id])


class SubmissionRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The body of Judge0's `POST /submissions`; every field Judge0 CE 1.13.1 takes.

    Accepted and ignored, since the sandbox sets them for every run: `cpu_extra_time`,
    `stack_limit`, `max_processes_and_or_threads`, the `enable_per_process_and_thread_*` pair,
    `max_file_size` and `number_of_runs`. Refused when set: `enable_network`,
    `compiler_options`, `additional_files`.
    """

    source_code: str
    language_id: int
    stdin: str | None = None
    expected_output: str | None = None
    cpu_time_limit: float | None = None
    cpu_extra_time: float | None = None
    wall_time_limit: float | None = None
    memory_limit: float | None = None
    stack_limit: int | None = None
    max_processes_and_or_threads: int | None = None
    enable_per_process_and_thread_time_limit: bool | None = None
    enable_per_process_and_thread_memory_limit: bool | None = None
    max_file_size: int | None = None
    command_line_arguments: str | None = None
    redirect_stderr_to_stdout: bool | None = None
    enable_network: bool | None = None
    number_of_runs: int | None = None
    compiler_options: str | None = None
    additional_files: str | None = None
    callback_url: str | None = None


class BatchRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The body of Judge0's `POST /submissions/batch`: at least one, at most `MAX_BATCH`."""

    submissions: Annotated[list[SubmissionRequest], Meta(min_length=1)]


class Accepted(msgspec.Struct, frozen=True):
    """A submission checked and ready to record: its run and where to call back."""

    spec: RunSpec
    callback_url: str | None


class Submission(msgspec.Struct, frozen=True, kw_only=True):
    """A submission with every field Judge0 shows for `?fields=*` that OopsEngine can fill."""

    token: str
    source_code: str | None
    language_id: int | None
    stdin: str | None
    expected_output: str | None
    cpu_time_limit: str | None
    wall_time_limit: str | None
    memory_limit: int | None
    command_line_arguments: str | None
    redirect_stderr_to_stdout: bool
    enable_network: bool
    callback_url: str | None
    stdout: str | None
    stderr: str | None
    compile_output: str | None
    message: str | None
    exit_code: int | None
    exit_signal: int | None
    status: Status
    created_at: str
    finished_at: str | None
    time: str | None
    wall_time: str | None
    memory: int | None


ALL_FIELDS = Submission.__struct_fields__


def spec_of(config: Settings, request: SubmissionRequest, encoded: bool) -> RunSpec:
    """The run a Judge0 submission asks for, or a `Judge0Error` naming the field at fault."""
    _refuse_unsupported(request)
    text = _decoder(encoded)
    expected = request.expected_output
    spec = RunSpec(
        code=text("source_code", request.source_code) or "",
        language=_language(request.language_id),
        stdin=text("stdin", request.stdin) or "",
        expected_output=None if expected is None else text("expected_output", expected),
        time_limit=_time_limit(config, request),
        memory_limit=_memory_mib(config, request.memory_limit),
        args=_arguments(request.command_line_arguments),
        stderr_to_stdout=bool(request.redirect_stderr_to_stdout),
    )
    try:
        request_of(config, spec)
    except RequestError as error:
        field = OUR_FIELDS.get(error.field, error.field)
        raise Judge0Error(field, str(error).removeprefix(f"{error.field}: ")) from None
    return spec


def accept(config: Settings, requests: list[SubmissionRequest], encoded: bool) -> list[Accepted]:
    """Check every submission before any is recorded; in a batch, errors name its position."""
    if len(requests) > MAX_BATCH:
        message = f"send at most {MAX_BATCH} submissions at once, not {len(requests)}"
        raise TooMuchWork("submissions", message)
    prefix = "submissions[{}]." if len(requests) > 1 else ""
    accepted = []
    for index, request in enumerate(requests):
        try:
            spec = spec_of(config, request, encoded)
            accepted.append(Accepted(spec, checked_callback(request.callback_url)))
        except RequestError as error:
            message = str(error).removeprefix(f"{error.field}: ")
            raise Judge0Error(prefix.format(index) + error.field, message) from None
    return accepted


def _refuse_unsupported(request: SubmissionRequest) -> None:
    if request.enable_network:
        raise Judge0Error(
            "enable_network", "the network is always off in OopsEngine's sandboxes; leave it out"
        )
    if request.compiler_options:
        raise Judge0Error("compiler_options", "compiler options are not supported; leave it out")
    if request.additional_files:
        raise Judge0Error("additional_files", "additional files are not supported; leave it out")


def _decoder(encoded: bool) -> Callable[[str, str | None], str | None]:
    """Turns a text field into the text it stands for: base64-decoded when `encoded`."""

    def text(field: str, value: str | None) -> str | None:
        if value is None or not encoded:
            return value
        try:
            raw = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise Judge0Error(field, "is not valid base64 (base64_encoded=true)") from None
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise Judge0Error(field, "decodes to bytes that are not UTF-8 text") from None

    return text


def _language(language_id: int) -> str:
    entry = catalog.by_judge0_id(language_id)
    if entry is None:
        known = ", ".join(str(i) for e in catalog.entries() for i in e.known.judge0_ids)
        raise Judge0Error("language_id", f"no language with id {language_id}; known: {known}")
    return entry.language.name


def _time_limit(config: Settings, request: SubmissionRequest) -> float | None:
    """One wall-clock limit: the smaller of the CPU and wall limits the client set."""
    given = {
        field: value
        for field, value in (
            ("cpu_time_limit", request.cpu_time_limit),
            ("wall_time_limit", request.wall_time_limit),
        )
        if value is not None
    }
    for field, value in given.items():
        if not 0 < value <= config.max_time_limit:
            limit = config.max_time_limit
            raise Judge0Error(field, f"must be more than 0 and at most {limit} seconds")
    return min(given.values(), default=None)


def _memory_mib(config: Settings, kilobytes: float | None) -> int | None:
    if kilobytes is None:
        return None
    most = config.max_memory_limit * 1024
    if not 0 < kilobytes <= most:
        raise Judge0Error("memory_limit", f"must be more than 0 and at most {most} KB")
    return math.ceil(kilobytes / 1024)


def _arguments(text: str | None) -> list[str]:
    """Judge0 appends the arguments to the run command in a shell: split them as one would."""
    try:
        return shlex.split(text or "")
    except ValueError as error:
        message = f"cannot be split into words: {error}"
        raise Judge0Error("command_line_arguments", message) from None


def parse_fields(text: str | None) -> tuple[str, ...]:
    """The fields asked for with `?fields=`: Judge0's defaults, all with `*`, or those named."""
    if text is None or not text.strip():
        return DEFAULT_FIELDS
    if text.strip() == "*":
        return ALL_FIELDS
    named = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in named if name not in ALL_FIELDS]
    if unknown:
        known = ", ".join(ALL_FIELDS)
        raise Judge0Error("fields", f"unknown field(s) {', '.join(unknown)}; known: {known}")
    return named


def render(stored: StoredRun, fields: tuple[str, ...], encoded: bool) -> dict[str, Any]:
    """The submission as Judge0 answers it: only `fields`, text base64-encoded when `encoded`."""
    everything: dict[str, Any] = msgspec.to_builtins(submission_of(stored))
    if encoded:
        everything = {
            field: _encode(value) if field in ENCODED_FIELDS else value
            for field, value in everything.items()
        }
    return {field: everything[field] for field in fields}


def _encode(value: str | None) -> str | None:
    return None if value is None else base64.b64encode(value.encode()).decode()


def submission_of(stored: StoredRun) -> Submission:
    """Every field of the submission a stored run stands for."""
    spec, view = stored.spec, stored.view
    status_id, message = judge(view)
    compiled_out = view.status == RunStatus.COMPILE_ERROR
    entry = catalog.by_name(spec.language)
    return Submission(
        token=str(view.id),
        source_code=spec.code,
        language_id=entry.known.judge0_ids[0] if entry else None,
        stdin=spec.stdin,
        expected_output=spec.expected_output,
        cpu_time_limit=_seconds(spec.time_limit),
        wall_time_limit=_seconds(spec.time_limit),
        memory_limit=None if spec.memory_limit is None else spec.memory_limit * 1024,
        command_line_arguments=shlex.join(spec.args) if spec.args else None,
        redirect_stderr_to_stdout=spec.stderr_to_stdout,
        enable_network=False,
        callback_url=stored.callback_url,
        stdout=None if compiled_out else view.stdout or None,
        stderr=None if compiled_out else view.stderr or None,
        compile_output=_compile_output(view),
        message=message,
        exit_code=view.exit_code,
        exit_signal=view.signal,
        status=status(status_id),
        created_at=_timestamp(stored.created_at),
        finished_at=None if stored.completed_at is None else _timestamp(stored.completed_at),
        time=None if stored.completed_at is None else _seconds(view.cpu_ms / 1000),
        wall_time=None if stored.completed_at is None else _seconds(view.time_ms / 1000),
        memory=None if stored.completed_at is None else view.memory_kib,
    )


def _compile_output(view: RunView) -> str | None:
    """What the compiler said, both streams, as Judge0's `2>&1` keeps it."""
    if view.status != RunStatus.COMPILE_ERROR:
        return None
    return (view.stdout + view.stderr) or None


def _seconds(value: float | None) -> str | None:
    return None if value is None else f"{value:.3f}"


def _timestamp(moment: datetime) -> str:
    return moment.strftime(TIME_FORMAT)


def judge(view: RunView) -> tuple[int, str | None]:
    """Judge0's status id for a run, and the `message` that says what its id cannot."""
    if view.status in tuple(Leased):
        return (1 if view.status == Leased.QUEUED else 2), None
    ended = RunStatus(view.status)
    if ended is RunStatus.OK:
        return (4 if view.verdict is Verdict.WRONG_ANSWER else 3), None
    if ended is RunStatus.TIMEOUT:
        return 5, "Time limit exceeded"
    if ended is RunStatus.COMPILE_ERROR:
        return 6, view.message
    if ended is RunStatus.OUTPUT_LIMIT:
        cut = "stdout" if view.stdout_truncated else "stderr"
        return 8, f"Output limit exceeded: {cut} was cut at this server's output limit"
    if ended is RunStatus.MEMORY_LIMIT:
        return _crash_status(view), "Memory limit exceeded: the program was killed at its limit"
    if ended is RunStatus.RUNTIME_ERROR:
        return _crash_status(view), _crash_message(view)
    return 13, view.message


def _crash_status(view: RunView) -> int:
    if view.signal is None:
        return 11
    return SIGNAL_STATUSES.get(view.signal, 12)


def _crash_message(view: RunView) -> str:
    """What isolate says of a crash, as Judge0 passes it on."""
    if view.signal is not None:
        return f"Caught fatal signal {view.signal}"
    return f"Exited with error status {view.exit_code}"


def statuses() -> list[Status]:
    """Every Judge0 status, by id."""
    return [status(status_id) for status_id in STATUSES]
