"""The I/O suite kind: each case is a run of the program, judged on its output.

In `case` isolation each case is one run in its own container (`grade_case`); in `submission`
isolation all the cases a worker holds of one submission run in one container, and their
checkers in one more (`grade_submission`). A case passes when its output compares equal to the
expected output (`grading.compare`), or when the suite's checker accepts it under the Kattis
output-validator protocol (`grading.judge`).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from grading.judge import CheckerRun, effective_compare, judge_case
from grading.outcome import RunResult, Status
from grading.results import CaseResult
from grading.scoring import PlannedCase, plan
from grading.suite import Case, Compare, Suite
from runners.sandbox.languages import language
from runners.sandbox.limits import Limits, resolve_limits
from runners.sandbox.protocol import CaseInput, Execution, Program, RunRequest
from runners.settings import Settings
from runners.suites.executor import Executor

FEEDBACK_DIR = "feedback"
CHECKER_TIME_LIMIT = 10.0


def case_limits(config: Settings, suite: Suite, case: Case) -> Limits:
    """The case's own limits, else the suite's, else the operator's defaults."""
    time_limit = case.time_limit if case.time_limit is not None else suite.time_limit
    memory_limit = case.memory_limit if case.memory_limit is not None else suite.memory_limit
    return resolve_limits(config, time_limit, memory_limit)


class IoCases:
    """Cases of stdin, arguments and expected output, judged by comparison or a checker."""

    trusted_run = False
    """Storing the suite needs no run."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite

    def check(self, config: Settings) -> None:
        """Refuse a suite whose language is unknown or whose limits pass the operator's."""
        language(self.suite.language)
        for planned in plan(self.suite):
            case_limits(config, self.suite, planned.case)

    async def prepare(self, executor: Executor) -> Suite:
        """The suite as stored: an I/O suite needs no run to be stored."""
        self.check(executor.config)
        return self.suite

    def seconds(self, config: Settings, planned: Sequence[PlannedCase]) -> float:
        """The cases run one after another, each within its own time limit."""
        return sum(case_limits(config, self.suite, p.case).time_limit for p in planned)

    def ungraded(self, planned: PlannedCase, run: RunResult) -> CaseResult:
        """The case judged on a run that did not happen as it should have."""
        graded = judge_case(planned.case, self.suite, run)
        return msgspec.structs.replace(graded, group=planned.group)

    async def grade_case(
        self, executor: Executor, planned: PlannedCase, code: str, language: str
    ) -> CaseResult:
        """Run `code` on one case and judge the result."""
        suite, case = self.suite, planned.case
        run = await executor.run(
            RunRequest(
                code=code,
                language=language,
                stdin=case.stdin.encode(),
                args=case.args,
                limits=case_limits(executor.config, suite, case),
                artefact=await executor.artefact(language, code),
            )
        )
        spec = effective_compare(case, suite)
        checker = None
        if run.status is Status.OK and spec.mode == "checker":
            checker = await _check(executor, case, spec, run)
        return msgspec.structs.replace(judge_case(case, suite, run, checker), group=planned.group)

    async def grade_submission(
        self, executor: Executor, planned: Sequence[PlannedCase], code: str, language: str
    ) -> list[CaseResult]:
        """Run the `planned` cases of one submission in one container and judge each, in order."""
        suite = self.suite
        cases = [
            CaseInput(
                limits=case_limits(executor.config, suite, p.case),
                stdin=p.case.stdin.encode(),
                args=p.case.args,
            )
            for p in planned
        ]
        program = Program(
            code=code, language=language, artefact=await executor.artefact(language, code)
        )
        runs = [execution.result for execution in await executor.execute_cases(program, cases)]
        checked = await _check_together(executor, suite, planned, runs)
        return [
            msgspec.structs.replace(judge_case(p.case, suite, run, checked.get(i)), group=p.group)
            for i, (p, run) in enumerate(zip(planned, runs, strict=True))
        ]


async def _check_together(
    executor: Executor, suite: Suite, planned: Sequence[PlannedCase], runs: list[RunResult]
) -> dict[int, CheckerRun]:
    """Run each checker once for every case of this submission that needs it."""
    checkers: dict[bytes, Compare] = {}
    waiting: dict[bytes, list[tuple[int, CaseInput]]] = {}
    for index, (p, run) in enumerate(zip(planned, runs, strict=True)):
        spec = effective_compare(p.case, suite)
        if run.status is Status.OK and spec.mode == "checker":
            key = msgspec.json.encode(_checker_only(spec))
            checkers[key] = spec
            checker_input = _checker_input(executor.config, p.case, spec, run)
            waiting.setdefault(key, []).append((index, checker_input))
    checked: dict[int, CheckerRun] = {}
    for key, inputs in waiting.items():
        executions = await executor.execute_cases(
            await _checker_program(executor, checkers[key]), [case for _, case in inputs]
        )
        for (index, _), execution in zip(inputs, executions, strict=True):
            checked[index] = _checker_run(execution)
    return checked


async def _check(executor: Executor, case: Case, spec: Compare, run: RunResult) -> CheckerRun:
    """Run the suite's checker under the Kattis output-validator protocol."""
    checker = _checker_input(executor.config, case, spec, run)
    program = await _checker_program(executor, spec)
    request = RunRequest(
        code=program.code,
        language=program.language,
        artefact=program.artefact,
        files={**program.files, **checker.files},
        args=checker.args,
        stdin=checker.stdin,
        collect=checker.collect,
        limits=checker.limits,
    )
    return _checker_run(await executor.execute(request))


async def _checker_program(executor: Executor, spec: Compare) -> Program:
    """The suite's checker as a program: its source, language, files beside it, artefact."""
    code = spec.checker or ""
    files = {name: text.encode() for name, text in spec.checker_files.items()}
    artefact = await executor.artefact(spec.checker_language, code, files)
    return Program(code=code, language=spec.checker_language, files=files, artefact=artefact)


def _checker_input(config: Settings, case: Case, spec: Compare, run: RunResult) -> CaseInput:
    """The checker's run for one output: input and answer files, the output on stdin."""
    return CaseInput(
        files={"input": case.stdin.encode(), "answer": case.expected_output.encode()},
        args=["input", "answer", FEEDBACK_DIR, *spec.checker_flags],
        stdin=run.stdout.encode(),
        collect=FEEDBACK_DIR,
        limits=resolve_limits(config, min(CHECKER_TIME_LIMIT, config.max_time_limit)),
    )


def _checker_only(spec: Compare) -> Compare:
    """What tells two checker programs apart (not their flags: each case's own arguments)."""
    return Compare(
        mode="checker",
        checker=spec.checker,
        checker_language=spec.checker_language,
        checker_files=spec.checker_files,
    )


def _checker_run(execution: Execution) -> CheckerRun:
    """How the checker judged, from its run and the feedback files it wrote."""
    files = {name: data.decode(errors="replace") for name, data in execution.files.items()}
    return CheckerRun(
        status=_checker_status(execution.result),
        exit_code=execution.result.exit_code,
        judge_message=files.get("judgemessage.txt", ""),
        team_message=files.get("teammessage.txt", ""),
        score=_score(files.get("score.txt")),
    )


def _checker_status(result: RunResult) -> Status:
    """A checker that exits non-zero ran normally: 42 and 43 are its verdicts, not crashes."""
    exited = result.status is Status.RUNTIME_ERROR and result.exit_code is not None
    return Status.OK if exited else result.status


def _score(text: str | None) -> float | None:
    """The checker's `score.txt`: None when absent, NaN (judged an error) when not a number."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return float("nan")
