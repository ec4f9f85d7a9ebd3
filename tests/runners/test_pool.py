"""The warm pool on the real Docker engine: same results, same isolation, one run per container.

Each sandbox here owns its containers (they carry this process's owner label), so the tests
count only their own containers on an engine that others may share.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import docker
import msgspec
import pytest

from grading.outcome import RunResult, Status
from runners.queue import tasks
from runners.sandbox import janitor
from runners.sandbox.limits import resolve_limits
from runners.sandbox.pool import Pool, Profile
from runners.sandbox.protocol import RunRequest
from runners.sandbox.sandbox import Sandbox, _check_digest
from runners.settings import Settings

pytestmark = pytest.mark.docker

POOL_SIZE = 2
FILL_TIMEOUT = 120.0


@pytest.fixture(autouse=True)
async def no_other_warm_pool_in_this_process() -> None:
    """Close the pool an earlier test's grading left warm, so the counts here are this test's."""
    await tasks.close_executor()


def own_containers(client: docker.DockerClient) -> list[dict[str, object]]:
    """This process's sandbox containers on the engine, running or not."""
    owner = janitor.labels()[janitor.OWNER]
    found = client.api.containers(all=True, filters={"label": f"{janitor.OWNER}={owner}"})
    return list(found)


def wait_for(check: Callable[[], bool], what: str) -> None:
    """Poll until `check()` holds, or fail saying what never happened."""
    deadline = time.monotonic() + FILL_TIMEOUT
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {FILL_TIMEOUT:.0f} s"
        time.sleep(0.1)


def pooled(settings: Settings, client: docker.DockerClient, **fields: object) -> Sandbox:
    return Sandbox(msgspec.structs.replace(settings, **fields), client)


@pytest.fixture
def warm_sandbox(settings: Settings, docker_engine: docker.DockerClient) -> Iterator[Sandbox]:
    """A sandbox whose pool is full for the default limits; drained afterwards."""
    sandbox = pooled(settings, docker_engine, pool_size=POOL_SIZE, pool_creates=2)
    sandbox.warm()
    wait_for(lambda: sandbox.pool.held() == POOL_SIZE, "filling the pool")
    yield sandbox
    sandbox.close()


@pytest.fixture
def cold_sandbox(settings: Settings, docker_engine: docker.DockerClient) -> Iterator[Sandbox]:
    """A sandbox with the pool turned off: every run creates its container."""
    sandbox = pooled(settings, docker_engine, pool_size=0)
    yield sandbox
    sandbox.close()


def run(
    sandbox: Sandbox,
    code: str,
    stdin: bytes = b"",
    *,
    time_limit: float | None = None,
    memory_limit: int | None = None,
) -> RunResult:
    limits = resolve_limits(sandbox.settings, time_limit, memory_limit)
    request = RunRequest(code=code, stdin=stdin, limits=limits)
    return sandbox.run(request).result


def visible(result: RunResult) -> tuple[object, ...]:
    """What a user compares between two runs of the same program (not its timings)."""
    return (result.status, result.exit_code, result.signal, result.stdout, result.stderr)


PROGRAMS = [
    pytest.param("print(input()[::-1])", b"warm\n", id="echo-stdin"),
    pytest.param("import sys; print('oops', file=sys.stderr); sys.exit(3)", b"", id="exit-code"),
    pytest.param("import os; print(sorted(os.environ))", b"", id="environment"),
    pytest.param("import os; print(os.getuid(), os.listdir('.'))", b"", id="user-and-workdir"),
    pytest.param("print(", b"", id="syntax-error"),
]


@pytest.mark.parametrize(("code", "stdin"), PROGRAMS)
def test_a_warm_run_gives_the_result_of_a_cold_one(
    warm_sandbox: Sandbox, cold_sandbox: Sandbox, code: str, stdin: bytes
) -> None:
    assert warm_sandbox.pool.held() > 0
    assert visible(run(warm_sandbox, code, stdin)) == visible(run(cold_sandbox, code, stdin))


@pytest.mark.parametrize(
    ("code", "status"),
    [
        pytest.param("print(input())", Status.OK, id="checks"),
        pytest.param("import sys; sys.exit(2)", Status.RUNTIME_ERROR, id="checks-then-fails"),
        pytest.param("print(", Status.COMPILE_ERROR, id="syntax-error"),
    ],
)
def test_a_program_run_again_without_its_check_gets_the_same_result(
    cold_sandbox: Sandbox, code: str, status: Status
) -> None:
    first = run(cold_sandbox, code, b"again\n")
    checked_before = _check_digest("python", code) in cold_sandbox._checked
    second = run(cold_sandbox, code, b"again\n")
    assert first.status is status
    assert visible(second) == visible(first)
    assert checked_before is (status is not Status.COMPILE_ERROR)  # only a pass is remembered


HOSTILE = [
    pytest.param("x = bytearray(2 * 1024**3)", Status.MEMORY_LIMIT, 30, id="memory-bomb"),
    pytest.param(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
        Status.TIMEOUT,
        2,
        id="fork-bomb",
    ),
    pytest.param("while True: print('x' * 4096)", Status.OUTPUT_LIMIT, 10, id="output-flood"),
    pytest.param(
        "import socket; socket.create_connection(('1.1.1.1', 53), timeout=2)",
        Status.RUNTIME_ERROR,
        10,
        id="network",
    ),
    pytest.param("open('/etc/passwd', 'a')", Status.RUNTIME_ERROR, 10, id="write-outside-tmpfs"),
]
"""Attacks, their status, and a time limit that a loaded machine cannot turn into a timeout."""


