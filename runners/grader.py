"""Grades one case of one submission: run the program, run the checker if any, judge.

The sandbox is synchronous (the Docker SDK is), so runs go to worker threads, at most
`Settings.concurrency` at a time per process.
"""

from __future__ import annotations

import anyio
import msgspec
from redis.asyncio import Redis

from grading.judge import CheckerRun, effective_compare, judge_case
from grading.outcome import RunResult, Status
from grading.results import CaseResult
from grading.suite import Case, Compare, Suite
from runners import metrics
from runners.builds import compiled
from runners.sandbox.artefact import Artefact
from runners.sandbox.languages import language
from runners.sandbox.limits import Limits, check_program, resolve_limits
from runners.sandbox.sandbox import Execution, RunRequest, Sandbox
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

    async def _check(self, case: Case, spec: Compare, run: RunResult) -> CheckerRun:
        """Run the suite's checker under the Kattis output-validator protocol."""
        code = spec.checker or ""
        extra = {name: text.encode() for name, text in spec.checker_files.items()}
        request = RunRequest(
            code=code,
            language=spec.checker_language,
            artefact=await self.artefact(spec.checker_language, code, extra),
            files={**extra, "input": case.stdin.encode(), "answer": case.expected_output.encode()},
            args=["input", "answer", FEEDBACK_DIR, *spec.checker_flags],
            stdin=run.stdout.encode(),
            collect=FEEDBACK_DIR,
            limits=resolve_limits(self.config, min(CHECKER_TIME_LIMIT, self.config.max_time_limit)),
        )
        execution = await self._execute(request)
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
