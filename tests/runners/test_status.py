"""How the supervisor's report becomes a run's status."""

from __future__ import annotations

from typing import Any

import pytest

from grading.outcome import Status
from runners.sandbox.protocol import Report, interpret


def report(**fields: Any) -> Report:
    base: dict[str, Any] = {
        "exit_code": 0,
        "signal": None,
        "timed_out": False,
        "oom_killed": False,
        "stdout": b"",
        "stderr": b"",
        "stdout_truncated": False,
        "stderr_truncated": False,
        "wall_ms": 10,
        "cpu_ms": 5,
        "memory_kib": 9000,
    }
    return Report(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        pytest.param({}, Status.OK, id="clean-exit"),
        pytest.param({"exit_code": 1}, Status.RUNTIME_ERROR, id="non-zero-exit"),
        pytest.param({"exit_code": None, "signal": 9}, Status.RUNTIME_ERROR, id="sigkill-no-oom"),
        pytest.param(
            {"exit_code": None, "signal": 9, "oom_killed": True}, Status.MEMORY_LIMIT, id="oom"
        ),
        pytest.param({"oom_killed": True}, Status.OK, id="oom-of-a-child-but-clean-exit"),
        pytest.param({"timed_out": True, "signal": 9}, Status.TIMEOUT, id="timeout"),
        pytest.param(
            {"timed_out": True, "stdout_truncated": True}, Status.OUTPUT_LIMIT, id="flood-first"
        ),
        pytest.param({"stderr_truncated": True}, Status.OUTPUT_LIMIT, id="stderr-flood"),
    ],
)
def test_report_maps_to_status(fields: dict[str, Any], status: Status) -> None:
    assert interpret(report(**fields)).status is status


def test_invalid_utf8_output_is_replaced_not_fatal() -> None:
    result = interpret(report(stdout=b"ok \xff\xfe"))
    assert result.stdout == "ok \ufffd\ufffd"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"exit_code": 1, "stderr": b"SyntaxError: bad"}, None, id="compiler-said"),
        pytest.param(
            {"timed_out": True, "signal": 9, "exit_code": None, "stdout_truncated": True},
            "did not compile: compiling took longer than allowed",
            id="compile-timeout",
        ),
        pytest.param(
            {"oom_killed": True, "signal": 9, "exit_code": None},
            "did not compile: compiling ran out of memory",
            id="compile-oom",
        ),
    ],
)
def test_a_failed_compile_step_is_a_compile_error(fields: dict[str, Any], message: str) -> None:
    result = interpret(report(stage="compile", **fields))
    assert (result.status, result.message) == (Status.COMPILE_ERROR, message)
