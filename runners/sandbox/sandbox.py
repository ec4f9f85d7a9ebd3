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
from functools import cache
from pathlib import Path

import docker
import msgspec
from docker.types import HostConfig, LogConfig, Ulimit

from grading.outcome import RunResult, Status
from runners.errors import EngineUnavailable, ImageMissing
from runners.sandbox import janitor
from runners.sandbox.build import image_name
from runners.sandbox.languages import language
from runners.sandbox.limits import Limits, check_program, check_stdin
from runners.settings import Settings

SANDBOX_UID = "65534:65534"
STARTUP_GRACE = 10.0
REPORT_OVERHEAD = 64 * 1024


class RunRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A program to run: its main file, extra files, arguments, stdin and limits.

    With `stderr_to_stdout` the program's stderr is the same pipe as its stdout.
    """

    code: str
    limits: Limits
    language: str = "python"
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


class Sandbox:
    """Runs programs, each in a fresh container that is removed afterwards."""

    def __init__(self, settings: Settings, client: docker.DockerClient | None = None) -> None:
        self.settings = settings
        self.client = client or connect(settings)
        self._creating = threading.BoundedSemaphore(settings.max_concurrent_creates)
        janitor.sweep(self.client, settings)

    def run(self, request: RunRequest) -> Execution:
        """Run one program to completion and report how it ended; never leaves a container."""
        payload = self._job(request)
        began = time.monotonic()
        container = self._create(request)
        try:
            lang = language(request.language)
            budget = request.limits.time_limit + (lang.compile_time_limit if lang.compile else 0)
            return self._execute(container, request.limits, payload, began, budget)
        finally:
            self.client.api.remove_container(container, force=True)

    def _job(self, request: RunRequest) -> bytes:
        check_program(self.settings, request.code, request.language)
        check_stdin(self.settings, request.stdin)
        lang = language(request.language)
        code = request.code.encode()
        files = {**request.files, lang.filename: code}
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/sandbox",
            "TMPDIR": "/sandbox",
            "LANG": "C.UTF-8",
            **lang.env,
        }
        job = {
            "files": {name: base64.b64encode(data).decode() for name, data in files.items()},
            "compile": (
                {"argv": lang.compile, "env": env, "time_limit": lang.compile_time_limit}
                if lang.compile
                else None
            ),
            "argv": [*lang.command, *request.args],
            "env": env,
            "stdin": base64.b64encode(request.stdin).decode(),
            "time_limit": request.limits.time_limit,
            "output_limit": request.limits.output_limit,
            "collect": request.collect,
            "stderr_to_stdout": request.stderr_to_stdout,
        }
        return msgspec.json.encode(job)

    def _create(self, request: RunRequest) -> str:
        """Create the container (not started) and return its id."""
        image = image_name(self.settings, language(request.language))
        api = self.client.api
        with self._creating:
            try:
                created = api.create_container(
                    image,
                    labels=janitor.labels(),
                    environment={},
                    hostname="sandbox",
                    user=SANDBOX_UID,
                    stdin_open=True,  # not detached: Docker closes stdin after our one attach
                    host_config=self._host_config(request.limits),
                )
            except docker.errors.ImageNotFound:
                raise ImageMissing(f"sandbox image {image} is missing: run `oops setup`") from None
        return str(created["Id"])

    def _host_config(self, limits: Limits) -> HostConfig:
        """Every isolation setting of a sandbox: see docs/sandbox.md for why each is there."""
        memory = f"{limits.memory_limit}m"
        disk = self.settings.disk_limit * 1024 * 1024
        inodes = self.settings.disk_inodes
        files = self.settings.open_files
        return self.client.api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs={
                "/sandbox": f"rw,nosuid,nodev,size={disk},nr_inodes={inodes},uid=65534,gid=65534"
            },
            cap_drop=["ALL"],
            security_opt=["no-new-privileges", f"seccomp={seccomp_profile()}"],
            pids_limit=self.settings.pids_limit,
            mem_limit=memory,
            memswap_limit=memory,
            nano_cpus=int(self.settings.cpus * 1e9),
            ulimits=[
                Ulimit(name="nofile", soft=files, hard=files),
                Ulimit(name="fsize", soft=disk, hard=disk),
                Ulimit(name="core", soft=0, hard=0),
            ],
            ipc_mode="none",
            log_config=LogConfig(type="json-file", config={"max-size": "1m", "max-file": "1"}),
        )

    def _execute(
        self, container: str, limits: Limits, payload: bytes, began: float, budget: float
    ) -> Execution:
        """Start the container, send the job and read the report, waiting `budget` s and a grace."""
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
            deadline = began + budget + STARTUP_GRACE
            cap = 3 * limits.output_limit + REPORT_OVERHEAD
            out, err, complete = read_frames(raw, deadline, cap)
        finally:
            stream.close()
        if not complete:
            api.kill(container)
            return Execution(result=_unanswered(limits, err), startup_ms=startup_ms)
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


@cache
def seccomp_profile() -> str:
    """The sandbox's seccomp profile (`seccomp.json`, see docs/sandbox.md), as Docker takes it."""
    return (Path(__file__).parent / "seccomp.json").read_text()


def client_for(settings: Settings) -> docker.DockerClient:
    """A client for the local engine, sized for concurrent runs; it has not spoken yet."""
    return docker.from_env(max_pool_size=max(10, settings.max_concurrent_creates * 4))


def answering(client: docker.DockerClient) -> docker.DockerClient:
    """`client` once its engine has answered a ping; else EngineUnavailable, saying what to do."""
    try:
        client.ping()
    except docker.errors.DockerException as error:
        raise EngineUnavailable(f"no Docker engine answers ({error}); run `oops setup`") from None
    return client


def connect(settings: Settings) -> docker.DockerClient:
    """A client for the local engine that has answered."""
    try:
        return answering(client_for(settings))
    except docker.errors.DockerException as error:
        raise EngineUnavailable(f"no Docker engine answers ({error}); run `oops setup`") from None


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


def _unanswered(limits: Limits, err: bytes) -> RunResult:
    """The supervisor neither reported nor exited in time: the container was killed."""
    return RunResult(
        status=Status.TIMEOUT,
        signal=9,
        time_ms=round(limits.time_limit * 1000),
        message="the sandbox stopped answering and was killed",
        stderr=err.decode(errors="replace"),
    )
