"""Hostile programs through `oops run --json`, on the real Docker engine.

Each class of attack gets its expected status; afterwards none of our containers is left and
an ordinary run still works. The runner process has a secret planted in its environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from grading.outcome import RunResult
from runners.sandbox.limits import resolve_limits
from runners.sandbox.protocol import CaseInput, Program, RunRequest
from runners.sandbox.sandbox import Sandbox
from tests.helpers import OOPS, leftovers_after_removal

pytestmark = pytest.mark.docker

SECRET = f"postgres://admin:{uuid.uuid4().hex}@db/prod"


def oops_run(tmp_path: Path, code: str, *options: str, stdin: bytes | None = None) -> Any:
    """Run `code` through `oops run --json` with a secret in the runner's environment."""
    program = tmp_path / f"{uuid.uuid4().hex}.py"
    program.write_text(textwrap.dedent(code))
    command = [OOPS, "run", str(program), "--json", *options]
    if stdin is not None:
        (tmp_path / "stdin").write_bytes(stdin)
        command += ["--stdin", str(tmp_path / "stdin")]
    env = {**os.environ, "DATABASE_URL": SECRET, "OOPS_TEST_SECRET": SECRET}
    done = subprocess.run(command, capture_output=True, env=env, timeout=60, check=False)
    assert done.stdout, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.fixture(autouse=True)
def engine_stays_clean(tmp_path: Path, docker_engine: docker.DockerClient) -> Iterator[None]:
    """After each attack: no container of ours remains and an ordinary run works."""
    yield
    assert leftovers_after_removal(docker_engine) == []
    after = oops_run(tmp_path, "print(6 * 7)")
    assert (after["status"], after["stdout"]) == ("ok", "42\n")


HOSTILE = [
    pytest.param("while True: pass", "timeout", id="infinite-loop"),
    pytest.param("import time; time.sleep(30)", "timeout", id="sleep-past-limit"),
    pytest.param("x = bytearray(2 * 1024**3)", "memory_limit", id="memory-bomb-fast"),
    pytest.param(
        """
        import time
        chunks = []
        while True:
            chunks.append(bytearray(8 * 1024**2))
            time.sleep(0.005)
        """,
        "memory_limit",
        id="memory-bomb-slow",
    ),
    pytest.param(
        """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """,
        "timeout",
        id="fork-bomb",
    ),
    pytest.param(
        """
        import threading, time
        while True:
            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        """,
        "runtime_error",
        id="thread-bomb",
    ),
    pytest.param("def f(n): return f(n + 1)\nf(0)", "runtime_error", id="recursion"),
    pytest.param(
        "import sys\nsys.setrecursionlimit(10**8)\ndef f(n): return f(n + 1)\nf(0)",
        "memory_limit",
        id="recursion-limit-lifted",
    ),
    pytest.param("import sys; sys.exit(3)", "runtime_error", id="non-zero-exit"),
    pytest.param("import os; os.kill(os.getpid(), 9)", "runtime_error", id="kills-itself"),
    pytest.param("import ctypes; ctypes.string_at(0)", "runtime_error", id="segfault"),
    pytest.param("input()", "runtime_error", id="input-at-eof"),
    pytest.param("import os; os.setuid(0)", "runtime_error", id="become-root-setuid"),
    pytest.param(
        "import subprocess; subprocess.run(['su', '-c', 'id'], check=True, input=b'')",
        "runtime_error",
        id="become-root-su",
    ),
    pytest.param("open('/etc/owned', 'w')", "runtime_error", id="write-root-fs"),
    pytest.param("open('/tmp/owned', 'w')", "runtime_error", id="write-tmp"),
    pytest.param(
        """
        with open('/sandbox/fill', 'wb') as f:
            while True:
                f.write(b'x' * 1024**2)
        """,
        "runtime_error",
        id="fill-the-disk",
    ),
]


@pytest.mark.parametrize(("code", "status"), HOSTILE)
def test_hostile_program_gets_its_status(tmp_path: Path, code: str, status: str) -> None:
    result = oops_run(tmp_path, code)
    assert result["status"] == status, result


def test_killing_itself_is_not_mistaken_for_memory(tmp_path: Path) -> None:
    result = oops_run(tmp_path, "import os; os.kill(os.getpid(), 9)")
    assert (result["status"], result["signal"]) == ("runtime_error", 9)


def test_segfault_reports_the_signal(tmp_path: Path) -> None:
    assert oops_run(tmp_path, "import ctypes; ctypes.string_at(0)")["signal"] == 11


