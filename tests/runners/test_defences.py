"""Defence in depth around the sandbox, on the real Docker engine: a seccomp profile narrower
than Docker's default, a writable space bounded in inodes as well as bytes, no host path
mounted, and nothing a program plants in its writable space followed by the runner."""

from __future__ import annotations

import concurrent.futures
import textwrap
import time
from typing import Any

import docker
import pytest

from grading.outcome import Status
from runners.sandbox.build import image_name
from runners.sandbox.janitor import LABEL
from runners.sandbox.languages import PYTHON
from runners.sandbox.limits import resolve_limits
from runners.sandbox.protocol import Execution, RunRequest
from runners.sandbox.sandbox import Sandbox
from runners.settings import Settings

pytestmark = pytest.mark.docker

BLOCKED = [
    pytest.param(272, (0x10000000,), id="unshare-a-user-namespace"),
    pytest.param(165, (b"none", b"/sandbox", b"tmpfs", 0, 0), id="mount"),
    pytest.param(101, (0, 0, 0, 0), id="ptrace-traceme"),
    pytest.param(250, (0, 0, 0, 0), id="keyctl"),
    pytest.param(321, (0, 0, 0), id="bpf"),
    pytest.param(298, (0, 0, -1, -1, 0), id="perf-event-open"),
    pytest.param(425, (8, 0), id="io-uring-setup"),
]
"""x86_64 syscall numbers; ptrace and io_uring are allowed by Docker's default profile."""


def run(sandbox: Sandbox, settings: Settings, code: str, **extra: Any) -> Execution:
    request = RunRequest(code=textwrap.dedent(code), limits=resolve_limits(settings), **extra)
    return sandbox.run(request)


@pytest.mark.parametrize(("number", "args"), BLOCKED)
def test_a_blocked_syscall_fails_with_eperm(
    sandbox: Sandbox, settings: Settings, number: int, args: tuple[object, ...]
) -> None:
    code = f"""
        import ctypes, errno
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.syscall({number}, *{args!r})
        print(result, errno.errorcode.get(ctypes.get_errno(), "none"))
    """
    result = run(sandbox, settings, code).result
    assert (result.status, result.stdout) == (Status.OK, "-1 EPERM\n")


def test_ordinary_programs_still_work_under_the_profile(
    sandbox: Sandbox, settings: Settings
) -> None:
    code = """
        import json, os, subprocess, sys, tempfile, threading
        threads = [threading.Thread(target=sum, args=([1, 2],)) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        with tempfile.NamedTemporaryFile(dir="/sandbox") as handle:
            handle.write(b"x")
        child = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True)
        pid = os.fork()
        if pid == 0:
            os._exit(3)
        print(child.stdout.decode().strip(), os.waitpid(pid, 0)[1] >> 8)
    """
    result = run(sandbox, settings, code).result
    assert (result.status, result.stdout) == (Status.OK, "42 3\n"), result.stderr


def test_creating_empty_files_forever_ends_on_the_inode_limit_not_the_clock(
    sandbox: Sandbox, settings: Settings
) -> None:
    code = """
        count = 0
        while True:
            open(f"/sandbox/f{count}", "w").close()
            count += 1
    """
    result = run(sandbox, settings, code).result
    assert result.status is Status.RUNTIME_ERROR
    assert "No space left on device" in result.stderr


PLANTED = """
    import os
    os.makedirs("feedback", exist_ok=True)
    os.symlink("/etc/passwd", "feedback/judgemessage.txt")
    os.symlink("/proc/1/root/etc/shadow", "feedback/score.txt")
    os.mkfifo("feedback/teammessage.txt")
    os.symlink("/", "feedback/root")
    try:
        os.mknod("feedback/disk", 0o600 | 0o060000, os.makedev(8, 0))
    except PermissionError:
        print("mknod refused")
    for odd in ["..\\n", "-rf", " ", "a" * 255, "\\u202eevil.txt"]:
        with open(os.path.join("feedback", odd), "w") as handle:
            handle.write("odd")
"""


def test_links_fifos_and_odd_names_in_the_writable_space_are_not_followed(
    sandbox: Sandbox, settings: Settings
) -> None:
    execution = run(sandbox, settings, PLANTED, collect="feedback")
    assert (execution.result.status, execution.result.stdout) == (Status.OK, "mknod refused\n")
    names = set(execution.files)
    assert not names & {"judgemessage.txt", "score.txt", "teammessage.txt", "root", "disk"}
    assert all(content == b"odd" for content in execution.files.values())
    assert "a" * 255 in names
    assert "..\n" in names


def test_no_host_path_is_mounted_and_the_tmpfs_is_bounded(
    sandbox: Sandbox, settings: Settings, docker_engine: docker.DockerClient
) -> None:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(run, sandbox, settings, "import time; time.sleep(2)")
        found = _our_running_container(docker_engine, image_name(settings, PYTHON))
        assert running.result().result.status is Status.OK
    assert found["Mounts"] == []
    host = found["HostConfig"]
    assert not host.get("Binds")
    assert not host.get("Mounts")
    assert not host.get("VolumesFrom")
    assert list(host["Tmpfs"]) == ["/sandbox"]
    assert f"nr_inodes={settings.disk_inodes}" in host["Tmpfs"]["/sandbox"]
    assert any(option.startswith("seccomp=") for option in host["SecurityOpt"])


def _our_running_container(client: docker.DockerClient, image: str) -> dict[str, Any]:
    """`docker inspect` of a running sandbox container of this checkout's image."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = client.containers.list(filters={"label": LABEL, "ancestor": image})
        for container in found:
            try:
                attrs: dict[str, Any] = client.api.inspect_container(container.attrs["Id"])
            except docker.errors.NotFound:  # it ended between the listing and the inspection
                continue
            return attrs
        time.sleep(0.1)
    raise AssertionError("no sandbox container of ours was seen running")
