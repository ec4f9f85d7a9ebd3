"""OopsEngine beside its floors, measured in one run: `make bench` (`python -m bench.sandbox`).

    floors   `python3 -c pass` on the host; a bare `docker run --rm` of the sandbox image with
             the same limits (the engine's own start path)
    single   one run through `POST /v1/runs?wait=true`, p50 and p95, against bare docker run
    cli      `oops run` of a hello world, wall clock, against the sandbox run it makes
    batch    students x cases graded in `case` isolation (and in `submission` isolation where
             suites have it), against bare docker runs at the workers' concurrency
    class    a class of `--class-size` students x cases in `submission` isolation, in seconds
    accept   runs posted by many clients at once with the workers paused: p50, p99, errors
    scaling  (`--scaling`) case-isolation throughput with 1, 2 and 4 worker processes

The served parts run on a stack of their own (`tests/gateway/stack.py`: its own Redis server
and Postgres database, a gateway and workers as real processes, all stopped at the end).
Prints a table with each measurement's ratio to its floor; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docker
import httpx
import msgspec

from grading.suite import Suite
from runners.sandbox import janitor
from runners.sandbox.build import image_name
from runners.sandbox.languages import PYTHON
from runners.sandbox.limits import resolve_limits
from runners.sandbox.protocol import RunRequest
from runners.sandbox.sandbox import Sandbox
from runners.settings import Settings, settings
from tests.gateway.stack import Stack

OOPS = str(Path(sys.executable).parent / "oops")
HELLO = "print('Hello, world!')"
TEST_SETTINGS = (
    "OOPS_CONCURRENCY",
    "OOPS_POOL_SIZE",
    "OOPS_REQUEUE_AFTER",
    "OOPS_RECONCILE_EVERY",
    "OOPS_SWEEP_EVERY",
)
"""What the test stack sets to its own ends (small pools, fast sweeps) that a bench must not."""
BARE_RUNS = 200
"""Bare `docker run`s in the throughput floor: enough for the engine's own clean-up to catch
up with it, as it must during a batch (a short burst leaves the removals for later)."""
SPACING = 0.5
"""Seconds between single runs measured alone: time for the warm pool to refill."""
HOST_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
"""The system's interpreter: a version manager's `python3` shim costs a shell script first."""


class Row(msgspec.Struct, frozen=True):
    """One line of the table: what, how much, against which floor, and the target ratio."""

    what: str
    value: str
    ratio: float | None = None
    floor: str = ""
    target: str = ""


def timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def samples_ms(action: Callable[[], object], runs: int) -> list[float]:
    """Wall times of `action` in milliseconds, after one warm-up call."""
    action()
    return [timed_ms(action) for _ in range(runs)]


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0.5 is the median), by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def bare_docker(config: Settings, image: str, code: str) -> list[str]:
    """`docker run --rm` of `code` in the sandbox image with the sandbox's main limits."""
    memory = f"{config.memory_limit}m"
    return [
        "docker", "run", "--rm", "--network", "none", "-m", memory, "--memory-swap", memory,
        "--cpus", str(config.cpus), "--entrypoint", "python3", image, "-c", code,
    ]  # fmt: skip


def docker_rate(argv: list[str], concurrency: int, total: int) -> float:
    """Containers per second when `total` bare runs go `concurrency` at a time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as threads:
        list(threads.map(lambda _: subprocess.run(argv, check=True), range(total)))
    return total / (time.perf_counter() - started)


def expect(answer: httpx.Response, status: int) -> httpx.Response:
    """`answer` if it has `status`; otherwise stop the benchmark with what the API said."""
    if answer.status_code != status:
        raise RuntimeError(f"{answer.request.url} answered {answer.status_code}: {answer.text}")
    return answer


def say(line: str) -> None:
    print(f"  .. {line}", file=sys.stderr, flush=True)


def floors(config: Settings, image: str, runs: int) -> dict[str, float]:
    """Medians of the host's `python3 -c pass` and of a bare `docker run --rm`."""
    say("floors: python3 -c pass, docker run --rm")
    host = samples_ms(lambda: subprocess.run([HOST_PYTHON, "-c", "pass"], check=True), runs)
    bare = bare_docker(config, image, "pass")
    docker_ms = samples_ms(lambda: subprocess.run(bare, check=True), runs)
    return {"host": statistics.median(host), "docker": statistics.median(docker_ms)}


