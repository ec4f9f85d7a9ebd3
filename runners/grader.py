"""Grades a submission's cases: run the program, run the checker if any, judge.

In `case` isolation each case is one run in its own container (`grade`); in `submission`
isolation all the cases a worker holds of one submission run in one container, and their
checkers in one more (`grade_submission`). The sandbox is synchronous (the Docker SDK is), so
runs go to worker threads, at most `Settings.concurrency` at a time per process.

A compiled program (the submission's, or a compiled checker) is compiled once for all its runs,
by whichever worker needs it first (`runners.builds`), and every run gets its artefact.
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import msgspec
from redis.asyncio import Redis

from grading.judge import CheckerRun, effective_compare, judge_case
from grading.outcome import RunResult, Status
from grading.results import CaseResult
from grading.scoring import PlannedCase
from grading.suite import Case, Compare, Suite
from runners import metrics
from runners.builds import compiled
from runners.sandbox.artefact import Artefact
from runners.sandbox.languages import language
from runners.sandbox.limits import Limits, check_program, resolve_limits
from runners.sandbox.protocol import CaseInput, Execution, Program, RunRequest
from runners.sandbox.sandbox import Sandbox
from runners.settings import Settings

FEEDBACK_DIR = "feedback"
CHECKER_TIME_LIMIT = 10.0


def case_limits(config: Settings, suite: Suite, case: Case) -> Limits:
    """The case's own limits, else the suite's, else the operator's defaults."""
    time_limit = case.time_limit if case.time_limit is not None else suite.time_limit
    memory_limit = case.memory_limit if case.memory_limit is not None else suite.memory_limit
    return resolve_limits(config, time_limit, memory_limit)


class Grader:
    """Runs cases in sandboxes, a bounded number at a time."""

    def __init__(self, config: Settings, sandbox: Sandbox, redis: Redis | None = None) -> None:
        self.config = config
        self.sandbox = sandbox
        self.redis = redis
        self.limiter = anyio.CapacityLimiter(config.concurrency)

    async def grade(
        self, suite: Suite, case: Case, group: str, code: str, language: str
    ) -> CaseResult:
        """Run `code` on `case` and judge the result; compiled code is compiled once, for all."""
        run = await self.run(
            RunRequest(
                code=code,
                language=language,
                stdin=case.stdin.encode(),
                args=case.args,
                limits=case_limits(self.config, suite, case),
                artefact=await self.artefact(language, code),
            )
        )
        spec = effective_compare(case, suite)
        checker = None
        if run.status is Status.OK and spec.mode == "checker":
            checker = await self._check(case, spec, run)
        return msgspec.structs.replace(judge_case(case, suite, run, checker), group=group)

    async def artefact(
        self, language_name: str, code: str, files: dict[str, bytes] | None = None
    ) -> Artefact | None:
        """The compiled program shared by every run of this code; None if it needs no compile."""
        check_program(self.config, code, language_name)
        if not language(language_name).compiled:
            return None
        return await compiled(self.sandbox, self.limiter, language_name, code, files)

    async def run(self, request: RunRequest) -> RunResult:
        """Run one program in a sandbox, waiting for a free slot."""
        execution = await self._execute(request)
        return execution.result

    async def _execute(self, request: RunRequest) -> Execution:
        execution = await anyio.to_thread.run_sync(self.sandbox.run, request, limiter=self.limiter)
        await metrics.observe_start(self.redis, execution.startup_ms)
        return execution

    async def grade_submission(
        self, suite: Suite, planned: Sequence[PlannedCase], code: str, language: str
    ) -> list[CaseResult]:
        """Run the `planned` cases of one submission in one container and judge each, in order."""
        cases = [
            CaseInput(
                limits=case_limits(self.config, suite, p.case),
                stdin=p.case.stdin.encode(),
                args=p.case.args,
            )
            for p in planned
        ]
        program = Program(
            code=code, language=language, artefact=await self.artefact(language, code)
        )
        executions = await self._execute_cases(program, cases)
        runs = [execution.result for execution in executions]
        checked = await self._check_together(suite, planned, runs)
        return [
            msgspec.structs.replace(judge_case(p.case, suite, run, checked.get(i)), group=p.group)
            for i, (p, run) in enumerate(zip(planned, runs, strict=True))
        ]

    async def _execute_cases(self, program: Program, cases: list[CaseInput]) -> list[Execution]:
        executions = await anyio.to_thread.run_sync(
            self.sandbox.run_cases, program, cases, limiter=self.limiter
        )
        await metrics.observe_start(self.redis, executions[0].startup_ms)
        return executions

    async def _check_together(
        self, suite: Suite, planned: Sequence[PlannedCase], runs: list[RunResult]
    ) -> dict[int, CheckerRun]:
        """Run each checker once for every case of this submission that needs it."""
        checkers: dict[bytes, Compare] = {}
        waiting: dict[bytes, list[tuple[int, CaseInput]]] = {}
        for index, (p, run) in enumerate(zip(planned, runs, strict=True)):
            spec = effective_compare(p.case, suite)
            if run.status is Status.OK and spec.mode == "checker":
                key = msgspec.json.encode(_checker_only(spec))
                checkers[key] = spec
                waiting.setdefault(key, []).append((index, self._checker_input(p.case, spec, run)))
        checked: dict[int, CheckerRun] = {}
        for key, inputs in waiting.items():
            executions = await self._execute_cases(
                await self._checker_program(checkers[key]), [case for _, case in inputs]
            )
            for (index, _), execution in zip(inputs, executions, strict=True):
                checked[index] = _checker_run(execution)
        return checked

    async def _check(self, case: Case, spec: Compare, run: RunResult) -> CheckerRun:
        """Run the suite's checker under the Kattis output-validator protocol."""
        checker = self._checker_input(case, spec, run)
        program = await self._checker_program(spec)
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
        return _checker_run(await self._execute(request))

    async def _checker_program(self, spec: Compare) -> Program:
        """The suite's checker as a program: its source, language, files beside it, artefact."""
        code = spec.checker or ""
        files = {name: text.encode() for name, text in spec.checker_files.items()}
        artefact = await self.artefact(spec.checker_language, code, files)
        return Program(code=code, language=spec.checker_language, files=files, artefact=artefact)

    def _checker_input(self, case: Case, spec: Compare, run: RunResult) -> CaseInput:
        """The checker's run for one output: input and answer files, the output on stdin."""
        return CaseInput(
            files={"input": case.stdin.encode(), "answer": case.expected_output.encode()},
            args=["input", "answer", FEEDBACK_DIR, *spec.checker_flags],
            stdin=run.stdout.encode(),
            collect=FEEDBACK_DIR,
            limits=resolve_limits(self.config, min(CHECKER_TIME_LIMIT, self.config.max_time_limit)),
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
