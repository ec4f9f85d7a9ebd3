"""A class graded by unit tests, beside its floor: `python -m bench.unit` (part of `make bench`).

    floor   one bare `pytest` run of the reference solution per student, in a container started
            beforehand from the Python sandbox image with the sandbox's limits (`docker exec`),
            as many at a time as a worker runs sandboxes
    class   `oops grade` of `--students` students x `--tests` pytest tests (embedded: SQLite,
            the in-process queue, the same concurrency), from nothing to the last result

Both run the same 20 tests on the same solution, so the ratio is what OopsEngine adds: a fresh
container per student, the report's pipe, recording and scoring. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runners.sandbox.build import image_name
from runners.sandbox.languages import PYTHON
from runners.settings import Settings, settings

OOPS = str(Path(sys.executable).parent / "oops")
REFERENCE = (
    Path(__file__).parents[1] / "examples" / "primes" / "reference" / "primes.py"
).read_text()
TARGET_SECONDS = 180


def tests_file(count: int) -> str:
    """`count` quick pytest tests of the primes example."""
    lines = ["from primes import is_prime, nth_prime, primes_up_to", ""]
    for index in range(count):
        lines += [
            f"def test_{index}():",
            f"    assert is_prime({index + 2}) == ({index + 2} in primes_up_to({index + 2}))",
            f"    assert nth_prime({index % 10 + 1}) == primes_up_to(30)[{index % 10}]",
            "",
        ]
    return "\n".join(lines)


def write_class(root: Path, students: int, tests: int) -> Path:
    """A unit suite of `tests` tests and `students` students, each the reference; its path."""
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_primes.py").write_text(tests_file(tests))
    (root / "reference").mkdir()
    (root / "reference" / "primes.py").write_text(REFERENCE)
    submissions = root / "submissions"
    submissions.mkdir()
    for index in range(students):
        (submissions / f"s{index:03}.py").write_text(f"{REFERENCE}\n# student {index}\n")
    suite = root / "suite.toml"
    suite.write_text(
        'kind = "unit"\nname = "bench-primes"\nframework = "pytest"\nsubmit = ["primes.py"]\n'
        'tests = ["tests/test_primes.py"]\nreference = ["reference/primes.py"]\n'
    )
    return suite


def floor_seconds(config: Settings, root: Path, students: int) -> float:
    """`students` bare pytest runs, `config.concurrency` at a time, in started containers."""
    image = image_name(config, PYTHON)
    memory = f"{config.memory_limit}m"
    started = [
        subprocess.run(
            ["docker", "run", "-d", "--rm", "--network", "none", "-m", memory,
             "--memory-swap", memory, "--cpus", str(config.cpus), "--entrypoint", "sleep",
             image, "infinity"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        for _ in range(config.concurrency)
    ]  # fmt: skip
    try:
        for container in started:
            for folder in ("tests", "reference"):
                subprocess.run(["docker", "cp", str(root / folder), f"{container}:/sandbox/"],
                               check=True)  # fmt: skip
        pytest = ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]

        def one(index: int) -> None:
            container = started[index % len(started)]
            env = ["-e", "PYTHONPATH=/sandbox/reference", "-e", "PYTHONDONTWRITEBYTECODE=1"]
            subprocess.run(["docker", "exec", *env, "-w", "/sandbox", container, *pytest],
                           check=True, capture_output=True)  # fmt: skip

        began = time.perf_counter()
        with ThreadPoolExecutor(len(started)) as threads:
            list(threads.map(one, range(students)))
        return time.perf_counter() - began
    finally:
        subprocess.run(["docker", "rm", "-f", *started], check=False, capture_output=True)


def class_seconds(root: Path, suite: Path) -> float:
    """`oops grade` of the whole class in a database of its own, wall clock."""
    env = {**os.environ, "OOPS_DATA_DIR": str(root / "data")}
    env.pop("OOPS_DATABASE_URL", None)
    env.pop("OOPS_REDIS_URL", None)
    began = time.perf_counter()
    subprocess.run([OOPS, "grade", str(suite), str(root / "submissions"), "--json"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--tests", type=int, default=20)
    args = parser.parse_args()
    config = settings()
    with tempfile.TemporaryDirectory(prefix="oops-bench-unit-") as scratch:
        root = Path(scratch)
        suite = write_class(root, args.students, args.tests)
        floor = floor_seconds(config, root, args.students)
        graded = class_seconds(root, suite)
    label = f"class {args.students}x{args.tests} pytest tests"
    print(f"worker concurrency {config.concurrency}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'what':<46}{'measured':>12}{'ratio':>8}  {'to floor':<24}target")
    print(f"{'bare pytest per student (floor)':<46}{floor:>10.1f} s")
    print(f"{label:<46}{graded:>10.1f} s{graded / floor:>8.2f}  {'bare pytest per student':<24}"
          f"< {TARGET_SECONDS} s")  # fmt: skip


if __name__ == "__main__":
    main()
