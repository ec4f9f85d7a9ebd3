"""One run in one disposable, locked-down container.

The life of a run: create the container with every limit set, attach to its stdin and output,
start it, send the job (files, argv, stdin) to the supervisor that is its PID 1, read the
supervisor's one-line report under a deadline, and remove the container whatever happened.
Code and input travel only through the attached stdin: the host never writes into a path the
sandboxed program can reach (Judge0's CVE-2024-28185 and CVE-2024-28189 came from doing so).
"""

from __future__ import annotations

import base64
import socket
import struct
import threading
import time
from pathlib import PurePosixPath

import docker
import msgspec
from docker.types import HostConfig, LogConfig, Ulimit

from grading.outcome import RunResult, Status
from runners.errors import EngineUnavailable, ImageMissing
from runners.sandbox import janitor
from runners.sandbox.artefact import Artefact, CompileReport, artefact_of
from runners.sandbox.build import image_name
from runners.sandbox.languages import (
    BUILD_DIR,
    Language,
    entry_point,
    expand,
    language,
    source_name,
)
from runners.sandbox.limits import Limits, check_program, check_stdin
from runners.settings import Settings

SANDBOX_UID = "65534:65534"
STARTUP_GRACE = 10.0
REPORT_OVERHEAD = 64 * 1024
FEEDBACK_CAP = 64 * 1024
"""How much of a compiler's messages a compile keeps (the supervisor's own cap)."""


class RunRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A program to run: its main file, extra files, arguments, stdin and limits.

    A program in a compiled language runs its `artefact`; without one it is compiled first, in
    a sandbox of its own, and then run (a single run compiles once too).
    """

    code: str
    limits: Limits
    language: str = "python"
    stdin: bytes = b""
    args: list[str] = msgspec.field(default_factory=list)
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    collect: str | None = None
    artefact: Artefact | None = None


class Execution(msgspec.Struct, frozen=True, kw_only=True):
    """A run's result and the files it left in the `collect` directory (checker feedback)."""

    result: RunResult
    files: dict[str, bytes] = msgspec.field(default_factory=dict)
    startup_ms: int = 0


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


class _Box(msgspec.Struct, frozen=True, kw_only=True):
    """One container's limits: the run's, adjusted for its language, or a compile's."""

    image: str
    memory_mib: int
    pids: int
    output_limit: int
    budget: float
    report_cap: int
    cpus: float


