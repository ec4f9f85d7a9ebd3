"""The unit-test suite kind: the instructor's tests run against the files a student wrote.

    prepare   when the suite is stored, its tests run against the reference solution in the
              sandbox, and that report fixes the manifest: which tests exist, what each is
              worth, the maximum score (`grading/manifest.py`)
    grade     the tests run against a submission in one container: one process for all of them
              (`isolation = "suite"`) or a fresh one per test (`"test"`), each writing its
              JUnit XML report to descriptor 3, a pipe the supervisor reads; the report is
              judged against the manifest (`grading/unitjudge.py`)

The test runner is a row of `runners/sandbox/languages.py`'s `TEST_RUNNERS`, whose program is
its configuration. The report never comes from a file: nothing the student's code leaves in
its folder is read, and what the runner wrote is in the pipe before an `atexit` function or a
process left behind could change it. What in-process code can still do is in docs/sandbox.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

import msgspec

from grading.errors import ReportError, SuiteError
from grading.junit import Report, parse_report
from grading.kinds import manifest_of
from grading.manifest import build_manifest
from grading.outcome import RunResult, Status, Verdict, verdict_of
from grading.results import CaseResult, SubmissionResult
from grading.scoring import PlannedCase
from grading.unit import REPORT_PLACEHOLDER, UnitSuite
from grading.unitjudge import RunFailure, judge_report
from runners.sandbox.languages import REPORT_FD, language
from runners.sandbox.limits import Limits, resolve_limits
from runners.sandbox.protocol import CaseInput, Execution, Program
from runners.settings import Settings
from runners.suites.executor import Executor

RUNNERS = {"pytest": "pytest", "junit5": "junit5", "node": "node-test", "gtest": "gtest"}
"""The test runner (a row of `TEST_RUNNERS`) each framework runs as. Criterion does not run
here: it needs a writable /tmp and POSIX shared memory, which no sandbox has (docs/grading.md)."""
REPORT_BYTES = 4 * 1024 * 1024
"""The largest report a test run may write; a larger one is refused."""
RUN_TIME_LIMIT = 20.0
"""Seconds a whole test run gets unless the suite says (within the operator's maximum)."""
TEST_TIME_LIMIT = 5.0
"""Seconds one test gets unless the suite says."""
RUNNER_START_SECONDS = 5.0
"""What a test in a process of its own gets beyond its own limit, for the runner to start."""
STUDENT = "unit-run"
"""The name a run's judgement carries here; only its cases are kept, under the submission."""


class UnitTests:
    """Suites of unit tests, graded test by test against a trusted manifest."""

    trusted_run = True
    """Storing the suite runs its tests against the reference solution."""

    def __init__(self, suite: UnitSuite) -> None:
        self.suite = suite

    def check(self, config: Settings) -> None:
        """Refuse a suite whose framework has no runner here, or whose limits pass the maximum."""
        runner(self.suite)
        run_limits(config, self.suite)

    async def prepare(self, executor: Executor) -> UnitSuite:
        """The suite with the manifest its reference solution's run fixes; a `SuiteError`
        names what to fix when the reference does not pass every test cleanly."""
        suite = self.suite
        self.check(executor.config)
        files = {**suite.tests, **suite.support, **suite.reference}
        execution = (await self._execute(executor, files, [None]))[0]
        report = _reference_report(suite, execution)
        return msgspec.structs.replace(suite, manifest=build_manifest(suite, report))

    def seconds(self, config: Settings, planned: Sequence[PlannedCase]) -> float:
        """One run of every test, or one short run per test."""
        if self.suite.isolation == "test":
            return test_limits(config, self.suite).time_limit * len(planned)
        return run_limits(config, self.suite).time_limit

    def ungraded(self, planned: PlannedCase, run: RunResult) -> CaseResult:
        """The test failed as the run did, worth nothing this time."""
        return CaseResult(
            name=planned.case.name,
            verdict=Verdict.INTERNAL_ERROR if run.status is Status.OK else verdict_of(run.status),
            points=0.0,
            max_points=planned.case.points,
            message=run.message,
            group=planned.group,
            visibility=planned.case.visibility,
        )

    async def grade_case(
        self, executor: Executor, planned: PlannedCase, code: str, language: str
    ) -> CaseResult:
        """Grade one test (a unit suite's cases are graded together; this is one of them)."""
        (result,) = await self.grade_submission(executor, [planned], code, language)
        return result

    async def grade_submission(
        self, executor: Executor, planned: Sequence[PlannedCase], code: str, language: str
    ) -> list[CaseResult]:
        """Run the tests on one submission and judge the `planned` ones, in order.

        With `isolation = "test"`, a test's result comes only from the run that selected it:
        every run's judgement lists all the manifest's tests (those it did not run as not
        reported), and a run's report may claim tests it was never asked to run.
        """
        suite = self.suite
        files = {**suite.tests, **suite.support, **submitted_files(suite, code)}
        wanted = [p.case.name for p in planned]
        selected: Sequence[str | None] = wanted if suite.isolation == "test" else [None]
        executions = await self._execute(executor, files, selected)
        # Each run answers for the tests it ran: all of them, or its one test. A container that
        # failed part-way leaves fewer runs than asked for (never none).
        ran = [wanted] if suite.isolation == "suite" else [[test] for test in wanted]
        judged = {
            result.name: result
            for tests, execution in zip(ran, executions, strict=False)
            for result in _judged(suite, execution).cases
            if result.name in tests
        }
        lost = executions[-1].result
        return [
            msgspec.structs.replace(judged[p.case.name], group=p.group)
            if p.case.name in judged
            else self.ungraded(p, lost)
            for p in planned
        ]

    async def _execute(
        self, executor: Executor, files: dict[str, str], selected: Sequence[str | None]
    ) -> list[Execution]:
        """Run the suite's tests in one container: all of them (None), or each selected test
        in a fresh process of its own."""
        suite = self.suite
        limits = run_limits(executor.config, suite)
        name, configuration = runner(suite), runner_configuration(suite)
        # The configuration is a file of the run too: a compiled runner's program is its
        # artefact, which does not carry the program's own source.
        sources = {language(name).filename: configuration, **files}
        encoded = {path: text.encode() for path, text in sources.items()}
        program = Program(
            code=configuration,
            language=name,
            files=encoded,
            artefact=await executor.artefact(name, configuration, encoded),
        )
        cases = [
            CaseInput(
                limits=limits if test is None else test_limits(executor.config, suite),
                args=SELECTIONS[suite.framework](suite, test),
                report_bytes=REPORT_BYTES,
            )
            for test in selected
        ]
        return await executor.execute_cases(program, cases)


def runner(suite: UnitSuite) -> str:
    """The test runner the suite's framework runs as (an instructor's command: in the image
    of the suite's language)."""
    if suite.framework == "command":
        if suite.isolation == "test":
            raise SuiteError(
                'isolation: a command runs every test in one go; use isolation = "suite"'
            )
        return f"command-{language(suite.language).name}"
    name = RUNNERS.get(suite.framework)
    if name is None:
        known = ", ".join(sorted(RUNNERS))
        raise SuiteError(f"framework: {suite.framework!r} does not run here yet; use {known}")
    language(name)
    return name


def runner_configuration(suite: UnitSuite) -> str:
    """The runner's configuration file, with the per-test time limit where the framework
    has one: pytest's `pytest.ini`, JUnit's `junit-platform.properties`, node's `package.json`
    and GoogleTest's main (see each row of `TEST_RUNNERS`); a command suite's is its command,
    run as a shell script with `{report}` made descriptor 3's path."""
    if suite.framework == "command":
        report = f"/dev/fd/{REPORT_FD}"
        return f"{(suite.command or '').replace(REPORT_PLACEHOLDER, report)}\n"
    seconds = suite.test_time_limit or TEST_TIME_LIMIT
    return CONFIGURATIONS[suite.framework].format(seconds=seconds, ms=round(seconds * 1000))


CONFIGURATIONS = {
    # The limit bounds the test function alone: a timeout raised while pytest reports on a
    # test (a deep traceback) would end the whole run with an internal error.
    "pytest": "[pytest]\njunit_family = xunit1\ntimeout = {seconds:g}\ntimeout_func_only = true\n",
    # A test that runs longer fails with a TimeoutException; in a thread of its own, so that
    # code which never checks for interruption cannot hold up the tests after it.
    "junit5": (
        "junit.jupiter.execution.timeout.default = {ms} ms\n"
        "junit.jupiter.execution.timeout.thread.mode.default = SEPARATE_THREAD\n"
    ),
    # .js files are CommonJS whatever a folder above says. Node 18 has no per-test time
    # limit (`--test-timeout` came in 20): `test(name, {{ timeout }}, fn)` stops only code
    # that yields, and isolation "test" bounds each test by its process's limit.
    "node": '{{"type": "commonjs", "private": true}}\n',
    # GoogleTest has no time limit at all. Its main is the runner's, so that a submission's
    # own `main` is a link error rather than a program that runs instead of the tests.
    "gtest": (
        "#include <gtest/gtest.h>\n\n"
        "int main(int argc, char **argv) {{\n"
        "    testing::InitGoogleTest(&argc, argv);\n"
        "    return RUN_ALL_TESTS();\n"
        "}}\n"
    ),
}
"""Each framework's configuration file, formatted with the per-test limit in `seconds`
and `ms`."""


def _pytest_selection(suite: UnitSuite, test: str | None) -> list[str]:
    """The test files, or one test by its node id."""
    return sorted(suite.tests) if test is None else [test]


_JAVA_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
_INVOCATION = re.compile(r"\[\d+\]$")
_REGEX_SPECIAL = re.compile(r"[\\^$.*+?()[\]{}|/]")


def _junit_selection(suite: UnitSuite, test: str | None) -> list[str]:
    """Every test file's class, or one test's method: `PrimesTest::isPrime(int)[2]` runs
    `PrimesTest#isPrime(int)`, every invocation of it (the launcher cannot pick one)."""
    if test is not None:
        owner, _, method = test.partition("::")
        return [f"--select-method={owner}#{_INVOCATION.sub('', method)}"]
    tests = sorted(suite.tests.items())
    return [f"--select-class={_java_class(path, source)}" for path, source in tests]


def _java_class(path: str, source: str) -> str:
    """The class a test file declares: javac wants a public class in a file of its name."""
    package = _JAVA_PACKAGE.search(source)
    stem = PurePosixPath(path).stem
    return f"{package[1]}.{stem}" if package else stem


def _node_selection(suite: UnitSuite, test: str | None) -> list[str]:
    """The test files, with only the test of that name running (node matches a test's own
    name, not the `describe`s it is in)."""
    files = sorted(suite.tests)
    if test is None:
        return files
    name = test.rpartition(" > ")[2]
    pattern = _REGEX_SPECIAL.sub(lambda found: "\\" + found[0], name)
    return [f"--test-name-pattern=^{pattern}$", *files]


def _gtest_selection(suite: UnitSuite, test: str | None) -> list[str]:
    """Every test, or one: `Suite::Test` is GoogleTest's `Suite.Test`."""
    return [] if test is None else [f"--gtest_filter={test.replace('::', '.')}"]


SELECTIONS: dict[str, Callable[[UnitSuite, str | None], list[str]]] = {
    "pytest": _pytest_selection,
    "junit5": _junit_selection,
    "node": _node_selection,
    "gtest": _gtest_selection,
    "command": lambda suite, test: [],
}
"""The arguments that run every test of the suite (None), or one test by its id."""


def run_limits(config: Settings, suite: UnitSuite) -> Limits:
    """A whole test run's limits: the suite's, else `RUN_TIME_LIMIT` within the maximum."""
    seconds = suite.time_limit or min(RUN_TIME_LIMIT, config.max_time_limit)
    return resolve_limits(config, seconds, suite.memory_limit)


def test_limits(config: Settings, suite: UnitSuite) -> Limits:
    """The limits of one test run in a process of its own: the runner's start, then the test."""
    seconds = min(
        run_limits(config, suite).time_limit,
        (suite.test_time_limit or TEST_TIME_LIMIT) + RUNNER_START_SECONDS,
    )
    return resolve_limits(config, seconds, suite.memory_limit)


def submitted_files(suite: UnitSuite, code: str) -> dict[str, str]:
    """A submission's files: its code is the one file a suite asks for, or, for a suite that
    asks for several, a JSON object of file name to content."""
    if len(suite.submit) == 1:
        return {suite.submit[0]: code}
    try:
        files = msgspec.json.decode(code, type=dict[str, str])
    except msgspec.DecodeError:
        files = {}
    return {name: files.get(name, "") for name in suite.submit}


def _judged(suite: UnitSuite, execution: Execution) -> SubmissionResult:
    """One test run's report judged against the manifest: every manifest test, in order."""
    report, failure = _report(suite, execution)
    return judge_report(manifest_of(suite), STUDENT, report, failure)


def _report(suite: UnitSuite, execution: Execution) -> tuple[Report | None, RunFailure | None]:
    """The run's report, or why there is none: a compile error, a timeout, a crash."""
    result = execution.result
    if result.status is Status.COMPILE_ERROR:
        return None, RunFailure(
            verdict=Verdict.COMPILE_ERROR, message=_said(result.message, result.stderr)
        )
    if execution.report_truncated:
        return None, RunFailure(
            verdict=Verdict.OUTPUT_LIMIT,
            message=f"the test run's report was larger than {REPORT_BYTES} bytes",
        )
    failure = _run_failure(execution)
    if not execution.report:
        return None, failure or RunFailure(
            verdict=Verdict.RUNTIME_ERROR, message=_said(_ended(result), result.stderr)
        )
    try:
        return parse_report(execution.report, suite.framework), failure
    except ReportError as error:
        if failure is not None:  # stopped while writing it (node's reporter writes as it goes)
            return None, failure
        return None, RunFailure(
            verdict=Verdict.RUNTIME_ERROR,
            message=f"the test run's report could not be read ({error}): the tests' results "
            "were written over or added to while they ran",
        )


def _ended(result: RunResult) -> str:
    """Why a run that exited on its own left no report: a runner writes it once the tests are
    over, so the process was ended under it (a crash too) or the runner was made to fail."""
    how = f"killed by signal {result.signal}" if result.signal else f"exit code {result.exit_code}"
    return (
        f"the test run ended ({how}) before it wrote its report, so no test's result was "
        "recorded: code that crashes or ends the process (os._exit, System.exit, a signal) "
        "or breaks the test runner does this"
    )


def _run_failure(execution: Execution) -> RunFailure | None:
    """What ended the whole run early, for the tests it never reported."""
    result = execution.result
    reasons = {
        Status.TIMEOUT: (
            Verdict.TIMEOUT,
            f"the test run took longer than {result.time_ms / 1000:g} s",
        ),
        Status.MEMORY_LIMIT: (Verdict.MEMORY_LIMIT, "the test run ran out of memory"),
        Status.OUTPUT_LIMIT: (Verdict.OUTPUT_LIMIT, "the test run printed more than allowed"),
        Status.INTERNAL_ERROR: (Verdict.INTERNAL_ERROR, result.message or "the sandbox failed"),
    }
    if result.status not in reasons:
        return None
    verdict, message = reasons[result.status]
    return RunFailure(verdict=verdict, message=message)


def _reference_report(suite: UnitSuite, execution: Execution) -> Report:
    """The reference run's report, or a `SuiteError` saying why it has none."""
    report, failure = _report(suite, execution)
    if report is None:
        why = failure.message if failure is not None else "it wrote no report"
        raise SuiteError(f"reference: the tests did not run against the reference solution: {why}")
    return report


def _said(message: str | None, stderr: str) -> str:
    """A failure's message with the end of what the run printed on stderr, if anything."""
    tail = stderr.strip()[-1500:]
    if message and tail in message:  # a compile error's message holds the compiler's words
        return message
    return f"{message}\n{tail}" if message and tail else (message or tail)
