"""What one sandboxed run produced, and the verdicts grading derives from it."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Status(StrEnum):
    """How a run ended, before anything is compared."""

    OK = "ok"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    COMPILE_ERROR = "compile_error"
    INTERNAL_ERROR = "internal_error"


class Verdict(StrEnum):
    """The judgement on one case or one submission."""

    PASSED = "passed"
    WRONG_ANSWER = "wrong_answer"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    RUNTIME_ERROR = "runtime_error"
    COMPILE_ERROR = "compile_error"
    INTERNAL_ERROR = "internal_error"


class RunOutput(msgspec.Struct, frozen=True, kw_only=True):
    """What one run left behind, whatever its status: exit, streams, time and memory.

    `stdout` and `stderr` are decoded as UTF-8 with invalid bytes replaced by U+FFFD, so the
    result always encodes as JSON; the `*_truncated` flags say whether the output cap cut them.
    """

    exit_code: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    time_ms: int = 0
    cpu_ms: int = 0
    memory_kib: int = 0
    message: str | None = None


class RunResult(RunOutput, frozen=True, kw_only=True):
    """The observable result of one run: how it ended and what it left (`oops run --json`)."""

    status: Status


def verdict_of(status: Status) -> Verdict:
    """The verdict of a run that did not end normally (an `ok` run still needs comparing)."""
    return _FAILED_RUN_VERDICTS[status]


_FAILED_RUN_VERDICTS = {
    Status.RUNTIME_ERROR: Verdict.RUNTIME_ERROR,
    Status.TIMEOUT: Verdict.TIMEOUT,
    Status.MEMORY_LIMIT: Verdict.MEMORY_LIMIT,
    Status.OUTPUT_LIMIT: Verdict.OUTPUT_LIMIT,
    Status.COMPILE_ERROR: Verdict.COMPILE_ERROR,
    Status.INTERNAL_ERROR: Verdict.INTERNAL_ERROR,
}