class Sandbox:
    """Runs programs, each in a fresh container that is removed afterwards."""

    def __init__(self, settings: Settings, client: docker.DockerClient | None = None) -> None:
        self.settings = settings
        self.client = client or connect(settings)
        self._creating = threading.BoundedSemaphore(settings.max_concurrent_creates)
        janitor.sweep(self.client, settings)

    def run(self, request: RunRequest) -> Execution:
        """Run one program to completion and report how it ended; never leaves a container."""
        check_program(self.settings, request.code, request.language)
        check_stdin(self.settings, request.stdin)
        lang = language(request.language)
        artefact = request.artefact
        if lang.compiled and artefact is None:
            artefact = self.compile(request.language, request.code, request.files)
        if artefact is not None and artefact.failure is not None:
            return Execution(result=artefact.failure)
        payload = self._job(request, lang, artefact)
        execution = self._contain(self._run_box(request.limits, lang), payload)
        result = interpret_run(execution.result, lang)
        return msgspec.structs.replace(execution, result=result)

    def compile(
        self, language_name: str, code: str, files: dict[str, bytes] | None = None
    ) -> Artefact:
        """Compile a program once, in its own sandbox; its artefact or why it did not compile.

        `files` are more sources and headers beside the main one (a validator's `validate.h`).
        """
        check_program(self.settings, code, language_name)
        lang = language(language_name)
        main = entry_point(lang, code)
        sources = {**(files or {}), source_name(lang, code): code.encode()}
        limits = (
            lang.compile_time_limit,
            lang.compile_memory_limit,
            self.settings.disk_limit,
            self.settings.max_artefact_bytes,
        )
        box = self._compile_box(lang)
        execution = self._contain(box, self._compile_job(lang, main, sources))
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
        return artefact_of(report, lang.name, main, limits)

    def _run_box(self, limits: Limits, lang: Language) -> _Box:
        budget = limits.time_limit + (lang.compile_time_limit if lang.check else 0)
        return _Box(
            image=image_name(self.settings, lang),
            memory_mib=limits.memory_limit + lang.memory_extra_mib,
            pids=lang.pids_limit or self.settings.pids_limit,
            output_limit=limits.output_limit,
            budget=budget,
            report_cap=3 * limits.output_limit + REPORT_OVERHEAD,
            cpus=self.settings.cpus,
        )

    def _compile_box(self, lang: Language) -> _Box:
        return _Box(
            image=image_name(self.settings, lang),
            memory_mib=lang.compile_memory_limit,
            pids=lang.pids_limit or self.settings.pids_limit,
            output_limit=FEEDBACK_CAP,
            budget=lang.compile_time_limit,
            report_cap=3 * FEEDBACK_CAP + 2 * self.settings.max_artefact_bytes + REPORT_OVERHEAD,
            cpus=self.settings.compile_cpus,
        )

    def _job(self, request: RunRequest, lang: Language, artefact: Artefact | None) -> bytes:
        """The supervisor's job for one run: files (or the artefact), argv, stdin, limits."""
        built = artefact.files if artefact is not None else {}
        main = artefact.main if artefact is not None else entry_point(lang, request.code)
        files = {**request.files, **built}
        if artefact is None:
            files[source_name(lang, request.code)] = request.code.encode()
        env = _environment(lang)
        argv = expand(lang.command, main, [], request.limits.memory_limit)
        job = {
            "files": _encoded(files),
            "executable": sorted(built),
            "compile": (
                {"argv": list(lang.check), "env": env, "time_limit": lang.compile_time_limit}
                if lang.check
                else None
            ),
            "argv": [*argv, *request.args],
            "env": env,
            "stdin": base64.b64encode(request.stdin).decode(),
            "time_limit": request.limits.time_limit,
            "output_limit": request.limits.output_limit,
            "collect": request.collect,
        }
        return msgspec.json.encode(job)

    def _compile_job(self, lang: Language, main: str, sources: dict[str, bytes]) -> bytes:
        """The supervisor's job for a compile: the compiler is the program, `BUILD_DIR` kept."""
        compiled = sorted(name for name in sources if PurePosixPath(name).suffix in lang.extensions)
        job = {
            "files": _encoded(sources),
            "argv": expand(lang.compile, main, compiled, lang.compile_memory_limit),
            "env": _environment(lang),
            "stdin": "",
            "time_limit": lang.compile_time_limit,
            "output_limit": FEEDBACK_CAP,
            "collect": BUILD_DIR,
            "collect_bytes": self.settings.max_artefact_bytes,
        }
        return msgspec.json.encode(job)

    def _contain(self, box: _Box, payload: bytes) -> Execution:
        """Run one job in a fresh container with `box`'s limits; the container is removed."""
        began = time.monotonic()
        container = self._create(box)
        try:
            return self._execute(container, box, payload, began)
        finally:
            self.client.api.remove_container(container, force=True)

    def _create(self, box: _Box) -> str:
        """Create the container (not started) and return its id."""
        api = self.client.api
        with self._creating:
            try:
                created = api.create_container(
                    box.image,
                    labels=janitor.labels(),
                    environment={},
                    hostname="sandbox",
                    user=SANDBOX_UID,
                    stdin_open=True,  # not detached: Docker closes stdin after our one attach
                    host_config=self._host_config(box),
                )
            except docker.errors.ImageNotFound:
                raise ImageMissing(
                    f"sandbox image {box.image} is missing: run `oops setup`"
                ) from None
        return str(created["Id"])

    def _host_config(self, box: _Box) -> HostConfig:
        """Every isolation setting of a sandbox: see docs/sandbox.md for why each is there."""
        memory = f"{box.memory_mib}m"
        disk = self.settings.disk_limit * 1024 * 1024
        files = self.settings.open_files
        return self.client.api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs={"/sandbox": f"rw,exec,nosuid,nodev,size={disk},uid=65534,gid=65534"},
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            pids_limit=box.pids,
            mem_limit=memory,
            memswap_limit=memory,
            nano_cpus=int(box.cpus * 1e9),
            ulimits=[
                Ulimit(name="nofile", soft=files, hard=files),
                Ulimit(name="fsize", soft=disk, hard=disk),
                Ulimit(name="core", soft=0, hard=0),
            ],
            ipc_mode="none",
            log_config=LogConfig(type="json-file", config={"max-size": "1m", "max-file": "1"}),
        )

    def _execute(self, container: str, box: _Box, payload: bytes, began: float) -> Execution:
        """Start the container, send the job and read the report, waiting its budget and a grace."""
        api = self.client.api
        stream = api.attach_socket(
            container, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        )
        raw: socket.socket = stream._sock
        try:
            api.start(container)
            startup_ms = round((time.monotonic() - began) * 1000)
            raw.sendall(payload)
            raw.shutdown(socket.SHUT_WR)
            deadline = began + box.budget + STARTUP_GRACE
            out, err, complete = read_frames(raw, deadline, box.report_cap)
        finally:
            stream.close()
        if not complete:
            api.kill(container)
            return Execution(result=_unanswered(box.budget, err), startup_ms=startup_ms)
        try:
            report = msgspec.json.decode(out, type=Report)
        except msgspec.DecodeError:
            return Execution(result=self._died(container, err), startup_ms=startup_ms)
        return Execution(result=interpret(report), files=report.files, startup_ms=startup_ms)

    def _died(self, container: str, err: bytes) -> RunResult:
        """The supervisor ended without a report: the OOM killer, or a fault of ours."""
        self.client.api.wait(container, timeout=5)
        if self.client.api.inspect_container(container)["State"].get("OOMKilled"):
            return RunResult(status=Status.MEMORY_LIMIT, signal=9, message="out of memory")
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no report"]
        return RunResult(status=Status.INTERNAL_ERROR, message=f"sandbox failed: {detail[0]}")


