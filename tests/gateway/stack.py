"""A served OopsEngine for end-to-end tests: a gateway and workers as real processes.

It brings its own Redis server (so a test may restart it empty) and its own Postgres database,
migrated with `oops migrate`; everything listens on 127.0.0.1 and is stopped afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.helpers import OOPS, POSTGRES

POOL_SIZE = 2
"""Warm containers each worker keeps ready."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: Any, timeout: float, what: str) -> Any:
    """Poll `check()` until it returns something truthy, or fail saying `what` never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")


class Stack:
    """Two gateway processes, workers, Redis and a database of their own, run as operators do."""

    def __init__(self, workdir: Path, workers: int = 2, postgres: str = POSTGRES) -> None:
        self.workdir = workdir
        self.redis_port = free_port()
        self.port = free_port()
        self.postgres = postgres
        self.database = f"oops_e2e_{uuid.uuid4().hex[:12]}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("OOPS_")},
            "OOPS_IMAGE_PREFIX": os.environ.get("OOPS_IMAGE_PREFIX", "oopsengine"),
            "OOPS_DATABASE_URL": f"{postgres}/{self.database}",
            "OOPS_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "OOPS_REQUEUE_AFTER": "10",
            "OOPS_RECONCILE_EVERY": "1",
            "OOPS_SWEEP_EVERY": "5",
            "OOPS_CONCURRENCY": "4",
            "OOPS_POOL_SIZE": str(POOL_SIZE),
            "OOPS_ALLOW_PRIVATE_CALLBACKS": "1",
        }
        if "OOPS_IMAGE_PREFIX" in os.environ:  # the sandbox images this checkout built
            self.env["OOPS_IMAGE_PREFIX"] = os.environ["OOPS_IMAGE_PREFIX"]
        self.redis: subprocess.Popen[bytes] | None = None
        self.gateway: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.other_gateways: list[subprocess.Popen[bytes]] = []
        self.worker_count = workers

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Bring everything up and wait until the gateway says it is ready."""
        self.start_redis()
        self._psql(f'CREATE DATABASE "{self.database}"')
        self.oops("migrate")
        self.start_gateway()
        for _ in range(self.worker_count):
            self.start_worker()
        self.wait_ready()

    def wait_ready(self) -> None:
        """Wait until the gateway says it is ready: database, Redis and a live worker."""
        wait_until(lambda: httpx.get(f"{self.url}/readyz").status_code == 200, 60, "readiness")

    def start_gateway(self) -> None:
        """Two gateway processes on one port, as `oops serve --workers 2` runs them."""
        self.gateway = self._spawn("gateway", "serve", "--port", str(self.port), "--workers", "2")

    def start_other_gateway(self) -> str:
        """One more gateway process on a port of its own, as another host would run one, on
        the same database and Redis; its URL once it answers."""
        port = free_port()
        name = f"gateway-{port}"
        self.other_gateways.append(self._spawn(name, "serve", "--port", str(port)))
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{url}/healthz").status_code == 200, 60, f"{name} start-up")
        return url

    def kill_gateway(self) -> None:
        """SIGKILL the gateway and its processes, as a crash or an OOM kill would."""
        assert self.gateway is not None
        os.killpg(self.gateway.pid, signal.SIGKILL)
        self.gateway.wait()

    def stop(self) -> None:
        """Stop every process (with the processes it started) and drop the database."""
        for process in [*self.workers, *self.other_gateways, self.gateway]:
            if process is not None:
                _end_group(process)
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait()
        with contextlib.suppress(subprocess.CalledProcessError):
            self._psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def start_redis(self) -> None:
        """A Redis that keeps nothing on disk, as the machines' own does."""
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(lambda: self._redis_answers(), 20, "Redis start-up")

    def restart_redis(self) -> None:
        """Kill Redis and start it again, empty."""
        assert self.redis is not None
        self.redis.kill()
        self.redis.wait()
        self.start_redis()

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = self._spawn(f"worker{len(self.workers)}", "worker")
        self.workers.append(worker)
        return worker

    def kill_worker(self, index: int) -> None:
        """SIGKILL a worker and every process it started, as a crash would."""
        worker = self.workers[index]
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    def key(self, role: str, student: str | None = None) -> dict[str, str]:
        """A new API key of `role`, as `oops keys create --json` prints it."""
        extra = ["--student", student] if student else []
        created: dict[str, str] = json.loads(
            self.oops("keys", "create", "--role", role, *extra, "--json")
        )
        return created

    def oops(self, *args: str) -> str:
        done = subprocess.run(
            [OOPS, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("ab")
        return subprocess.Popen(
            [OOPS, *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _redis_answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")

    def psql(self, query: str) -> list[list[str]]:
        """Rows of a query on the stack's database, each a list of text fields."""
        out = subprocess.run(
            ["psql", self.env["OOPS_DATABASE_URL"], "-t", "-A", "-F", ",", "-c", query],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [line.split(",") for line in out.split()]

    def peak_memory_kib(self) -> dict[str, int]:
        """The peak resident memory (VmHWM) of every live process of the stack, by role."""
        groups = {"gateway": self.gateway}
        groups.update({f"worker{i}": w for i, w in enumerate(self.workers) if w.poll() is None})
        peaks: dict[str, int] = {}
        for role, process in groups.items():
            if process is not None and process.poll() is None:
                for pid in _group_members(process.pid):
                    peaks[f"{role}:{pid}"] = _peak_kib(pid)
        if self.redis is not None:
            peaks[f"redis:{self.redis.pid}"] = _peak_kib(self.redis.pid)
        return {name: kib for name, kib in peaks.items() if kib}

    def _psql(self, statement: str) -> None:
        subprocess.run(
            ["psql", f"{self.postgres}/postgres", "-q", "-c", statement],
            check=True,
            capture_output=True,
        )


def _group_members(group: int) -> list[int]:
    """Every live process whose process group (or session) is `group`."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if os.getpgid(int(entry.name)) == group or os.getsid(int(entry.name)) == group:
                    members.append(int(entry.name))
    return sorted(members)


def _peak_kib(pid: int) -> int:
    """A process's peak resident set (VmHWM) in KiB, 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM a process group (a taskiq worker forks), then SIGKILL what is left of it."""
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                process.poll()
                return
            process.poll()
            time.sleep(0.1)


class Receiver:
    """A webhook receiver on a fixed port of 127.0.0.1 that records every request and answers 204.

    `down()` closes the port (senders see connection refused), `up()` opens it again.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None
        self.up()

    def up(self) -> None:
        """Listen and answer again."""
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Stop listening: connections are refused until `up()`."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def for_subject(self, subject: str) -> list[tuple[dict[str, str], bytes]]:
        """Requests whose event is about `subject` (a batch id)."""
        return [(h, b) for h, b in self.requests if json.loads(b)["data"]["id"] == subject]
