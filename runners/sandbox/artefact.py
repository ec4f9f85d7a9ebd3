"""What compiling a program once produces, and how a compile's report becomes it.

A compiled language's program is compiled once, in a sandbox of its own (the language's
compile limits, network off, no host path), and the files it wrote into `BUILD_DIR` come back
in the supervisor's report. They go into every run of the program through the job sent on the
run container's stdin, never through a host path. A failed compile is an `Artefact` too: its
`failure` is the `compile_error` every run of the program reports, with the compiler's
messages (bounded) and, where the compiler could not say why, a message that does.
"""

from __future__ import annotations

import re
import signal

import msgspec

from grading.feedback import clip
from grading.outcome import RunResult, Status

SHOWN_COMPILER_CHARS = 4000
"""How much of the compiler's messages a compile error's message carries."""


class Artefact(msgspec.Struct, frozen=True, kw_only=True):
    """A compiled program: the files its runs need and its entry point, or why it failed.

    Kept bounded (`Settings.max_artefact_bytes`) because it is recorded with the submission and
    travels to every worker that runs one of its cases.
    """

    language: str
    main: str
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    failure: RunResult | None = None
    compile_ms: int = 0


class CompileReport(msgspec.Struct, frozen=True, kw_only=True):
    """How the compiler ended, as the sandbox observed it."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    oom_killed: bool
    output: str
    output_truncated: bool
    wall_ms: int
    files: dict[str, bytes]


_DISK_FULL = ("No space left on device", "File size limit exceeded", "File too large")
_ERROR_LINE = re.compile(r"^.*\berror\b.*$", re.M | re.I)


def artefact_of(
    report: CompileReport, language: str, main: str, limits: tuple[float, int, int, int]
) -> Artefact:
    """The artefact a compile produced, or its failure with a message that says why.

    `limits` are the compile's seconds, MiB of memory, MiB of disk and the artefact's bytes.
    """
    seconds, memory_mib, disk_mib, max_bytes = limits
    reason = _failure_reason(report, seconds, memory_mib, disk_mib)
    if reason is None:
        reason = _artefact_problem(report.files, max_bytes)
    if reason is None:
        return Artefact(language=language, main=main, files=report.files, compile_ms=report.wall_ms)
    failure = RunResult(
        status=Status.COMPILE_ERROR,
        exit_code=report.exit_code,
        signal=report.signal,
        stderr=report.output,
        stderr_truncated=report.output_truncated,
        time_ms=report.wall_ms,
        message=f"{reason}\n{clip(report.output, SHOWN_COMPILER_CHARS)}".rstrip(),
    )
    return Artefact(language=language, main=main, failure=failure, compile_ms=report.wall_ms)


def _failure_reason(
    report: CompileReport, seconds: float, memory_mib: int, disk_mib: int
) -> str | None:
    """Why the compile failed, in words; None when the compiler succeeded."""
    if report.timed_out:
        return f"did not compile: compiling took longer than {seconds:g} s"
    if report.oom_killed:
        return f"did not compile: compiling ran out of memory ({memory_mib} MiB)"
    if any(marker in report.output for marker in _DISK_FULL) or report.signal == signal.SIGXFSZ:
        return f"did not compile: compiling filled the sandbox's disk ({disk_mib} MiB)"
    if report.output_truncated:
        return "did not compile: the compiler's messages were cut at their limit"
    if report.signal is not None or "internal compiler error" in report.output:
        how = f"signal {report.signal}" if report.signal is not None else "an internal error"
        return f"did not compile: the compiler crashed ({how})"
    if report.exit_code != 0:
        first = _ERROR_LINE.search(report.output)
        return f"did not compile: {first[0].strip()}" if first else "did not compile"
    return None


def _artefact_problem(files: dict[str, bytes], max_bytes: int) -> str | None:
    """A successful compile whose output cannot be kept: nothing, or too much."""
    if not files:
        return "did not compile: the compiler produced nothing to run"
    if sum(len(data) for data in files.values()) > max_bytes:
        return f"did not compile: the compiled program is larger than {max_bytes} bytes"
    return None