def test_non_zero_exit_reports_the_code(tmp_path: Path) -> None:
    assert oops_run(tmp_path, "import sys; sys.exit(3)")["exit_code"] == 3


def test_timeout_kills_at_the_wall_clock(tmp_path: Path) -> None:
    result = oops_run(tmp_path, "import time; time.sleep(30)", "--time-limit", "1")
    assert result["status"] == "timeout"
    assert result["signal"] == 9
    assert 1000 <= result["time_ms"] < 5000


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_output_flood_is_capped_and_kept(tmp_path: Path, stream: str) -> None:
    result = oops_run(tmp_path, f"import sys\nwhile True: sys.{stream}.write('y' * 4096)")
    assert result["status"] == "output_limit"
    assert result[f"{stream}_truncated"] is True
    assert len(result[stream]) == 1024 * 1024
    assert set(result[stream]) == {"y"}


def test_program_that_fits_in_memory_passes_and_reports_its_peak(tmp_path: Path) -> None:
    result = oops_run(tmp_path, "x = bytearray(200 * 1024**2)\nx[::4096] = b'1' * len(x[::4096])")
    assert result["status"] == "ok"
    assert result["memory_kib"] >= 200 * 1024


def test_memory_limit_can_be_lowered_per_run(tmp_path: Path) -> None:
    code = "x = bytearray(200 * 1024**2)"
    assert oops_run(tmp_path, code, "--memory-limit", "128")["status"] == "memory_limit"


def test_one_second_of_cpu_reports_about_one_second(tmp_path: Path) -> None:
    code = """
    import time
    while time.process_time() < 1.0:
        pass
    """
    result = oops_run(tmp_path, code, "--time-limit", "6")
    assert result["status"] == "ok"
    assert 950 <= result["cpu_ms"] <= 1400


def bridge_gateway(client: docker.DockerClient) -> str:
    """The host's own address on Docker's default bridge, where the engine's ports would be."""
    config = client.networks.get("bridge").attrs["IPAM"]["Config"]
    return str(config[0].get("Gateway", "172.17.0.1"))


@pytest.mark.parametrize(
    "target",
    [
        # 192.0.2.0/24 is reserved for documentation (RFC 5737): routed nowhere, even on failure.
        pytest.param("192.0.2.1", id="public-address"),
        pytest.param("bridge-gateway", id="docker-bridge-gateway"),
        pytest.param("127.0.0.1", id="loopback-of-the-host"),
    ],
)
def test_network_is_unreachable(
    tmp_path: Path, docker_engine: docker.DockerClient, target: str
) -> None:
    address = bridge_gateway(docker_engine) if target == "bridge-gateway" else target
    port = 5432 if address == "127.0.0.1" else 2375
    code = f"import socket; socket.create_connection(({address!r}, {port}), timeout=2)"
    result = oops_run(tmp_path, code)
    assert result["status"] == "runtime_error"
    assert "Error" in result["stderr"]
    assert "Network is unreachable" in result["stderr"] or "refused" in result["stderr"]


def test_dns_does_not_resolve(tmp_path: Path) -> None:
    result = oops_run(tmp_path, "import socket; socket.getaddrinfo('example.com', 443)")
    assert result["status"] == "runtime_error"
    assert "gaierror" in result["stderr"]


def test_network_namespace_is_its_own_with_loopback_only(tmp_path: Path) -> None:
    """The sandbox has no network stack set up by the engine, yet not the host's either."""
    code = """
    import os, socket
    print(os.readlink('/proc/self/ns/net'))
    print(' '.join(sorted(os.listdir('/sys/class/net'))))
    listener = socket.create_server(('127.0.0.1', 0))
    socket.create_connection(listener.getsockname(), timeout=2)
    print('loopback works')
    """
    result = oops_run(tmp_path, code)
    assert result["status"] == "ok", result["stderr"]
    namespace, interfaces, loopback = result["stdout"].splitlines()
    assert namespace.startswith("net:[")
    assert namespace != os.readlink("/proc/self/ns/net")
    assert interfaces == "lo"
    assert loopback == "loopback works"


def test_runner_environment_is_invisible(tmp_path: Path) -> None:
    code = """
    import os
    print(dict(os.environ))
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                print(pid, open(f'/proc/{pid}/environ', 'rb').read())
            except OSError as error:
                print(pid, error)
    """
    result = oops_run(tmp_path, code)
    assert result["status"] == "ok"
    assert SECRET not in result["stdout"]
    assert "DATABASE_URL" not in result["stdout"]
    assert "OOPS_" not in result["stdout"]


