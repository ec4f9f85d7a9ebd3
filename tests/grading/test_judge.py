"""Judging one case: run statuses, compared output and Kattis-protocol checker outcomes."""

from __future__ import annotations

import pytest

from grading.judge import SHOWN_CHARS, CheckerRun, effective_compare, judge_case
from grading.outcome import RunResult, Status, Verdict
from grading.suite import Case, Compare, Suite

CASE = Case(name="adds", stdin="1 2\n", expected_output="3\n", points=4, visibility="hidden")
SUITE = Suite(name="sum", cases=[CASE], memory_limit=256)
CHECKED = Case(
    name="any-order",
    expected_output="1 2\n",
    points=2,
    compare=Compare(mode="checker", checker="..."),
)


def ok(stdout: str) -> RunResult:
    """A run that ended normally and printed `stdout`."""
    return RunResult(status=Status.OK, exit_code=0, stdout=stdout, time_ms=12, memory_kib=2048)


def test_passed_case_earns_full_points_and_reports_the_run() -> None:
    result = judge_case(CASE, SUITE, ok("3\n"))
    assert result.verdict == Verdict.PASSED
    assert (result.points, result.max_points) == (4, 4)
    assert (result.time_ms, result.memory_kib) == (12, 2048)
    assert (result.message, result.diff, result.group) == (None, None, None)
    assert result.visibility == "hidden"
    assert (result.stdin, result.expected_output, result.actual_output) == ("1 2\n", "3\n", "3\n")


def test_wrong_answer_carries_message_and_diff() -> None:
    result = judge_case(CASE, SUITE, ok("4\n"))
    assert result.verdict == Verdict.WRONG_ANSWER
    assert result.points == 0
    assert result.message == 'line 1, column 1: expected "3", got "4"'
    assert result.diff == "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n-3\n+4\n "


@pytest.mark.parametrize(
    ("run", "verdict", "message"),
    [
        pytest.param(
            RunResult(status=Status.TIMEOUT, time_ms=3004),
            Verdict.TIMEOUT,
            "killed after 3.0 s",
            id="timeout",
        ),
        pytest.param(
            RunResult(status=Status.MEMORY_LIMIT, memory_kib=262_144),
            Verdict.MEMORY_LIMIT,
            "exceeded 256 MiB",
            id="memory-limit",
        ),
        pytest.param(
            RunResult(status=Status.OUTPUT_LIMIT),
            Verdict.OUTPUT_LIMIT,
            "printed more output than allowed",
            id="output-limit",
        ),
        pytest.param(
            RunResult(
                status=Status.RUNTIME_ERROR,
                exit_code=1,
                stderr="Traceback (most recent call last):\nZeroDivisionError: division by zero\n",
            ),
            Verdict.RUNTIME_ERROR,
            'exit code 1: "ZeroDivisionError: division by zero"',
            id="runtime-error-exit-code",
        ),
        pytest.param(
            RunResult(status=Status.RUNTIME_ERROR, signal=11),
            Verdict.RUNTIME_ERROR,
            "killed by signal 11 (SIGSEGV)",
            id="runtime-error-signal",
        ),
        pytest.param(
            RunResult(
                status=Status.COMPILE_ERROR,
                exit_code=1,
                stderr='  File "main.py", line 3\n    print(n\n         ^\n'
                "SyntaxError: '(' was never closed\n",
            ),
            Verdict.COMPILE_ERROR,
            "did not compile (line 3): \"SyntaxError: '(' was never closed\"",
            id="compile-error-names-the-line",
        ),
        pytest.param(
            RunResult(status=Status.COMPILE_ERROR, signal=9),
            Verdict.COMPILE_ERROR,
            "did not compile",
            id="compile-error-without-a-word-from-the-compiler",
        ),
        pytest.param(
            RunResult(status=Status.INTERNAL_ERROR),
            Verdict.INTERNAL_ERROR,
            "the run failed inside the grader, not because of the submission",
            id="internal-error",
        ),
        pytest.param(
            RunResult(status=Status.TIMEOUT, time_ms=999, message="wall clock limit hit"),
            Verdict.TIMEOUT,
            "wall clock limit hit",
            id="runner-message-wins",
        ),
    ],
)
def test_each_failed_run_gets_its_verdict_and_no_points(
    run: RunResult, verdict: Verdict, message: str
) -> None:
    result = judge_case(CASE, SUITE, run)
    assert result.verdict == verdict
    assert result.points == 0
    assert result.max_points == 4
    assert result.message == message
    assert result.diff is None


