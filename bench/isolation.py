"""Grading throughput in `case` and `submission` isolation, end to end, measured in one run.

    python -m bench.isolation [--students 50] [--cases 20] [--case-students N] [--class-size 200]

Grades a made-up class with `oops grade --json` (the embedded back end: SQLite and the
in-process queue, `OOPS_CONCURRENCY` sandboxes at a time) in a fresh data folder, once per
isolation, and then a class of `--class-size` students in `submission` isolation. `case`
isolation may grade fewer students (`--case-students`, 0 to skip it): its rate in cases per
second is the same with any class that keeps every sandbox slot busy, and it is slow. Each student
sums the numbers of each case's input. Prints wall clock, cases per second and the ratio of
the two isolations; asserts nothing. The machine may be shared: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OOPS = str(Path(sys.executable).parent / "oops")
PROGRAM = """\
# student {student}
import sys
print(sum(int(word) for word in sys.stdin.read().split()))
"""


def make_class(folder: Path, students: int, cases: int) -> tuple[Path, Path]:
    """A suite of `cases` sums and `students` submissions solving it; their paths."""
    lines = ['name = "bench-sum"', "time_limit = 5"]
    for index in range(cases):
        numbers = list(range(index, index + 10))
        lines += [
            "[[cases]]",
            f'name = "sum-{index:02d}"',
            f'stdin = "{" ".join(map(str, numbers))}\\n"',
            f'expected_output = "{sum(numbers)}\\n"',
        ]
    suite = folder / "suite.toml"
    suite.write_text("\n".join(lines) + "\n")
    submissions = folder / "submissions"
    submissions.mkdir()
    for student in range(students):
        (submissions / f"s{student:04d}.py").write_text(PROGRAM.format(student=student))
    return suite, submissions


def grade(students: int, cases: int, isolation: str) -> float:
    """Seconds `oops grade` takes for the class; fails if any case did not pass."""
    with tempfile.TemporaryDirectory(prefix="oops-bench-") as scratch:
        folder = Path(scratch)
        suite, submissions = make_class(folder, students, cases)
        env = {
            k: v for k, v in os.environ.items() if k not in ("OOPS_DATABASE_URL", "OOPS_REDIS_URL")
        }
        env["OOPS_DATA_DIR"] = str(folder / "data")
        command = [OOPS, "grade", str(suite), str(submissions), "--json", "--isolation", isolation]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"oops grade failed:\n{done.stderr}")
    verdicts = {r["verdict"] for r in json.loads(done.stdout)["results"]}
    if verdicts != {"passed"}:
        print(f"  note: not every submission passed ({sorted(verdicts)}): the machine is busy")
    return elapsed


def report(label: str, students: int, cases: int, seconds: float) -> float:
    """Print one line and return the cases per second."""
    rate = students * cases / seconds
    print(f"{label:<34} {students:>4} x {cases:<3} {seconds:8.1f} s {rate:8.1f} cases/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--case-students", type=int, help="students in case isolation")
    parser.add_argument("--class-size", type=int, default=200)
    args = parser.parse_args()
    case_students = args.students if args.case_students is None else args.case_students
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    size = (args.students, args.cases)
    whole = report("submission isolation", *size, grade(*size, "submission"))
    if case_students:
        few = (case_students, args.cases)
        alone = report("case isolation", *few, grade(*few, "case"))
        print(f"{'submission / case (cases per second)':<36} {whole / alone:25.1f}x")
    klass = (args.class_size, args.cases)
    report("class, submission isolation", *klass, grade(*klass, "submission"))
    print(f"machine: load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