def test_host_files_are_invisible(tmp_path: Path) -> None:
    marker = tmp_path / "host-marker.txt"
    marker.write_text(SECRET)
    code = f"""
    import os
    print(os.path.exists({str(marker)!r}), os.path.exists({str(Path.cwd())!r}))
    print(sorted(os.listdir('/')))
    """
    result = oops_run(tmp_path, code)
    assert result["stdout"].splitlines()[0] == "False False"
    assert SECRET not in result["stdout"]


def test_docker_socket_is_unreachable(tmp_path: Path) -> None:
    code = """
    import socket
    s = socket.socket(socket.AF_UNIX)
    s.connect('/var/run/docker.sock')
    """
    result = oops_run(tmp_path, code)
    assert result["status"] == "runtime_error"
    assert "FileNotFoundError" in result["stderr"]


def test_runs_as_unprivileged_user_without_capabilities(tmp_path: Path) -> None:
    code = """
    import os
    print(os.getuid(), os.getgid())
    wanted = ('CapEff', 'CapPrm', 'CapInh', 'CapBnd', 'CapAmb', 'NoNewPrivs')
    print([line for line in open('/proc/self/status') if line.startswith(wanted)])
    print(os.getresuid(), os.getresgid(), os.getgroups())
    """
    result = oops_run(tmp_path, code)
    lines = result["stdout"].splitlines()
    assert lines[0] == "65534 65534"
    for capabilities in ("CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"):
        assert f"{capabilities}:\\t0000000000000000" in lines[1]
    assert "NoNewPrivs:\\t1" in lines[1]
    assert lines[2] == "(65534, 65534, 65534) (65534, 65534, 65534) []"


def test_cannot_forge_the_supervisor_report(tmp_path: Path) -> None:
    code = """
    import os
    for path in ('/proc/1/fd/1', '/proc/1/mem'):
        try:
            open(path, 'w').write('{"forged": true}')
            print('opened', path)
        except OSError as error:
            print('refused', path, type(error).__name__)
    try:
        os.kill(1, 9)
    except PermissionError:
        print('refused SIGKILL')
    print('still here')
    """
    result = oops_run(tmp_path, code)
    assert result["status"] == "ok"
    assert "opened" not in result["stdout"]
    assert result["stdout"].count("refused") == 3


def test_program_is_the_oom_killers_first_pick_and_owns_its_proc_entries(tmp_path: Path) -> None:
    """The supervisor is non-dumpable and kept from the OOM killer; the program is neither."""
    code = """
    import os
    def score(pid):
        return open(f'/proc/{pid}/oom_score_adj').read().strip()
    print(score('self'), score(1))
    print(os.stat('/proc/self/fd').st_uid, os.stat('/proc/1/fd').st_uid)
    """
    result = oops_run(tmp_path, code)
    assert result["status"] == "ok", result["stderr"]
    scores, owners = result["stdout"].splitlines()
    assert scores.split() == ["1000", "0"]
    assert owners.split() == ["65534", "0"]


def test_child_left_running_does_not_hold_the_run(tmp_path: Path) -> None:
    code = """
    import subprocess
    subprocess.Popen(['sleep', '60'])
    print('parent done')
    """
    result = oops_run(tmp_path, code)
    assert (result["status"], result["stdout"]) == ("ok", "parent done\n")
    assert result["time_ms"] < 3000  # it did not wait for the child's 60 s, nor time out


def test_binary_output_keeps_the_json_valid(tmp_path: Path) -> None:
    result = oops_run(tmp_path, "import sys; sys.stdout.buffer.write(bytes(range(256)))")
    assert result["status"] == "ok"
    assert "\ufffd" in result["stdout"]
    assert result["stdout"].startswith("\x00\x01\x02")


def test_reading_stdin_at_eof_gets_empty_input(tmp_path: Path) -> None:
    result = oops_run(tmp_path, "import sys; print(repr(sys.stdin.read()))")
    assert (result["status"], result["stdout"]) == ("ok", "''\n")


def test_stdin_reaches_the_program(tmp_path: Path) -> None:
    result = oops_run(tmp_path, "print(input()[::-1])", stdin=b"stressed\n")
    assert result["stdout"] == "desserts\n"


