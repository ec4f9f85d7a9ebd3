"""One run in one disposable, locked-down container.

The life of a run: take a started container from the pool (`runners.sandbox.pool`), or create
one with every limit set and start it after attaching; send the job (files, argv, stdin) to the
supervisor that is its PID 1 through the attached stdin, read the supervisor's one-line report
under a deadline, and have the container removed whatever happened. A warm container and a cold
one are created by the same call with the same settings, so results and isolation are the same.
Code and input travel only through the attached stdin: the host never writes into a path the
sandboxed program can reach (Judge0's CVE-2024-28185 and CVE-2024-28189 came from doing so).
The job's lines and the report's reading are `protocol.py`'s; the stream is `channel.py`'s.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import signal
import socket
import threading
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TypeVar

import docker
import msgspec
from docker.types import HostConfig, LogConfig, Ulimit

from grading.outcome import RunResult, Status
from runners.errors import ImageMissing
from runners.sandbox import janitor
from runners.sandbox.artefact import Artefact, artefact_of
from runners.sandbox.build import image_name
from runners.sandbox.channel import Channel, read_frames
from runners.sandbox.engine import connect
from runners.sandbox.languages import entry_point, language, source_name
from runners.sandbox.limits import Limits, check_program, check_stdin
from runners.sandbox.pool import Pool, Profile
from runners.sandbox.protocol import (
    FEEDBACK_CAP,
    SANDBOX_UID,
    SUPERVISOR_CAPABILITIES,
    SUPERVISOR_USER,
    WORKDIR,
    CaseInput,
    Execution,
    Program,
    RunRequest,
    adjusted,
    case_line,
    compile_job,
    compile_report,
    decode,
    execution_of,
    interpret,
    program_line,
    report_cap,
    run_job,
    unanswered,
)
from runners.settings import Settings

STARTUP_GRACE = 10.0
SUPERVISOR_HEADROOM_MIB = 8
"""Memory added to a multi-case container for what its supervisor keeps between cases."""
EXIT_SIGKILL = 128 + int(signal.SIGKILL)
"""The exit status the engine reports for a container whose first process was SIGKILLed."""
CHECKED_KEPT = 4096
"""Programs whose check passed that a sandbox remembers (32 bytes each)."""


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
        check_stdin(self.settings, request.stdin)
        payload = run_job(request, checked in self._checked)
        budget = request.limits.time_limit + (lang.compile_time_limit if lang.check else 0)
        profile = self.profile(request.language, request.limits.memory_limit)
        execution = self._contain(profile, payload, request.limits.output_limit, budget)
        if lang.check and execution.ran:
            self._remember_check(checked)
        return adjusted(execution, lang)

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
        job = compile_job(lang, main, sources, self.settings.max_artefact_bytes)
        execution = self._contain(profile, job, cap, lang.compile_time_limit)
        if execution.result.status is Status.INTERNAL_ERROR:
            return Artefact(language=lang.name, main=main, failure=execution.result)
        limits = (
            lang.compile_time_limit,
            lang.compile_memory_limit,
            self.settings.disk_limit,
            self.settings.max_artefact_bytes,
        )
        return artefact_of(compile_report(execution), lang.name, main, limits)

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
        for case in cases:
            check_stdin(self.settings, case.stdin)
        header = program_line(program, forked=len(cases) > 1)
        lines = [case_line(program, case) for case in cases]
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
                cap = report_cap(case.limits.output_limit, case.report_bytes)
                report = decode(channel.line(clock, cap))
                if report is None:
                    return [*done, self._lost(container, case.limits, channel)]
                if report.stage == "compile":
                    return [Execution(result=interpret(report), startup_ms=startup_ms)] * len(cases)
                done.append(adjusted(execution_of(report), lang))
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
        return Execution(result=unanswered(limits.time_limit, bytes(channel.stderr)))

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
                WORKDIR: (
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
            cap = report_cap(output_limit)
            out, err, complete = read_frames(raw, deadline, cap, report_lines=1)
        finally:
            raw.close()
        if not complete:
            api.kill(container)
            return Execution(result=unanswered(budget, err), startup_ms=startup_ms)
        report = decode(out)
        if report is None:
            return Execution(result=self._died(container, err), startup_ms=startup_ms)
        return msgspec.structs.replace(execution_of(report), startup_ms=startup_ms)

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


def _same_memory(cases: Sequence[CaseInput]) -> list[CaseInput]:
    """The leading cases that share the first one's memory limit (never empty)."""
    first = cases[0].limits.memory_limit
    return list(itertools.takewhile(lambda case: case.limits.memory_limit == first, cases))


@cache
def seccomp_profile() -> str:
    """The sandbox's seccomp profile (`seccomp.json`, see docs/sandbox.md), as Docker takes it."""
    return (Path(__file__).parent / "seccomp.json").read_text()
