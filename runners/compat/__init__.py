"""Other runners' APIs over OopsEngine's runs: Judge0 CE (`judge0`) and Piston (`piston`).

Both translate a foreign request into a `runners.runs.RunSpec` and a stored run back into the
foreign answer; the runs themselves are the same rows the `/v1/runs` API reads and writes. The
core never imports this package: the gateway's compatible routes call it, and each process that
runs tasks calls `install` so the runs these APIs asked for are called back in their shape.
"""

from __future__ import annotations

from runners.compat import judge0_runs
from runners.queue.tasks import announce_runs_of


def install() -> None:
    """Register the compatible APIs' callbacks with the queue's tasks (idempotent)."""
    announce_runs_of(judge0_runs.API, judge0_runs.callback)
