"""One run in one disposable, locked-down container.

The life of a run: take a started container from the pool (`runners.sandbox.pool`), or create
one with every limit set and start it after attaching; send the job (files, argv, stdin) to the
supervisor that is its PID 1 through the attached stdin, read the supervisor's one-line report
under a deadline, and have the container removed whatever happened. A warm container and a cold
one are created by the same call with the same settings, so results and isolation are the same.
Code and input travel only through the attached stdin: the host never writes into a path the
sandboxed program can reach (Judge0's CVE-2024-28185 and CVE-2024-28189 came from doing so).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import signal
import socket
import threading
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TypeVar

import docker
import msgspec
from docker.types import HostConfig, LogConfig, Ulimit

from grading.outcome import RunResult, Status
from runners.errors import ImageMissing
from runners.sandbox import janitor
from runners.sandbox.artefact import Artefact, CompileReport, artefact_of
from runners.sandbox.build import image_name
from runners.sandbox.channel import Channel, read_frames
from runners.sandbox.engine import connect
from runners.sandbox.languages import (
    BUILD_DIR,
    Language,
    entry_point,
    expand,
    language,
    source_name,
)
from runners.sandbox.limits import Limits, check_program, check_stdin
from runners.sandbox.pool import Pool, Profile
from runners.settings import Settings

SANDBOX_UID = 65534
"""The uid every program runs as; its group is the same number."""
SUPERVISOR_USER = f"0:{SANDBOX_UID}"
"""The supervisor's uid inside the container: another uid than the program's (see supervise.py)."""
SUPERVISOR_CAPABILITIES = ["KILL", "SETUID", "SETGID", "SETPCAP"]
"""All the supervisor keeps: end every process, drop the program to SANDBOX_UID with nothing."""
STARTUP_GRACE = 10.0
REPORT_OVERHEAD = 64 * 1024
SUPERVISOR_HEADROOM_MIB = 8
"""Memory added to a multi-case container for what its supervisor keeps between cases."""
EXIT_SIGKILL = 128 + int(signal.SIGKILL)
"""The exit status the engine reports for a container whose first process was SIGKILLed."""
FEEDBACK_CAP = 64 * 1024
"""How much of a compiler's messages a compile keeps (the supervisor's own cap)."""
CHECKED_KEPT = 4096
"""Programs whose check passed that a sandbox remembers (32 bytes each)."""


class RunRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A program to run: its main file, extra files, arguments, stdin and limits.

    A program in a compiled language runs its `artefact`; without one it is compiled first, in
    a sandbox of its own, and then run (a single run compiles once too). With
    `stderr_to_stdout` the program's stderr is the same pipe as its stdout.
    """

    code: str
    limits: Limits
    language: str = "python"
    stdin: bytes = b""
    args: list[str] = msgspec.field(default_factory=list)
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    collect: str | None = None
    artefact: Artefact | None = None
    stderr_to_stdout: bool = False


class Program(msgspec.Struct, frozen=True, kw_only=True):
    """What every case of a multi-case run shares: the code, its language, extra files and,
    for a compiled language, its artefact (compiled on first use when missing)."""

    code: str
    language: str = "python"
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    artefact: Artefact | None = None


class CaseInput(msgspec.Struct, frozen=True, kw_only=True):
    """One case of a multi-case run: its limits, stdin, arguments, own files, feedback folder."""

    limits: Limits
    stdin: bytes = b""
    args: list[str] = msgspec.field(default_factory=list)
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    collect: str | None = None
    stderr_to_stdout: bool = False


class Execution(msgspec.Struct, frozen=True, kw_only=True):
    """A run's result and the files it left in the `collect` directory (checker feedback)."""

    result: RunResult
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    startup_ms: int = 0
    ran: bool = False
    """The program itself started: any check before it (Python's syntax check) passed."""