@pytest.mark.parametrize(
    ("code", "said"),
    [
        pytest.param('print("ran")\nprint(input(\n', "SyntaxError", id="syntax-error"),
        pytest.param('print("ran")\nif True:\nprint(1)\n', "IndentationError", id="indentation"),
        pytest.param("x = " + "(" * 1000 + ")" * 1000, "SyntaxError", id="deep-nesting"),
        pytest.param('print("ran")\n\x00\n', "null bytes", id="null-byte"),
    ],
)
def test_code_that_does_not_compile_is_a_compile_error_and_never_runs(
    tmp_path: Path, code: str, said: str
) -> None:
    result = oops_run(tmp_path, code, stdin=b"42\n")
    assert result["status"] == "compile_error", result
    assert said in result["stderr"]
    assert result["stdout"] == ""


# Every hostile program above, as one case followed by a probe case, in both isolation modes:
# the hostile case gets the status it gets alone, and the probe then finds a clean slate.
PROBE = """
import os, sys
if sys.stdin.read() == "probe":
    room = bytearray(100 * 1024**2)
    room[::4096] = b"1" * len(room[::4096])
    ours = (1, os.getppid(), os.getpid())  # the supervisor, the starter if any, this probe
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in ours]
    with open("/proc/sysvipc/shm") as shm:
        segments = len(shm.read().splitlines()) - 1
    print(sorted(os.listdir(".")), others, segments, os.listdir("/dev/mqueue"))
    raise SystemExit
"""
CLEAN = "['main.py'] [] 0 []\n"
PATIENT_SECONDS = 10.0
"""Wall clock per case: a shared, busy machine must not turn a memory bomb into a timeout."""

LEFTOVERS = [
    pytest.param(
        """
        import os
        os.makedirs("a/b/c")
        for path in ("a/b/c", "a/b", "a", "."):
            open(os.path.join(path, "secret"), "w").write("left behind")
            os.chmod(os.path.join(path, "secret"), 0)
            os.chmod(path, 0)
        """,
        "ok",
        id="chmod-000-tricks",
    ),
    pytest.param(
        """
        import os
        path = "deep"
        for _ in range(400):
            os.mkdir(path)
            os.chdir(path)
        open("bottom", "w").write("x")
        """,
        "ok",
        id="deep-directory-tree",
    ),
    pytest.param(
        """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:
                    open("/sandbox/late", "a").write("x")
                    time.sleep(0.01)
            os._exit(0)
        print("parent done")
        """,
        "ok",
        id="daemon-keeps-writing",
    ),
    pytest.param(
        "import subprocess; subprocess.Popen(['sleep', '60'])",
        "ok",
        id="sleeping-child",
    ),
    pytest.param(
        "open('main.py', 'w').write('print(\"replaced\")')",
        "ok",
        id="rewrites-its-own-program",
    ),
    pytest.param(
        """
        import ctypes
        libc = ctypes.CDLL(None)
        ident = libc.shmget(0x4F4F5053, 4096, 0o1000 | 0o600)
        assert ident >= 0
        """,
        # The seccomp profile refuses System V IPC: shmget fails, so the assert does.
        "runtime_error",
        id="sysv-shared-memory",
    ),
    pytest.param("open('/dev/mqueue/leak', 'w')", "ok", id="posix-message-queue"),
    pytest.param(
        "import sys\nwhile True: sys.stdout.write('y' * 4096)",
        "output_limit",
        id="output-flood",
    ),
]


def run_each(sandbox: Sandbox, code: str, stdins: list[bytes], isolation: str) -> list[RunResult]:
    """One case per stdin, in one container (`submission`) or in one container each (`case`)."""
    limits = resolve_limits(sandbox.settings, time_limit=PATIENT_SECONDS)
    inputs = [CaseInput(limits=limits, stdin=stdin) for stdin in stdins]
    if isolation == "submission":
        executions = sandbox.run_cases(Program(code=code), inputs)
    else:
        requests = [RunRequest(code=code, stdin=case.stdin, limits=limits) for case in inputs]
        executions = [sandbox.run(request) for request in requests]
    return [execution.result for execution in executions]


def hostile_then_probe(sandbox: Sandbox, code: str, isolation: str) -> list[RunResult]:
    """Run `code` as one case and then the probe."""
    source = f"{PROBE}\n{textwrap.dedent(code)}\n"
    return run_each(sandbox, source, [b"attack", b"probe"], isolation)


