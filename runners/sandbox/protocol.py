"""The host's side of the supervisor's protocol: the job it writes and the reports it reads.

This module mirrors `images/supervise.py`, whose docstring specifies the lines:

    job      `program_line`   the program: its files (or its artefact), environment and check
             `case_line`      one per case: argv, stdin, limits, own files, feedback folder
             `run_job`        a single run: a program line and one case line
             `compile_job`    a compile: the sources as the program, the compiler as its case
    report   `Report`         one line per case, as the supervisor prints it; `decode` reads
                              it and `interpret` turns it into the run's status and fields

The supervisor runs inside the image with the standard library alone and cannot import the
constants below; `tests/runners/test_protocol_constants.py` fails when the two sides differ.
"""

from __future__ import annotations

import base64
from pathlib import PurePosixPath

import msgspec

from grading.outcome import RunResult, Status
from runners.sandbox.artefact import Artefact, CompileReport
from runners.sandbox.languages import (
    BUILD_DIR,
    Language,
    entry_point,
    expand,
    language,
    source_name,
)
from runners.sandbox.limits import Limits

SANDBOX_UID = 65534
"""The uid every program runs as; its group is the same number."""
SUPERVISOR_USER = f"0:{SANDBOX_UID}"
"""The supervisor's uid inside the container: another uid than the program's (see supervise.py)."""
SUPERVISOR_CAPABILITIES = ["KILL", "SETUID", "SETGID", "SETPCAP"]
"""All the supervisor keeps: end every process, drop the program to SANDBOX_UID with nothing."""
WORKDIR = "/sandbox"
"""The tmpfs the program's files are written to and it runs in: its home and its TMPDIR."""
FEEDBACK_CAP = 64 * 1024
"""How much of a compiler's messages a compile keeps (the supervisor's own cap)."""
REPORT_OVERHEAD = 64 * 1024
"""Room in a report line for all but the program's two streams (its other fields and files)."""


class RunRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A program to run: its main file, extra files, arguments, stdin and limits.

    A program in a compiled language runs its `artefact`; without one it is compiled first, in
    a sandbox of its own, and then run (a single run compiles once too). With
    `stderr_to_stdout` the program's stderr is the same pipe as its stdout.
    """

    code: str
    limits: Limits
    language: str = "python"
    stdin: bytes = b""
    args: list[str] = msgspec.field(default_factory=list)
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    collect: str | None = None
    artefact: Artefact | None = None
    stderr_to_stdout: bool = False


class Program(msgspec.Struct, frozen=True, kw_only=True):
    """What every case of a multi-case run shares: the code, its language, extra files and,
    for a compiled language, its artefact (compiled on first use when missing)."""

    code: str
    language: str = "python"
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    artefact: Artefact | None = None


class CaseInput(msgspec.Struct, frozen=True, kw_only=True):
    """One case of a multi-case run: its limits, stdin, arguments, own files, feedback folder.

    A test runner's case sets `report_bytes`: its report comes back through descriptor 3,
    cut at that many bytes (see `images/supervise.py`).
    """

    limits: Limits
    stdin: bytes = b""
    args: list[str] = msgspec.field(default_factory=list)
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    collect: str | None = None
    stderr_to_stdout: bool = False
    report_bytes: int = 0


class Execution(msgspec.Struct, frozen=True, kw_only=True):
    """A run's result and the files it left in the `collect` directory (checker feedback);
    for a test runner, the report it wrote (None: it wrote none) and whether the cap cut it."""

    result: RunResult
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    report: bytes | None = None
    report_truncated: bool = False
    startup_ms: int = 0
    ran: bool = False
    """The program itself started: any check before it (Python's syntax check) passed."""


class Report(msgspec.Struct, frozen=True):
    """The supervisor's account of the run, as it prints it."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    oom_killed: bool
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    wall_ms: int
    cpu_ms: int
    memory_kib: int
    files: dict[str, bytes] = {}
    stage: str = "run"
    report: bytes | None = None
    report_truncated: bool = False


def run_job(request: RunRequest, checked: bool = False) -> bytes:
    """The job of a single run: the program's line and its one case's line; `checked`
    leaves out the check of a program whose check passed before."""
    case = CaseInput(
        limits=request.limits,
        stdin=request.stdin,
        args=request.args,
        collect=request.collect,
        stderr_to_stdout=request.stderr_to_stdout,
    )
    program = Program(
        code=request.code,
        language=request.language,
        files=request.files,
        artefact=request.artefact,
    )
    return program_line(program, checked) + case_line(program, case)


def program_line(program: Program, checked: bool = False, forked: bool = False) -> bytes:
    """The job's first line: the program's files (or its artefact), environment and check
    (unless `checked`); `forked` has cases forked from the language's starter, if it has one.

    A compiled program sends its artefact's files instead of its source, made executable.
    """
    lang = language(program.language)
    built = program.artefact.files if program.artefact is not None else {}
    files = {**program.files, **built}
    if program.artefact is None:
        files[source_name(lang, program.code)] = program.code.encode()
    step = {"argv": list(lang.check), "time_limit": lang.compile_time_limit}
    job = {
        "files": _encoded(files),
        "executable": sorted(built),
        "env": _environment(lang),
        "compile": step if lang.check and not checked else None,
        "starter": list(lang.starter) if forked and lang.starter else None,
    }
    return msgspec.json.encode(job) + b"\n"


def case_line(program: Program, case: CaseInput) -> bytes:
    """One case's line: argv, stdin, wall clock, output cap, own files, feedback folder."""
    lang = language(program.language)
    main = program.artefact.main if program.artefact else entry_point(lang, program.code)
    job = {
        "argv": [*expand(lang.command, main, [], case.limits.memory_limit), *case.args],
        "stdin": base64.b64encode(case.stdin).decode(),
        "time_limit": case.limits.time_limit,
        "output_limit": case.limits.output_limit,
        "files": _encoded(case.files),
        "collect": case.collect,
        "stderr_to_stdout": case.stderr_to_stdout,
        "report_bytes": case.report_bytes,
    }
    return msgspec.json.encode(job) + b"\n"


def compile_job(lang: Language, main: str, sources: dict[str, bytes], artefact_bytes: int) -> bytes:
    """A compile's job: the sources as the program, the compiler as its one case, whose files
    in `BUILD_DIR` come back in its report, each cut at `artefact_bytes` (plus one)."""
    compiled = sorted(name for name in sources if PurePosixPath(name).suffix in lang.extensions)
    program = {"files": _encoded(sources), "env": _environment(lang), "compile": None}
    case = {
        "argv": expand(lang.compile, main, compiled, lang.compile_memory_limit),
        "stdin": "",
        "time_limit": lang.compile_time_limit,
        "output_limit": FEEDBACK_CAP,
        "files": {},
        "collect": BUILD_DIR,
        "collect_bytes": artefact_bytes,
    }
    return msgspec.json.encode(program) + b"\n" + msgspec.json.encode(case) + b"\n"


def _environment(lang: Language) -> dict[str, str]:
    """All the environment a program gets: nothing of the runner's."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": WORKDIR,
        "TMPDIR": WORKDIR,
        "LANG": "C.UTF-8",
        **lang.env,
    }


def _encoded(files: dict[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(data).decode() for name, data in files.items()}


def report_cap(output_limit: int, report_bytes: int = 0) -> int:
    """The longest report line the host reads for a case whose streams are each cut at
    `output_limit` bytes (and a test runner's report at `report_bytes`): each in base64, and
    the rest of the report."""
    return 3 * output_limit + 2 * report_bytes + REPORT_OVERHEAD


def decode(line: bytes | None) -> Report | None:
    """A report line as the supervisor wrote it; None if there is none, or it is garbled."""
    if line is None:
        return None
    try:
        return msgspec.json.decode(line, type=Report)
    except msgspec.DecodeError:
        return None


def interpret(report: Report) -> RunResult:
    """Turn the supervisor's report into the run's status and fields."""
    compiling = report.stage == "compile"
    return RunResult(
        status=Status.COMPILE_ERROR if compiling else _status(report),
        exit_code=report.exit_code,
        signal=report.signal,
        stdout=report.stdout.decode(errors="replace"),
        stderr=report.stderr.decode(errors="replace"),
        stdout_truncated=report.stdout_truncated,
        stderr_truncated=report.stderr_truncated,
        time_ms=report.wall_ms,
        cpu_ms=report.cpu_ms,
        memory_kib=report.memory_kib,
        message=_compile_failure(report) if compiling else None,
    )


def execution_of(report: Report) -> Execution:
    """A case's execution from its report: the run, its collected files, a runner's report."""
    return Execution(
        result=interpret(report),
        files=report.files,
        ran=report.stage == "run",
        report=report.report,
        report_truncated=report.report_truncated,
    )


def _compile_failure(report: Report) -> str | None:
    """Why a compile step failed when the compiler could not say so itself."""
    if report.timed_out:
        return "did not compile: compiling took longer than allowed"
    if report.oom_killed:
        return "did not compile: compiling ran out of memory"
    return None


def _status(report: Report) -> Status:
    if report.stdout_truncated or report.stderr_truncated:
        return Status.OUTPUT_LIMIT
    if report.timed_out:
        return Status.TIMEOUT
    failed = report.signal is not None or report.exit_code != 0
    if failed and report.oom_killed:
        return Status.MEMORY_LIMIT
    return Status.RUNTIME_ERROR if failed else Status.OK


def adjusted(execution: Execution, lang: Language) -> Execution:
    """A run whose runtime outgrew its own memory bound is a memory limit, not a crash.

    A JVM's heap (`-Xmx`) or V8's old space fills before the container's limit does, and the
    runtime ends the program itself, saying so on stderr.
    """
    result = execution.result
    if result.status is not Status.RUNTIME_ERROR:
        return execution
    if not any(marker in result.stderr for marker in lang.memory_errors):
        return execution
    adjusted = msgspec.structs.replace(result, status=Status.MEMORY_LIMIT, message="out of memory")
    return msgspec.structs.replace(execution, result=adjusted)


def compile_report(execution: Execution) -> CompileReport:
    """A compile's execution as `artefact_of` reads it: how the compiler ended, what it said
    (cut at `FEEDBACK_CAP`) and the files it built."""
    result = execution.result
    return CompileReport(
        exit_code=result.exit_code,
        signal=result.signal,
        timed_out=result.status is Status.TIMEOUT,
        oom_killed=result.status is Status.MEMORY_LIMIT,
        output=(result.stdout + result.stderr)[:FEEDBACK_CAP],
        output_truncated=result.stdout_truncated or result.stderr_truncated,
        wall_ms=result.time_ms,
        files=execution.files,
    )


def unanswered(budget: float, err: bytes) -> RunResult:
    """The supervisor neither reported nor exited in time: the container was killed."""
    return RunResult(
        status=Status.TIMEOUT,
        signal=9,
        time_ms=round(budget * 1000),
        message="the sandbox stopped answering and was killed",
        stderr=err.decode(errors="replace"),
    )
