"""The Docker engine started with user-namespace remapping (`OOPS_ENGINE_USERNS_REMAP=1`).

The test stops the engine and starts it again twice (remapped, then as before), so it runs only
when OOPS_CHAOS_DOCKER=1 says the engine is this test's alone. A remapped engine keeps its own
image store, so `oops setup` builds the Python image in it.
"""

from __future__ import annotations

import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import msgspec
import pytest

from runners.sandbox import engine, janitor
from runners.sandbox.limits import resolve_limits
from runners.sandbox.protocol import SANDBOX_UID, RunRequest
from runners.sandbox.sandbox import Sandbox
from runners.settings import from_environment
from tests.gateway.stack import wait_until
from tests.helpers import OOPS

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.docker,
    pytest.mark.skipif(
        os.environ.get("OOPS_CHAOS_DOCKER") != "1",
        reason="restarts the Docker engine: set OOPS_CHAOS_DOCKER=1 on a machine whose engine "
        "is yours",
    ),
]

LOOKS_AROUND = "import os, time\nprint(os.getuid(), flush=True)\ntime.sleep(1.5)"


def stop_engine() -> None:
    pid = int(engine.PID_FILE.read_text())
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), 60, "the engine stopping")


def setup(remap: bool) -> None:
    env = {**os.environ, "OOPS_ENGINE_USERNS_REMAP": "1" if remap else "0"}
    subprocess.run([OOPS, "setup", "--languages", "python"], env=env, check=True, timeout=600)


def subordinate_uids(user: str) -> tuple[int, int]:
    """The first uid and the size of `user`'s range in /etc/subuid."""
    for line in Path("/etc/subuid").read_text().splitlines():
        name, first, count = line.split(":")
        if name == user:
            return int(first), int(count)
    raise AssertionError(f"/etc/subuid gives {user} no range")


def real_uid(pid: int | str) -> int:
    """A process's real uid as the host sees it."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])


def host_uids_of_a_running_sandbox(client: docker.DockerClient) -> tuple[int, int] | None:
    """The host's real uids of the first running sandbox's supervisor (its PID 1) and of the
    program it runs, once there is one."""
    for container in janitor.ours(client):
        try:
            pid = client.api.inspect_container(container.attrs["Id"])["State"]["Pid"]
        except docker.errors.NotFound:  # removed meanwhile
            continue
        if not pid:
            continue
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            if children:
                return real_uid(pid), real_uid(children[0])
        except (FileNotFoundError, ProcessLookupError, StopIteration):  # it ended meanwhile
            continue
    return None


def test_a_remapped_engine_runs_the_sandbox_as_an_unprivileged_host_uid() -> None:
    stop_engine()
    try:
        setup(remap=True)
        assert engine.remapped()
        first, count = subordinate_uids("dockremap")
        config = msgspec.structs.replace(from_environment(), pool_size=0)
        sandbox = Sandbox(config)
        client = docker.from_env()
        try:
            with ThreadPoolExecutor(1) as background:
                request = RunRequest(code=LOOKS_AROUND, limits=resolve_limits(config))
                running = background.submit(sandbox.run, request)
                supervisor_uid, program_uid = wait_until(
                    lambda: host_uids_of_a_running_sandbox(client), 30, "a program running"
                )
                result = running.result(timeout=60).result
        finally:
            sandbox.close()
            client.close()
        assert result.stdout == f"{SANDBOX_UID}\n", result
        # Root inside and the sandbox user are both uids of dockremap's range on the host.
        assert supervisor_uid == first
        assert program_uid == first + SANDBOX_UID < first + count
    finally:
        stop_engine()
        setup(remap=False)
    assert not engine.remapped()