@pytest.mark.parametrize(("code", "status", "time_limit"), HOSTILE)
def test_hostile_programs_are_contained_in_warm_containers(
    warm_sandbox: Sandbox, code: str, status: Status, time_limit: float
) -> None:
    assert run(warm_sandbox, code, time_limit=time_limit).status is status
    assert run(warm_sandbox, "print(6 * 7)").stdout == "42\n"


def test_a_warm_container_keeps_the_memory_limit_it_was_made_for(
    settings: Settings, docker_engine: docker.DockerClient
) -> None:
    sandbox = pooled(settings, docker_engine, pool_size=1)
    try:
        small = "x = bytearray(150 * 1024**2); print('allocated')"
        assert run(sandbox, "pass", memory_limit=64).status is Status.OK
        wait_for(lambda: sandbox.pool.held() == 1, "a warm container for 64 MiB")
        assert run(sandbox, small, memory_limit=64, time_limit=30).status is Status.MEMORY_LIMIT
        assert run(sandbox, small, time_limit=30).stdout == "allocated\n"
    finally:
        sandbox.close()


def test_no_container_serves_two_runs(warm_sandbox: Sandbox) -> None:
    leave_a_mark = (
        "import os\n"
        "print('reused' if os.path.exists('mark') else 'fresh')\n"
        "open('mark', 'w').close()\n"
        "open('/sandbox/.mark', 'w').close()"
    )
    outputs = [run(warm_sandbox, leave_a_mark).stdout for _ in range(2 * POOL_SIZE + 2)]
    assert outputs == ["fresh\n"] * len(outputs)


def test_runs_at_once_each_get_their_own_container(warm_sandbox: Sandbox) -> None:
    code = "import os, time; time.sleep(0.5); print(os.path.exists('taken')); open('taken', 'w')"
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(run(warm_sandbox, code).stdout))
        for _ in range(2 * POOL_SIZE)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["False\n"] * len(threads)


def test_closing_the_sandbox_leaves_no_container(
    settings: Settings, docker_engine: docker.DockerClient
) -> None:
    sandbox = pooled(settings, docker_engine, pool_size=POOL_SIZE)
    sandbox.warm()
    wait_for(lambda: sandbox.pool.held() == POOL_SIZE, "filling the pool")
    for _ in range(3):
        assert run(sandbox, "print(1)").status is Status.OK
    sandbox.close()
    assert own_containers(docker_engine) == []
    assert run(sandbox, "print(2)").stdout == "2\n"
    assert own_containers(docker_engine) == []


def test_the_pool_holds_no_more_than_its_size(
    settings: Settings, docker_engine: docker.DockerClient
) -> None:
    sandbox = pooled(settings, docker_engine, pool_size=3, pool_creates=3)
    try:
        sandbox.warm()
        for _ in range(4):
            run(sandbox, "pass")
        wait_for(lambda: sandbox.pool.held() == 3, "refilling the pool")
        wait_for(lambda: len(own_containers(docker_engine)) == 3, "removing used containers")
        assert sandbox.pool.held() == 3
    finally:
        sandbox.close()


def test_the_pool_creates_no_more_containers_at_once_than_allowed(
    settings: Settings, docker_engine: docker.DockerClient
) -> None:
    sandbox = pooled(settings, docker_engine, pool_size=0)
    limited = msgspec.structs.replace(settings, pool_size=4, pool_creates=2)
    busy, most = 0, 0
    lock = threading.Lock()

    def counted_start(profile: Profile) -> str:
        nonlocal busy, most
        with lock:
            busy += 1
            most = max(most, busy)
        try:
            return sandbox._start_warm(profile)
        finally:
            with lock:
                busy -= 1

    pool = Pool(limited, counted_start, sandbox._remove)
    try:
        pool.warm(sandbox.profile("python", settings.memory_limit))
        wait_for(lambda: pool.held() == 4, "filling the pool")
        assert 1 <= most <= 2
    finally:
        pool.close()
        sandbox.close()
    assert own_containers(docker_engine) == []


CRASHING = """
import time, msgspec
from runners.sandbox.sandbox import Sandbox
from runners.settings import settings
sandbox = Sandbox(msgspec.structs.replace(settings(), pool_size=2))
sandbox.warm()
while sandbox.pool.held() < 2:
    time.sleep(0.1)
print("warm", flush=True)
time.sleep(600)
"""


def test_a_crashed_process_pool_is_swept(
    settings: Settings, docker_engine: docker.DockerClient
) -> None:
    crashing = subprocess.Popen([sys.executable, "-c", CRASHING], stdout=subprocess.PIPE)
    try:
        assert crashing.stdout is not None
        assert crashing.stdout.readline() == b"warm\n"
    finally:
        crashing.kill()
        crashing.wait()
    owner = f"{janitor.OWNER}={socket.gethostname()}:{crashing.pid}"
    left = docker_engine.api.containers(all=True, filters={"label": owner})
    assert len(left) == 2
    janitor.sweep(docker_engine, settings)
    assert docker_engine.api.containers(all=True, filters={"label": owner}) == []