class Report(msgspec.Struct, frozen=True):
    """The supervisor's account of the run, as it prints it."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    oom_killed: bool
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    wall_ms: int
    cpu_ms: int
    memory_kib: int
    files: dict[str, bytes] = {}
    stage: str = "run"


R = TypeVar("R", RunRequest, Program)


class Sandbox:
    """Runs programs, each in a fresh container that is removed afterwards; `close` when done."""

    def __init__(
        self,
        settings: Settings,
        client: docker.DockerClient | None = None,
        auto_remove: bool = False,
    ) -> None:
        """`auto_remove` leaves a single run's container to the engine to remove once it has
        exited, for a command that ends right after its run: it need not wait for the removal."""
        self.settings = settings
        self.client = client or connect(settings)
        self.auto_remove = auto_remove
        self._creating = threading.BoundedSemaphore(settings.max_concurrent_creates)
        janitor.sweep(self.client, settings)
        self.pool = Pool(settings, self._start_warm, self._remove)
        self._checked: dict[bytes, None] = {}
        """Digests of programs whose check passed here, oldest first, at most `CHECKED_KEPT`."""
        self._checking = threading.Lock()

    def run(self, request: RunRequest) -> Execution:
        """Run one program to completion and report how it ended; never leaves a container."""
        request = self.built(request)
        lang = language(request.language)
        if request.artefact is not None and request.artefact.failure is not None:
            return Execution(result=request.artefact.failure)
        checked = _check_digest(request.language, request.code)
        payload = self._job(request, checked in self._checked)
        budget = request.limits.time_limit + (lang.compile_time_limit if lang.check else 0)
        profile = self.profile(request.language, request.limits.memory_limit)
        execution = self._contain(profile, payload, request.limits.output_limit, budget)
        if lang.check and execution.ran:
            self._remember_check(checked)
        return _adjusted(execution, lang)

    def _remember_check(self, digest: bytes) -> None:
        """Skip this program's check from now on: the same source checks the same every time.

        In `case` isolation every case of a submission is a run of its own; without this, each
        would start the interpreter twice, once to check the program and once to run it.
        """
        with self._checking:
            self._checked[digest] = None
            while len(self._checked) > CHECKED_KEPT:
                del self._checked[next(iter(self._checked))]

    def built(self, request: R) -> R:
        """The request or program with its artefact, compiled now if it needs one and has none."""
        check_program(self.settings, request.code, request.language)
        if request.artefact is not None or not language(request.language).compiled:
            return request
        artefact = self.compile(request.language, request.code, request.files)
        return msgspec.structs.replace(request, artefact=artefact)

    def compile(
        self, language_name: str, code: str, files: dict[str, bytes] | None = None
    ) -> Artefact:
        """Compile a program once, in its own sandbox; its artefact or why it did not compile.

        `files` are more sources and headers beside the main one (a validator's `validate.h`).
        The compiler runs as the job's one case with the language's compile limits, and the
        files it writes into `BUILD_DIR` come back in its report.
        """
        check_program(self.settings, code, language_name)
        lang = language(language_name)
        main = entry_point(lang, code)
        sources = {**(files or {}), source_name(lang, code): code.encode()}
        profile = Profile(
            image_name(self.settings, lang),
            lang.compile_memory_limit,
            pids=lang.pids_limit or 0,
            cpus=self.settings.compile_cpus,
        )
        cap = 2 * self.settings.max_artefact_bytes + FEEDBACK_CAP
        job = self._compile_job(lang, main, sources)
        execution = self._contain(profile, job, cap, lang.compile_time_limit)
        result = execution.result
        if result.status is Status.INTERNAL_ERROR:
            return Artefact(language=lang.name, main=main, failure=result)
        report = CompileReport(
            exit_code=result.exit_code,
            signal=result.signal,
            timed_out=result.status is Status.TIMEOUT,
            oom_killed=result.status is Status.MEMORY_LIMIT,
            output=(result.stdout + result.stderr)[:FEEDBACK_CAP],
            output_truncated=result.stdout_truncated or result.stderr_truncated,
            wall_ms=result.time_ms,
            files=execution.files,
        )
        limits = (
            lang.compile_time_limit,
            lang.compile_memory_limit,
            self.settings.disk_limit,
            self.settings.max_artefact_bytes,
        )
        return artefact_of(report, lang.name, main, limits)

    def _compile_job(self, lang: Language, main: str, sources: dict[str, bytes]) -> bytes:
        """The compile's job: the sources as the program, the compiler as its one case."""
        compiled = sorted(name for name in sources if PurePosixPath(name).suffix in lang.extensions)
        program = {"files": _encoded(sources), "env": _environment(lang), "compile": None}
        case = {
            "argv": expand(lang.compile, main, compiled, lang.compile_memory_limit),
            "stdin": "",
            "time_limit": lang.compile_time_limit,
            "output_limit": FEEDBACK_CAP,
            "files": {},
            "collect": BUILD_DIR,
            "collect_bytes": self.settings.max_artefact_bytes,
        }
        return msgspec.json.encode(program) + b"\n" + msgspec.json.encode(case) + b"\n"

    def _contain(
        self, profile: Profile, payload: bytes, output_limit: int, budget: float
    ) -> Execution:
        """Run a one-case job in a container of `profile` (warm or fresh); always removed."""
        began = time.monotonic()
        container, raw, cold = self._obtain(profile)
        try:
            execution = self._execute(container, raw, output_limit, payload, began, budget, cold)
        except BaseException:
            self.pool.discard(container)
            raise
        if not self.auto_remove:  # else it was started and has exited, or been killed
            self.pool.discard(container)
        return execution

    def _obtain(self, profile: Profile) -> tuple[str, socket.socket, bool]:
        """A warm container if one is ready, else a new one; attached, and whether it is new."""
        warm = self.pool.take(profile)
        if warm is not None:
            try:
                return warm, self._attach(warm), False
            except docker.errors.APIError:  # it stopped while it waited (the engine restarted?)
                self.pool.discard(warm)
        container = self._create(profile)
        try:
            return container, self._attach(container), True
        except BaseException:
            self.pool.discard(container)
            raise

    def _attach(self, container: str) -> socket.socket:
        """The container's stdin, stdout and stderr as one socket (Docker's multiplexed stream)."""
        params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        raw: socket.socket = self.client.api.attach_socket(container, params=params)._sock
        return raw

    def profile(self, language_name: str, memory_limit: int) -> Profile:
        """The pool's key for a run: the language's image, the memory limit in MiB plus what
        its runtime needs, its pids limit, and the operator's CPUs."""
        lang = language(language_name)
        return Profile(
            image_name(self.settings, lang),
            memory_limit + lang.memory_extra_mib,
            pids=lang.pids_limit or 0,
            cpus=0.0,
        )

    def warm(self, language_name: str = "python") -> None:
        """Keep containers for the default limits of `language_name` started ahead of need."""
        self.pool.warm(self.profile(language_name, self.settings.memory_limit))

    def close(self) -> None:
        """Remove every container this sandbox holds or is removing; returns when all are gone."""
        self.pool.close()

    def run_cases(self, program: Program, cases: Sequence[CaseInput]) -> list[Execution]:
        """Run every case of one program in one container; one execution per case, in order.

        The program is compiled once and each case is a fresh process. Memory is enforced
        per case by sizing the container to the case's limit (plus the supervisor's headroom),
        so consecutive cases with another memory limit get a container of their own, and so do
        the cases after one whose container died or stopped answering.
        """
        program = self.built(program)
        if program.artefact is not None and program.artefact.failure is not None:
            return [Execution(result=program.artefact.failure)] * len(cases)
        header = self._program_line(program, forked=len(cases) > 1)
        lines = [self._case_line(program, case) for case in cases]
        done: list[Execution] = []
        while len(done) < len(cases):
            share = _same_memory(cases[len(done) :])
            done += self._serve(program, header, share, lines[len(done) : len(done) + len(share)])
        return done

    def _serve(
        self,
        program: Program,
        header: bytes,
        cases: list[CaseInput],
        lines: list[bytes],
    ) -> list[Execution]:
        """Run `cases` in one container; stops early (never empty) if the container fails."""
        memory = cases[0].limits.memory_limit + SUPERVISOR_HEADROOM_MIB
        began = time.monotonic()
        container, raw, cold = self._obtain(self.profile(program.language, memory))
        try:
            job = header + b"".join(lines)
            return self._converse(container, raw, cold, program, cases, job, began)
        finally:
            self.pool.discard(container)

    def _converse(
        self,
        container: str,
        raw: socket.socket,
        cold: bool,
        program: Program,
        cases: list[CaseInput],
        job: bytes,
        began: float,
    ) -> list[Execution]:
        """Start a cold container and read one report per case, each under its own deadline."""
        api = self.client.api
        lang = language(program.language)
        done: list[Execution] = []
        try:
            if cold:
                api.start(container)
            startup_ms = round((time.monotonic() - began) * 1000)
            channel = Channel(raw, job)
            clock = time.monotonic() + (lang.compile_time_limit if lang.check else 0)
            for case in cases:
                clock += case.limits.time_limit + STARTUP_GRACE
                line = channel.line(clock, 3 * case.limits.output_limit + REPORT_OVERHEAD)
                report = _decoded(line)
                if report is None:
                    return [*done, self._lost(container, case.limits, channel)]
                if report.stage == "compile":
                    return [Execution(result=interpret(report), startup_ms=startup_ms)] * len(cases)
                done.append(
                    _adjusted(Execution(result=interpret(report), files=report.files), lang)
                )
                clock = time.monotonic()
        finally:
            raw.close()
        done[0] = msgspec.structs.replace(done[0], startup_ms=startup_ms)
        return done

    def _lost(self, container: str, limits: Limits, channel: Channel) -> Execution:
        """The case during which the supervisor died, stopped answering or flooded its report."""
        if channel.ended:
            return Execution(result=self._died(container, bytes(channel.stderr)))
        with contextlib.suppress(docker.errors.APIError):  # it may have ended meanwhile
            self.client.api.kill(container)
        return Execution(result=_unanswered(limits.time_limit, bytes(channel.stderr)))

    def _job(self, request: RunRequest, checked: bool = False) -> bytes:
        """The job of a single run: the program's line and its one case's line; `checked`
        leaves out the check of a program whose check passed before."""
        case = CaseInput(
            limits=request.limits,
            stdin=request.stdin,
            args=request.args,
            collect=request.collect,
            stderr_to_stdout=request.stderr_to_stdout,
        )
        program = Program(
            code=request.code,
            language=request.language,
            files=request.files,
            artefact=request.artefact,
        )
        return self._program_line(program, checked) + self._case_line(program, case)

    def _program_line(self, program: Program, checked: bool = False, forked: bool = False) -> bytes:
        """The job's first line: the program's files (or its artefact), environment and check
        (unless `checked`); `forked` has cases forked from the language's starter, if it has one.

        A compiled program sends its artefact's files instead of its source, made executable.
        """
        check_program(self.settings, program.code, program.language)
        lang = language(program.language)
        built = program.artefact.files if program.artefact is not None else {}
        files = {**program.files, **built}
        if program.artefact is None:
            files[source_name(lang, program.code)] = program.code.encode()
        step = {"argv": list(lang.check), "time_limit": lang.compile_time_limit}
        job = {
            "files": _encoded(files),
            "executable": sorted(built),
            "env": _environment(lang),
            "compile": step if lang.check and not checked else None,
            "starter": list(lang.starter) if forked and lang.starter else None,
        }
        return msgspec.json.encode(job) + b"\n"

    def _case_line(self, program: Program, case: CaseInput) -> bytes:
        """One case's line: argv, stdin, wall clock, output cap, own files, feedback folder."""
        check_stdin(self.settings, case.stdin)
        lang = language(program.language)
        main = program.artefact.main if program.artefact else entry_point(lang, program.code)
        job = {
            "argv": [*expand(lang.command, main, [], case.limits.memory_limit), *case.args],
            "stdin": base64.b64encode(case.stdin).decode(),
            "time_limit": case.limits.time_limit,
            "output_limit": case.limits.output_limit,
            "files": _encoded(case.files),
            "collect": case.collect,
            "stderr_to_stdout": case.stderr_to_stdout,
        }
        return msgspec.json.encode(job) + b"\n"

    def _create(self, profile: Profile) -> str:
        """Create the container (not started) and return its id."""
        api = self.client.api
        with self._creating:
            try:
                created = api.create_container(
                    profile.image,
                    labels=janitor.labels(),
                    environment={},
                    hostname="sandbox",
                    user=SUPERVISOR_USER,
                    stdin_open=True,  # not detached: Docker closes stdin after our one attach
                    network_disabled=True,  # an empty network namespace, no network stack to set up
                    host_config=self._host_config(profile),
                )
            except docker.errors.ImageNotFound:
                raise ImageMissing(
                    f"sandbox image {profile.image} is missing: run `oops setup`"
                ) from None
        return str(created["Id"])

    def _start_warm(self, profile: Profile) -> str:
        """A container created and started ahead of need; its supervisor waits on stdin."""
        container = self._create(profile)
        try:
            self.client.api.start(container)
        except docker.errors.APIError:
            self._remove(container)
            raise
        return container

    def _remove(self, container: str) -> None:
        self.client.api.remove_container(container, force=True)

    def _host_config(self, profile: Profile) -> HostConfig:
        """Every isolation setting of a sandbox: see docs/sandbox.md for why each is there.

        A profile's pids or CPUs of 0 mean the operator's `pids_limit` or `cpus`.
        """
        memory = f"{profile.memory_limit}m"
        disk = self.settings.disk_limit * 1024 * 1024
        inodes = self.settings.disk_inodes
        files = self.settings.open_files
        return self.client.api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs={
                "/sandbox": (
                    f"rw,exec,nosuid,nodev,size={disk},nr_inodes={inodes},uid={SANDBOX_UID},gid={SANDBOX_UID}"
                )
            },
            cap_drop=["ALL"],
            cap_add=SUPERVISOR_CAPABILITIES,
            security_opt=["no-new-privileges", f"seccomp={seccomp_profile()}"],
            pids_limit=profile.pids or self.settings.pids_limit,
            mem_limit=memory,
            memswap_limit=memory,
            nano_cpus=int((profile.cpus or self.settings.cpus) * 1e9),
            ulimits=[
                Ulimit(name="nofile", soft=files, hard=files),
                Ulimit(name="fsize", soft=disk, hard=disk),
                Ulimit(name="core", soft=0, hard=0),
            ],
            ipc_mode="none",
            auto_remove=self.auto_remove,
            log_config=LogConfig(type="json-file", config={"max-size": "1m", "max-file": "1"}),
        )

    def _execute(
        self,
        container: str,
        raw: socket.socket,
        output_limit: int,
        payload: bytes,
        began: float,
        budget: float,
        cold: bool = True,
    ) -> Execution:
        """Start a cold container, send the job and read the report within `budget` s.

        A container started before it was attached to has lost nothing: its supervisor writes
        only after it has read the job. Reading stops at the report's line, without waiting
        for the engine to notice that the container exited.
        """
        api = self.client.api
        try:
            if cold:
                api.start(container)
            startup_ms = round((time.monotonic() - began) * 1000)
            raw.sendall(payload)
            raw.shutdown(socket.SHUT_WR)
            deadline = began + budget + STARTUP_GRACE
            cap = 3 * output_limit + REPORT_OVERHEAD
            out, err, complete = read_frames(raw, deadline, cap, report_lines=1)
        finally:
            raw.close()
        if not complete:
            api.kill(container)
            return Execution(result=_unanswered(budget, err), startup_ms=startup_ms)
        try:
            report = msgspec.json.decode(out, type=Report)
        except msgspec.DecodeError:
            return Execution(result=self._died(container, err), startup_ms=startup_ms)
        return Execution(
            result=interpret(report),
            files=report.files,
            startup_ms=startup_ms,
            ran=report.stage == "run",
        )

    def _died(self, container: str, err: bytes) -> RunResult:
        """The supervisor ended without a report: the OOM killer, or a fault of ours."""
        if self._oom_killed(container):
            return RunResult(status=Status.MEMORY_LIMIT, signal=9, message="out of memory")
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no report"]
        return RunResult(status=Status.INTERNAL_ERROR, message=f"sandbox failed: {detail[0]}")

    def _oom_killed(self, container: str) -> bool:
        """Whether the OOM killer ended the container once it has exited.

        An `auto_remove` container may be gone by the time it is inspected; then its exit status
        says it, since nothing else in a sandbox can SIGKILL the supervisor (its namespace's init).
        Any other container that vanished was removed under the run: an error, so that the work
        is tried again rather than judged.
        """
        api = self.client.api
        status = None
        try:
            status = api.wait(container, timeout=5).get("StatusCode")
            return bool(api.inspect_container(container)["State"].get("OOMKilled"))
        except docker.errors.NotFound:
            if not self.auto_remove:
                raise
            return status == EXIT_SIGKILL