@pytest.mark.parametrize("isolation", ["case", "submission"])
@pytest.mark.parametrize(("code", "status"), HOSTILE + LEFTOVERS)
def test_hostile_case_gets_its_status_and_leaves_nothing_to_the_next(
    sandbox: Sandbox, code: str, status: str, isolation: str
) -> None:
    attack, probe = hostile_then_probe(sandbox, code, isolation)
    assert attack.status == status, attack
    assert (probe.status, probe.stdout) == ("ok", CLEAN), probe


FILL_THE_MEMORY = """
import sys
if sys.stdin.read() == "fill":
    with open("/sandbox/fill", "wb") as f:
        while True:
            f.write(b"x" * 1024**2)
print("fine")
"""


@pytest.mark.parametrize("isolation", ["case", "submission"])
def test_filling_the_tmpfs_past_the_memory_limit_spares_the_next_cases(
    sandbox: Sandbox, isolation: str
) -> None:
    limits = resolve_limits(sandbox.settings, time_limit=PATIENT_SECONDS, memory_limit=48)
    inputs = [CaseInput(limits=limits, stdin=stdin) for stdin in (b"a", b"fill", b"b", b"c")]
    if isolation == "submission":
        executions = sandbox.run_cases(Program(code=FILL_THE_MEMORY), inputs)
    else:
        requests = [RunRequest(code=FILL_THE_MEMORY, stdin=i.stdin, limits=limits) for i in inputs]
        executions = [sandbox.run(request) for request in requests]
    outcomes = [(e.result.status, e.result.stdout) for e in executions]
    assert outcomes == [
        ("ok", "fine\n"),
        ("memory_limit", ""),
        ("ok", "fine\n"),
        ("ok", "fine\n"),
    ]


def test_cases_of_one_submission_each_get_their_own_memory_limit(sandbox: Sandbox) -> None:
    code = "x = bytearray(200 * 1024**2)\nx[::4096] = b'1' * len(x[::4096])\nprint('fits')"
    inputs = [
        CaseInput(limits=resolve_limits(sandbox.settings, PATIENT_SECONDS, memory))
        for memory in (384, 128, 384)
    ]
    executions = sandbox.run_cases(Program(code=code), inputs)
    assert [e.result.status for e in executions] == ["ok", "memory_limit", "ok"]


TAMPERS_WITH_PID_ONE = """
import os, resource, signal, sys
if sys.stdin.read() != "attack":
    limits = sorted(name for name in dir(resource) if name.startswith("RLIMIT_"))
    print(os.getpriority(os.PRIO_PROCESS, 0), sorted(os.sched_getaffinity(0)))
    print(os.sched_getscheduler(0), [resource.getrlimit(getattr(resource, n)) for n in limits])
    raise SystemExit
attempts = {
    "stack": lambda pid: resource.prlimit(pid, resource.RLIMIT_STACK, (65536, 65536)),
    "files": lambda pid: resource.prlimit(pid, resource.RLIMIT_NOFILE, (4, 4)),
    "cpu": lambda pid: resource.prlimit(pid, resource.RLIMIT_CPU, (1, 1)),
    "nice": lambda pid: os.setpriority(os.PRIO_PROCESS, pid, 19),
    "one-cpu": lambda pid: os.sched_setaffinity(pid, {min(os.sched_getaffinity(pid))}),
    "idle-class": lambda pid: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0)),
    "stop": lambda pid: os.kill(pid, signal.SIGSTOP),
    "terminate": lambda pid: os.kill(pid, signal.SIGTERM),
}
# PID 1 is the supervisor; a forked case's parent is the interpreter it was forked from.
for pid in sorted({1, os.getppid()}):
    for name, attempt in attempts.items():
        try:
            attempt(pid)
            print(f"{name}@{pid}", "done")
        except PermissionError:
            print(f"{name}@{pid}", "refused")
"""


@pytest.mark.parametrize("isolation", ["case", "submission"])
def test_a_case_cannot_change_the_supervisor_that_starts_the_next(
    sandbox: Sandbox, isolation: str
) -> None:
    """Every later case is forked from PID 1, or from the interpreter PID 1 started: lowering
    their limits, priority or CPUs would reach every later case, so the program runs under
    another uid than both and is refused."""
    before, attack, after = run_each(
        sandbox, TAMPERS_WITH_PID_ONE, [b"probe", b"attack", b"probe"], isolation
    )
    assert attack.status == "ok", attack
    outcomes = dict(line.split() for line in attack.stdout.splitlines())
    assert set(outcomes.values()) == {"refused"}, outcomes
    assert (after.status, after.stdout) == ("ok", before.stdout), (before, after)