def test_memory_message_without_a_known_limit_says_how_much_was_used() -> None:
    run = RunResult(status=Status.MEMORY_LIMIT, memory_kib=524_288)
    result = judge_case(CASE, Suite(name="s", cases=[CASE]), run)
    assert result.message == "exceeded the memory limit, using 512 MiB"


def test_case_compare_overrides_the_suite_compare() -> None:
    suite = Suite(name="s", compare=Compare(mode="tokens"), cases=[CASE])
    exact = Case(name="strict", expected_output="3\n", compare=Compare(mode="exact"))
    assert effective_compare(CASE, suite) == Compare(mode="tokens")
    assert effective_compare(exact, suite) == Compare(mode="exact")
    assert judge_case(CASE, suite, ok("  3")).verdict == Verdict.PASSED
    assert judge_case(exact, suite, ok("3")).verdict == Verdict.WRONG_ANSWER


def test_shown_texts_are_bounded() -> None:
    flood = "y\n" * 100_000
    result = judge_case(
        Case(name="flood", stdin=flood, expected_output=flood), SUITE, ok(flood + "n")
    )
    for text in (result.stdin, result.expected_output, result.actual_output, result.diff):
        assert text is not None
        assert len(text) <= SHOWN_CHARS


@pytest.mark.parametrize(
    ("checker", "verdict", "points", "message"),
    [
        pytest.param(
            CheckerRun(status=Status.OK, exit_code=42),
            Verdict.PASSED,
            2,
            None,
            id="accepted",
        ),
        pytest.param(
            CheckerRun(status=Status.OK, exit_code=42, score=0.25, team_message="1 of 4 pairs"),
            Verdict.PASSED,
            0.5,
            "1 of 4 pairs",
            id="accepted-with-score",
        ),
        pytest.param(
            CheckerRun(status=Status.OK, exit_code=43, team_message="2 is not prime\n"),
            Verdict.WRONG_ANSWER,
            0,
            "2 is not prime",
            id="wrong-answer-team-message",
        ),
        pytest.param(
            CheckerRun(status=Status.OK, exit_code=43, judge_message="token 2 differs"),
            Verdict.WRONG_ANSWER,
            0,
            "token 2 differs",
            id="wrong-answer-judge-message",
        ),
        pytest.param(
            CheckerRun(status=Status.OK, exit_code=43, score=1.0),
            Verdict.WRONG_ANSWER,
            0,
            "rejected by the checker",
            id="wrong-answer-ignores-score",
        ),
        pytest.param(
            CheckerRun(status=Status.OK, exit_code=1, judge_message="Traceback ...\nKeyError: 3"),
            Verdict.INTERNAL_ERROR,
            0,
            "the checker exited with 1, not 42 (accepted) or 43 (wrong answer); "
            'it said "Traceback ...\\nKeyError: 3"',
            id="other-exit-code",
        ),
        pytest.param(
            CheckerRun(status=Status.TIMEOUT),
            Verdict.INTERNAL_ERROR,
            0,
            "the checker did not finish (timeout)",
            id="checker-timed-out",
        ),
        pytest.param(
            CheckerRun(status=Status.OK, exit_code=42, score=1.5),
            Verdict.INTERNAL_ERROR,
            0,
            "the checker's score 1.5 is outside [0, 1]",
            id="score-out-of-range",
        ),
        pytest.param(
            CheckerRun(status=Status.OK, exit_code=42, score=float("nan")),
            Verdict.INTERNAL_ERROR,
            0,
            "the checker's score nan is outside [0, 1]",
            id="score-nan",
        ),
    ],
)
def test_checker_outcomes(
    checker: CheckerRun, verdict: Verdict, points: float, message: str | None
) -> None:
    result = judge_case(CHECKED, SUITE, ok("2 1\n"), checker)
    assert result.verdict == verdict
    assert result.points == points
    assert result.max_points == 2
    assert result.message == message
    assert result.diff is None


def test_checker_mode_without_a_checker_run_is_an_internal_error() -> None:
    result = judge_case(CHECKED, SUITE, ok("2 1\n"))
    assert result.verdict == Verdict.INTERNAL_ERROR
    assert result.message == "the checker was not run for this case"


def test_a_failed_run_keeps_its_verdict_whatever_the_checker_said() -> None:
    checker = CheckerRun(status=Status.OK, exit_code=42)
    result = judge_case(CHECKED, SUITE, RunResult(status=Status.TIMEOUT, time_ms=5000), checker)
    assert result.verdict == Verdict.TIMEOUT