def _check_digest(language_name: str, code: str) -> bytes:
    """What a check's outcome depends on: the language (so its image) and the source."""
    return hashlib.sha256(f"{language_name}\0{code}".encode()).digest()


def _environment(lang: Language) -> dict[str, str]:
    """All the environment a program gets: nothing of the runner's."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/sandbox",
        "TMPDIR": "/sandbox",
        "LANG": "C.UTF-8",
        **lang.env,
    }


def _adjusted(execution: Execution, lang: Language) -> Execution:
    """A run whose runtime outgrew its own memory bound is a memory limit, not a crash.

    A JVM's heap (`-Xmx`) or V8's old space fills before the container's limit does, and the
    runtime ends the program itself, saying so on stderr.
    """
    result = execution.result
    if result.status is not Status.RUNTIME_ERROR:
        return execution
    if not any(marker in result.stderr for marker in lang.memory_errors):
        return execution
    adjusted = msgspec.structs.replace(result, status=Status.MEMORY_LIMIT, message="out of memory")
    return msgspec.structs.replace(execution, result=adjusted)


def _decoded(line: bytes | None) -> Report | None:
    """A report line as the supervisor wrote it; None if there is none, or it is garbled."""
    if line is None:
        return None
    try:
        return msgspec.json.decode(line, type=Report)
    except msgspec.DecodeError:
        return None


def _encoded(files: dict[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(data).decode() for name, data in files.items()}


def _same_memory(cases: Sequence[CaseInput]) -> list[CaseInput]:
    """The leading cases that share the first one's memory limit (never empty)."""
    first = cases[0].limits.memory_limit
    share = list(itertools.takewhile(lambda case: case.limits.memory_limit == first, cases))
    return share


