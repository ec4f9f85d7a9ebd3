"""How a compile's report becomes an artefact or a compile error that says why."""

from __future__ import annotations

from typing import Any

import pytest

from grading.outcome import Status
from runners.sandbox.artefact import CompileReport, artefact_of

LIMITS = (60.0, 1024, 64, 1000)


def report(**fields: Any) -> CompileReport:
    base: dict[str, Any] = {
        "exit_code": 0,
        "signal": None,
        "timed_out": False,
        "oom_killed": False,
        "output": "",
        "output_truncated": False,
        "wall_ms": 900,
        "files": {"main": b"\x7fELF"},
    }
    return CompileReport(**{**base, **fields})


def test_a_successful_compile_keeps_its_files_and_entry_point() -> None:
    artefact = artefact_of(report(), "c", "main", LIMITS)
    assert (artefact.failure, artefact.files, artefact.main) == (None, {"main": b"\x7fELF"}, "main")


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        pytest.param(
            {"exit_code": 1, "output": "main.c: In function 'main':\nmain.c:1:9: error: boom\n"},
            "did not compile: main.c:1:9: error: boom",
            id="compiler-error-first-line",
        ),
        pytest.param(
            {"exit_code": None, "signal": 9, "timed_out": True},
            "did not compile: compiling took longer than 60 s",
            id="too-long",
        ),
        pytest.param(
            {"exit_code": None, "signal": 9, "oom_killed": True},
            "did not compile: compiling ran out of memory (1024 MiB)",
            id="out-of-memory",
        ),
        pytest.param(
            {"exit_code": 1, "output": "/usr/bin/ld: final link failed: No space left on device"},
            "did not compile: compiling filled the sandbox's disk (64 MiB)",
            id="disk-full",
        ),
        pytest.param(
            {"exit_code": None, "signal": 25},
            "did not compile: compiling filled the sandbox's disk (64 MiB)",
            id="file-size-limit",
        ),
        pytest.param(
            {"exit_code": None, "signal": 11},
            "did not compile: the compiler crashed (signal 11)",
            id="compiler-killed",
        ),
        pytest.param(
            {"exit_code": 4, "output": "main.cpp:3: internal compiler error: Segmentation fault"},
            "did not compile: the compiler crashed (an internal error)",
            id="internal-compiler-error",
        ),
        pytest.param(
            {"exit_code": None, "signal": 9, "output_truncated": True},
            "did not compile: the compiler's messages were cut at their limit",
            id="message-flood",
        ),
        pytest.param(
            {"files": {}}, "did not compile: the compiler produced nothing to run", id="nothing"
        ),
        pytest.param(
            {"files": {"main": b"x" * 1001}},
            "did not compile: the compiled program is larger than 1000 bytes",
            id="too-large",
        ),
    ],
)
def test_a_failed_compile_is_a_compile_error_saying_why(fields: dict[str, Any], says: str) -> None:
    failure = artefact_of(report(**fields), "c", "main", LIMITS).failure
    assert failure is not None
    assert failure.status is Status.COMPILE_ERROR
    assert failure.message is not None
    assert failure.message.splitlines()[0] == says


def test_compile_error_carries_the_compilers_messages_bounded() -> None:
    output = "main.c:1:1: error: first\n" + "noise\n" * 5000
    failure = artefact_of(report(exit_code=1, output=output), "c", "main", LIMITS).failure
    assert failure is not None
    assert failure.message is not None
    assert "noise" in failure.message
    assert len(failure.message) < 4500
    assert failure.stderr == output
