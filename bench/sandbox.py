"""The per-run cost of the sandbox beside its floors, measured in one run.

    python -m bench.sandbox [--runs N]

Floors: a bare `docker run --rm` of the same image with the same limits (the engine's own start
path) and a bare `python3 -c pass` on the host. Prints medians and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from runners.sandbox.build import image_name
from runners.sandbox.languages import PYTHON
from runners.sandbox.limits import resolve_limits
from runners.sandbox.sandbox import RunRequest, Sandbox
from runners.settings import settings


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` in milliseconds, after one warm-up call."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    config = settings()
    sandbox = Sandbox(config)
    request = RunRequest(code="pass", limits=resolve_limits(config))
    image = image_name(config, PYTHON)
    bare = [
        "docker",
        "run",
        "--rm",
        "--network",
        "none",
        "-m",
        "512m",
        "--cpus",
        "0.5",
        "--entrypoint",
        "python3",
        image,
        "-c",
        "pass",
    ]
    results = {
        "sandbox run (in-process)": median_ms(lambda: sandbox.run(request), runs),
        "docker run --rm": median_ms(lambda: subprocess.run(bare, check=True), runs),
        "python3 -c pass (host)": median_ms(
            lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), runs
        ),
    }
    floor = results["python3 -c pass (host)"]
    engine = results["docker run --rm"]
    print(f"{'what':<28}{'median ms':>10}{'x python':>10}{'x docker run':>14}")
    for name, ms in results.items():
        print(f"{name:<28}{ms:>10.1f}{ms / floor:>10.1f}{ms / engine:>14.2f}")


if __name__ == "__main__":
    main()