def cli_rows(config: Settings, runs: int) -> list[Row]:
    """`oops run` of a hello world against the in-process sandbox run it makes (no pool)."""
    say("oops run, and the same run in-process")
    cold = Sandbox(msgspec.structs.replace(config, pool_size=0))
    request = RunRequest(code=HELLO, limits=resolve_limits(config))
    in_process = statistics.median(samples_ms(lambda: cold.run(request), runs))
    cold.close()
    with tempfile.TemporaryDirectory() as scratch:
        program = Path(scratch) / "hello.py"
        program.write_text(HELLO + "\n")
        command = [OOPS, "run", str(program)]
        wall = statistics.median(
            samples_ms(lambda: subprocess.run(command, check=True, capture_output=True), runs)
        )
    return [
        Row("sandbox run, in-process, cold", f"{in_process:.0f} ms"),
        Row(
            "oops run hello.py, wall clock",
            f"{wall:.0f} ms",
            wall / in_process,
            "sandbox run",
            f"+{wall - in_process:.0f} ms (target <= +400)",
        ),
    ]


@contextlib.contextmanager
def served(workers: int, workdir: Path) -> Iterator[tuple[Stack, httpx.Client]]:
    """A stack with `workers` worker processes and an instructor's client; all stopped after."""
    workdir.mkdir(parents=True, exist_ok=True)
    stack = Stack(workdir, workers=workers)
    stack.env["OOPS_RATE_LIMIT"] = "10000000"
    for chosen in TEST_SETTINGS:  # the product's defaults, not the tests'
        stack.env.pop(chosen, None)
    try:
        stack.start()
        key = stack.key("instructor")
        headers = {"Authorization": f"Bearer {key['key']}"}
        with httpx.Client(base_url=stack.url, headers=headers, timeout=120) as api:
            yield stack, api
    finally:
        for worker in stack.workers:
            _signal_group(worker.pid, signal.SIGKILL)
        stack.stop()
        janitor.sweep(docker.from_env(), settings())


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def single_rows(api: httpx.Client, runs: int, docker_ms: float) -> list[Row]:
    """One print(N) at a time through `POST /v1/runs?wait=true`, alone and back to back.

    Alone, each run comes `SPACING` seconds after the last, as runs from people typing do,
    and meets a refilled warm pool: that is a run's latency. Back to back, each run's
    replacement container is being created and the last one removed on the same two cores
    while it runs: that is a stream, whose cost the batch rows measure as throughput.
    """
    say("single runs through the HTTP API")

    numbers = itertools.count()

    def one() -> None:
        # A program of its own each time, as users send: none meets a check already passed.
        code = f"print({next(numbers)})"
        answer = expect(api.post("/v1/runs?wait=true", json={"code": code}), 201)
        if answer.json()["status"] != "ok":
            raise RuntimeError(f"the benchmark's run did not succeed: {answer.text}")

    def alone() -> None:
        time.sleep(SPACING)
        one()

    for _ in range(3):
        one()
    spaced = [timed_ms(alone) - SPACING * 1000 for _ in range(runs)]
    p50, p95 = percentile(spaced, 0.5), percentile(spaced, 0.95)
    streamed = statistics.median(samples_ms(one, runs))
    return [
        Row("POST /v1/runs?wait=true p50", f"{p50:.0f} ms", p50 / docker_ms, "docker run", "<=0.5"),
        Row("POST /v1/runs?wait=true p95", f"{p95:.0f} ms", p95 / docker_ms, "docker run"),
        Row("  same, back to back, p50", f"{streamed:.0f} ms", streamed / docker_ms, "docker run"),
    ]


def suite(cases: int, isolation: str | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": f"squares-{isolation or 'case'}-{time.monotonic_ns()}",
        "cases": [
            {"name": f"n{n}", "stdin": f"{n}\n", "expected_output": f"{n * n}\n"}
            for n in range(1, cases + 1)
        ],
    }
    if isolation is not None:
        document["isolation"] = isolation
    return document