def _environment(lang: Language) -> dict[str, str]:
    """All the environment a program gets: nothing of the runner's."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/sandbox",
        "TMPDIR": "/sandbox",
        "LANG": "C.UTF-8",
        **lang.env,
    }


def _encoded(files: dict[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(data).decode() for name, data in files.items()}


def interpret_run(result: RunResult, lang: Language) -> RunResult:
    """A run that failed because its runtime outgrew its own memory bound is a memory limit.

    A JVM's heap (`-Xmx`) or V8's old space fills before the container's limit, and the runtime
    ends the program itself, saying so on stderr.
    """
    if result.status is not Status.RUNTIME_ERROR:
        return result
    if any(marker in result.stderr for marker in lang.memory_errors):
        return msgspec.structs.replace(result, status=Status.MEMORY_LIMIT, message="out of memory")
    return result


def connect(settings: Settings) -> docker.DockerClient:
    """A client for the local engine, sized for concurrent runs."""
    try:
        client = docker.from_env(max_pool_size=max(10, settings.max_concurrent_creates * 4))
        client.ping()
    except docker.errors.DockerException as error:
        raise EngineUnavailable(f"no Docker engine answers ({error}); run `oops setup`") from None
    return client


def read_frames(raw: socket.socket, deadline: float, cap: int) -> tuple[bytes, bytes, bool]:
    """Read Docker's multiplexed stdout/stderr frames until EOF, the deadline or the cap.

    Returns stdout, stderr and whether the stream ended by itself.
    """
    streams = {1: bytearray(), 2: bytearray()}
    buffer = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return bytes(streams[1]), bytes(streams[2]), False
        raw.settimeout(remaining)
        try:
            chunk = raw.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            return bytes(streams[1]), bytes(streams[2]), True
        buffer += chunk
        while len(buffer) >= 8:
            kind, size = struct.unpack(">BxxxL", buffer[:8])
            if len(buffer) < 8 + size:
                break
            streams.setdefault(kind, bytearray()).extend(buffer[8 : 8 + size])
            del buffer[: 8 + size]
        if len(streams[1]) + len(streams[2]) > cap:
            return bytes(streams[1]), bytes(streams[2]), False


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
