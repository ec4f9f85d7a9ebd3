"""Grading one case: from how its run ended (and its checker's verdict) to a `CaseResult`.

A run that did not end normally gets the verdict of its status and no points. A normal run is
compared with the case's expected output under the case's `compare`, else the suite's; in
`checker` mode the runner has run the checker and passes its outcome in as a `CheckerRun`.
"""

from __future__ import annotations

import re
import signal

import msgspec

from grading.compare import compare
from grading.feedback import clip, quote, unified_diff
from grading.outcome import RunResult, Status, Verdict, verdict_of
from grading.results import CaseResult
from grading.suite import Case, Compare, Suite

CHECKER_ACCEPTED = 42
CHECKER_WRONG_ANSWER = 43
SHOWN_CHARS = 4000
"""How much of a case's input, expected and actual output a result carries."""


class CheckerRun(msgspec.Struct, frozen=True, kw_only=True):
    """How a Kattis-protocol checker judged one output, as the runner observed it.

    The checker exits 42 to accept and 43 to reject; anything else, or a `status` other than
    `ok` (the checker itself crashed or timed out), is an internal error of the suite.
    `judge_message` and `team_message` are its `judgemessage.txt` and `teammessage.txt`.
    `score` is `score.txt` read as a number: the fraction in [0, 1] of the case's points an
    accepted output earns (unset: all of them); a score outside [0, 1] is an internal error.
    """

    status: Status
    exit_code: int | None = None
    judge_message: str = ""
    team_message: str = ""
    score: float | None = None


class _Judgement(msgspec.Struct, frozen=True, kw_only=True):
    """A verdict with the fraction of the case's points it earns and what to tell about it."""

    verdict: Verdict
    fraction: float = 0.0
    message: str | None = None
    diff: str | None = None


def effective_compare(case: Case, suite: Suite) -> Compare:
    """How the case's output is compared: its own `compare`, else the suite's."""
    return case.compare if case.compare is not None else suite.compare


def judge_case(
    case: Case, suite: Suite, run: RunResult, checker: CheckerRun | None = None
) -> CaseResult:
    """Grade one run of `case`; `group` is left for the caller, who knows the case's group."""
    judgement = _judge(case, suite, run, checker)
    return CaseResult(
        name=case.name,
        verdict=judgement.verdict,
        points=judgement.fraction * case.points,
        max_points=case.points,
        time_ms=run.time_ms,
        memory_kib=run.memory_kib,
        message=judgement.message,
        diff=judgement.diff,
        visibility=case.visibility,
        stdin=clip(case.stdin, SHOWN_CHARS),
        expected_output=clip(case.expected_output, SHOWN_CHARS),
        actual_output=clip(run.stdout, SHOWN_CHARS),
    )


def _judge(case: Case, suite: Suite, run: RunResult, checker: CheckerRun | None) -> _Judgement:
    """The judgement on one run, before it is dressed as a `CaseResult`."""
    if run.status != Status.OK:
        message = run.message or _failed_run_message(run, case, suite)
        return _Judgement(verdict=verdict_of(run.status), message=message)
    spec = effective_compare(case, suite)
    if spec.mode == "checker":
        return _checked(checker)
    return _compared(case.expected_output, run.stdout, spec)


def _compared(expected: str, actual: str, spec: Compare) -> _Judgement:
    """Judge the output by comparing it; a wrong answer carries the first difference and a diff."""
    comparison = compare(expected, actual, spec)
    if comparison.passed:
        return _Judgement(verdict=Verdict.PASSED, fraction=1.0)
    return _Judgement(
        verdict=Verdict.WRONG_ANSWER,
        message=comparison.message,
        diff=unified_diff(expected, actual, SHOWN_CHARS),
    )


def _failed_run_message(run: RunResult, case: Case, suite: Suite) -> str:
    """Why a run did not end normally, in words a student can act on."""
    if run.status == Status.TIMEOUT:
        return f"killed after {run.time_ms / 1000:.1f} s"
    if run.status == Status.MEMORY_LIMIT:
        limit = case.memory_limit if case.memory_limit is not None else suite.memory_limit
        used = f"exceeded the memory limit, using {run.memory_kib // 1024} MiB"
        return f"exceeded {limit} MiB" if limit is not None else used
    if run.status == Status.OUTPUT_LIMIT:
        return "printed more output than allowed"
    if run.status == Status.RUNTIME_ERROR:
        return _crash_message(run)
    if run.status == Status.COMPILE_ERROR:
        return _compile_message(run)
    return "the run failed inside the grader, not because of the submission"


def _crash_message(run: RunResult) -> str:
    """How a crashed run ended, with the last line of its stderr (usually the error itself)."""
    if run.signal is not None:
        how = _signal_name(run.signal)
    elif run.exit_code is not None:
        how = f"exit code {run.exit_code}"
    else:
        how = "crashed"
    last_line = _last_line(run.stderr)
    return f"{how}: {quote(last_line, 200)}" if last_line else how


def _compile_message(run: RunResult) -> str:
    """What the compiler said last (the error itself), and the line of the code it points at."""
    last_line = _last_line(run.stderr)
    if not last_line:
        return "did not compile"
    where = _SOURCE_LINE.search(run.stderr)
    at = f" (line {where[1]})" if where else ""
    return f"did not compile{at}: {quote(last_line, 200)}"


def _last_line(stderr: str) -> str:
    """The last line a program or compiler wrote, which usually names the error itself."""
    return stderr.rstrip().rpartition("\n")[2].strip()


_SOURCE_LINE = re.compile(r"\bline (\d+)\b")
"""Where Python's compiler points: `File "main.py", line 3`."""


def _signal_name(number: int) -> str:
    """`killed by signal 11 (SIGSEGV)`, or just the number for a signal Python does not know."""
    try:
        return f"killed by signal {number} ({signal.Signals(number).name})"
    except ValueError:
        return f"killed by signal {number}"


def _checked(checker: CheckerRun | None) -> _Judgement:
    """Judge the output by what the checker said; a checker that misbehaves is the suite's fault."""
    if checker is None:
        return _internal("the checker was not run for this case", "")
    if checker.status != Status.OK:
        return _internal(f"the checker did not finish ({checker.status})", checker.judge_message)
    if checker.exit_code == CHECKER_ACCEPTED:
        return _accepted(checker)
    if checker.exit_code == CHECKER_WRONG_ANSWER:
        message = _checker_message(checker) or "rejected by the checker"
        return _Judgement(verdict=Verdict.WRONG_ANSWER, message=message)
    reason = f"the checker exited with {checker.exit_code}, not 42 (accepted) or 43 (wrong answer)"
    return _internal(reason, checker.judge_message)


def _accepted(checker: CheckerRun) -> _Judgement:
    """An accepted output, earning the fraction of the points its score gives (all, unscored)."""
    score = 1.0 if checker.score is None else checker.score
    if not 0.0 <= score <= 1.0:
        return _internal(f"the checker's score {score:g} is outside [0, 1]", checker.judge_message)
    return _Judgement(verdict=Verdict.PASSED, fraction=score, message=_checker_message(checker))


def _checker_message(checker: CheckerRun) -> str | None:
    """What the checker said about the output: its team message, else its judge message."""
    text = checker.team_message.strip() or checker.judge_message.strip()
    return clip(text, SHOWN_CHARS) if text else None


def _internal(reason: str, judge_message: str) -> _Judgement:
    """An internal error, with what the checker said, if anything, to help fix the suite."""
    said = judge_message.strip()
    message = f"{reason}; it said {quote(said, 200)}" if said else reason
    return _Judgement(verdict=Verdict.INTERNAL_ERROR, message=message)