def batch_rate(api: httpx.Client, students: int, cases: int, isolation: str | None) -> float:
    """Cases per second for one batch, from posting it to its completion, on an idle machine."""
    say(f"waited {quiet():.1f} s for the machine to be idle")
    document = {"name": "bench", "suite": suite(cases, isolation)}
    made = expect(api.post("/v1/assignments", json=document), 201)
    code = "# {student}\nn = int(input())\nprint(n * n)"  # each student's program is their own
    body = {
        "assignment_id": made.json()["id"],
        "submissions": [
            {"student": f"s{i:03}", "code": code.format(student=f"s{i:03}")}
            for i in range(students)
        ],
    }
    started = time.perf_counter()
    batch_id = expect(api.post("/v1/batches", json=body), 202).json()["id"]
    while api.get(f"/v1/batches/{batch_id}").json()["status"] != "completed":
        time.sleep(0.2)
    rate = students * cases / (time.perf_counter() - started)
    tail = settle()
    say(f"{rate:.2f} cases/s; the engine removed the last used containers {tail:.1f} s later")
    return rate


def quiet(idle: float = 0.75, timeout: float = 90.0) -> float:
    """Seconds until the CPUs are at least `idle` idle over a second (or `timeout` passed).

    After a batch, the engine, Postgres and the kernel go on tidying up (unmounting layers,
    vacuuming, writing back) for a while: the next measurement starts when they are done.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        before = _cpu_times()
        time.sleep(1.0)
        after = _cpu_times()
        spent = [b - a for a, b in zip(before, after, strict=True)]
        if spent[3] / max(1, sum(spent)) >= idle:
            break
    return time.perf_counter() - started


def _cpu_times() -> list[int]:
    """The machine's CPU time so far by kind (user, nice, system, idle, iowait, ...)."""
    with open("/proc/stat") as stat:
        return [int(field) for field in stat.readline().split()[1:]]


def settle(timeout: float = 180.0) -> float:
    """Seconds until every used sandbox container is gone and only warm ones are left.

    A batch completes when its last case is recorded; the workers remove used containers in
    the background. Waiting for them keeps one measurement from paying for the last one's.
    """
    config = settings()
    engine = docker.from_env()
    warm = config.pool_size * config.pool_profiles
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        left = janitor.ours(engine)
        if len(left) <= warm and all(c.status == "running" for c in left):
            break
        time.sleep(0.25)
    engine.close()
    return time.perf_counter() - started


def batch_rows(
    api: httpx.Client, config: Settings, image: str, students: int, cases: int
) -> list[Row]:
    """Case (and submission) isolation against bare docker runs at the workers' concurrency."""
    say(f"bare docker run at {config.concurrency} at a time")
    total = max(BARE_RUNS, 5 * config.concurrency)
    bare = docker_rate(bare_docker(config, image, "pass"), config.concurrency, total)
    say(f"batch of {students} x {cases}, case isolation")
    case_rate = batch_rate(api, students, cases, None)
    label = f"batch {students}x{cases}"
    rows = [
        Row(f"bare docker run, {config.concurrency} at a time", f"{bare:.2f} containers/s"),
        Row(f"{label}, case isolation", f"{case_rate:.2f} cases/s", case_rate / bare,
            "docker run/s", ">= 0.9"),
    ]  # fmt: skip
    if "isolation" not in Suite.__struct_fields__:
        return [*rows, Row(f"{label}, submission isolation", "not available")]
    say(f"batch of {students} x {cases}, submission isolation")
    whole = batch_rate(api, students, cases, "submission")
    return [
        *rows,
        Row(f"{label}, submission isolation", f"{whole:.2f} cases/s", whole / case_rate,
            "case isolation", ">= 10"),
    ]  # fmt: skip


def class_row(api: httpx.Client, students: int, cases: int) -> Row:
    """A whole class in `submission` isolation: how long until its batch completed."""
    say(f"a class of {students} x {cases}, submission isolation")
    seconds = students * cases / batch_rate(api, students, cases, "submission")
    label = f"class {students}x{cases}, submission isolation"
    return Row(label, f"{seconds:.0f} s", target="< 120 s")