@cache
def seccomp_profile() -> str:
    """The sandbox's seccomp profile (`seccomp.json`, see docs/sandbox.md), as Docker takes it."""
    return (Path(__file__).parent / "seccomp.json").read_text()


def interpret(report: Report) -> RunResult:
    """Turn the supervisor's report into the run's status and fields."""
    compiling = report.stage == "compile"
    return RunResult(
        status=Status.COMPILE_ERROR if compiling else _status(report),
        exit_code=report.exit_code,
        signal=report.signal,
        stdout=report.stdout.decode(errors="replace"),
        stderr=report.stderr.decode(errors="replace"),
        stdout_truncated=report.stdout_truncated,
        stderr_truncated=report.stderr_truncated,
        time_ms=report.wall_ms,
        cpu_ms=report.cpu_ms,
        memory_kib=report.memory_kib,
        message=_compile_failure(report) if compiling else None,
    )


def _compile_failure(report: Report) -> str | None:
    """Why a compile step failed when the compiler could not say so itself."""
    if report.timed_out:
        return "did not compile: compiling took longer than allowed"
    if report.oom_killed:
        return "did not compile: compiling ran out of memory"
    return None


def _status(report: Report) -> Status:
    if report.stdout_truncated or report.stderr_truncated:
        return Status.OUTPUT_LIMIT
    if report.timed_out:
        return Status.TIMEOUT
    failed = report.signal is not None or report.exit_code != 0
    if failed and report.oom_killed:
        return Status.MEMORY_LIMIT
    return Status.RUNTIME_ERROR if failed else Status.OK


def _unanswered(budget: float, err: bytes) -> RunResult:
    """The supervisor neither reported nor exited in time: the container was killed."""
    return RunResult(
        status=Status.TIMEOUT,
        signal=9,
        time_ms=round(budget * 1000),
        message="the sandbox stopped answering and was killed",
        stderr=err.decode(errors="replace"),
    )
