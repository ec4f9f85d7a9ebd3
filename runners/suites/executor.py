"""Runs programs in sandboxes for every suite kind: a bounded number at a time, compiled once.

The sandbox is synchronous (the Docker SDK is), so runs go to worker threads, at most
`Settings.concurrency` at a time per process. A compiled program (a submission's, or a compiled
checker) is compiled once for all its runs, by whichever worker needs it first
(`runners.suites.compile_cache`), and every run gets its artefact. What the runs mean (cases
judged, tests counted) is each suite kind's business, not this module's.
"""

from __future__ import annotations

import anyio
from redis.asyncio import Redis

from grading.outcome import RunResult
from runners.monitor import metrics
from runners.sandbox.artefact import Artefact
from runners.sandbox.languages import language
from runners.sandbox.limits import check_program
from runners.sandbox.protocol import CaseInput, Execution, Program, RunRequest
from runners.sandbox.sandbox import Sandbox
from runners.settings import Settings
from runners.suites.compile_cache import compiled


class Executor:
    """Runs programs in this process's sandbox, a bounded number at a time."""

    def __init__(self, config: Settings, sandbox: Sandbox, redis: Redis | None = None) -> None:
        self.config = config
        self.sandbox = sandbox
        self.redis = redis
        self.limiter = anyio.CapacityLimiter(config.concurrency)

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
        execution = await self.execute(request)
        return execution.result

    async def execute(self, request: RunRequest) -> Execution:
        """Run one program in a fresh sandbox: its result and the files it was asked to leave."""
        execution = await anyio.to_thread.run_sync(self.sandbox.run, request, limiter=self.limiter)
        await metrics.observe_start(self.redis, execution.startup_ms)
        return execution

    async def execute_cases(self, program: Program, cases: list[CaseInput]) -> list[Execution]:
        """Run `program` once per case, each a fresh process, all in one container, in order."""
        executions = await anyio.to_thread.run_sync(
            self.sandbox.run_cases, program, cases, limiter=self.limiter
        )
        await metrics.observe_start(self.redis, executions[0].startup_ms)
        return executions