def accept_rows(stack: Stack, runs: int, clients: int) -> list[Row]:
    """`runs` runs posted by `clients` clients at once while every worker is stopped.

    Each client holds one keep-alive connection, as a platform's HTTP client does, and each
    posts once before the clock starts (connecting is not accepting). The clients speak bare
    HTTP/1.1 over asyncio streams: on two cores, a heavier client would take the CPU the
    gateway needs and measure itself.
    """
    say(f"{runs} runs posted by {clients} clients, workers paused")
    for worker in stack.workers:
        _signal_group(worker.pid, signal.SIGSTOP)
    key = stack.key("instructor")["key"]
    host, port = stack.url.removeprefix("http://").split(":")
    latencies, errors = asyncio.run(_post_runs(host, int(port), key, runs, clients))
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    return [
        Row(f"accept {runs} runs, {clients} clients, p50", f"{p50:.0f} ms"),
        Row(f"accept {runs} runs, {clients} clients, p99", f"{p99:.0f} ms", target="< 250 ms"),
        Row(f"accept {runs} runs, {clients} clients, errors", str(errors), target="0"),
    ]


async def _post_runs(
    host: str, port: int, key: str, runs: int, clients: int
) -> tuple[list[float], int]:
    body = b'{"code": "print(1)"}'
    head = (
        f"POST /v1/runs HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    request = head.encode() + body
    latencies: list[float] = []
    errors = 0
    connected = asyncio.Barrier(clients)

    async def post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(request)
        answer = await reader.readuntil(b"\r\n\r\n")
        lines = answer.decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        await reader.readexactly(int(fields.get("content-length", "0")))
        return lines[0].split(" ")[1] == "202"

    async def client(count: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            errors += not await post(reader, writer)
            await connected.wait()
            for _ in range(count):
                started = time.perf_counter()
                try:
                    errors += not await post(reader, writer)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            writer.close()

    await asyncio.gather(*(client(runs // clients + (i < runs % clients)) for i in range(clients)))
    return latencies, errors


def scaling_rows(workdir: Path, students: int, cases: int) -> list[Row]:
    """Case-isolation throughput with 1, 2 and 4 worker processes on this machine."""
    rows = []
    for workers in (1, 2, 4):
        say(f"scaling: {workers} worker process(es), batch of {students} x {cases}")
        what = f"{workers} worker process(es), case isolation"
        try:
            with served(workers, workdir / f"scaling{workers}") as (_, api):
                rate = batch_rate(api, students, cases, None)
        except (AssertionError, RuntimeError, httpx.HTTPError) as error:
            rows.append(Row(what, "failed", target=str(error)[:60]))
        else:
            rows.append(Row(what, f"{rate:.2f} cases/s"))
        say(f"{rows[-1].what}: {rows[-1].value}")
    return rows


def table(rows: list[Row]) -> str:
    lines = [f"{'what':<46}{'measured':>20}{'ratio':>8}  {'to floor':<16}target"]
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        lines.append(f"{row.what:<46}{row.value:>20}{ratio:>8}  {row.floor:<16}{row.target}")
    return "\n".join(lines)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="samples per latency")
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--accept", type=int, default=1000, help="runs posted at once")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--class-size", type=int, default=200, help="students of the class row (0: none)"
    )
    parser.add_argument("--scaling", action="store_true", help="also 1, 2 and 4 workers")
    parser.add_argument("--scaling-only", action="store_true", help="only 1, 2 and 4 workers")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    config = settings()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="oops-bench-") as scratch:
        rows = [] if args.scaling_only else measure(args, config, Path(scratch))
        if args.scaling or args.scaling_only:
            rows += scaling_rows(Path(scratch), args.students // 2 or 1, args.cases // 2 or 1)
    cores, memory = os.cpu_count(), os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    print(f"machine: {cores} cores, {memory / 2**30:.0f} GiB; worker concurrency "
          f"{config.concurrency}, pool size {config.pool_size}; load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after")  # fmt: skip
    print(table(rows))


def measure(args: argparse.Namespace, config: Settings, scratch: Path) -> list[Row]:
    """Every row but scaling: floors, the command line, and one served stack's answers."""
    image = image_name(config, PYTHON)
    found = floors(config, image, args.runs)
    rows = [
        Row("python3 -c pass (host)", f"{found['host']:.0f} ms"),
        Row("docker run --rm python3 -c pass", f"{found['docker']:.0f} ms"),
        *cli_rows(config, max(5, args.runs // 2)),
    ]
    with served(1, scratch / "stack") as (stack, api):
        rows += single_rows(api, args.runs, found["docker"])
        rows += batch_rows(api, config, image, args.students, args.cases)
        if args.class_size:
            rows.append(class_row(api, args.class_size, args.cases))
        rows += accept_rows(stack, args.accept, args.clients)
    return rows


if __name__ == "__main__":
    main()
