"""`/metrics`: what the queue holds and how grading goes, in Prometheus's text format.

Counts are read from the database, the record of what remains to be done, and container start
latencies from where the workers keep them (Redis), so every gateway answers the same.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from gateway.api.auth import allow
from runners.monitor import metrics as observed

PROMETHEUS = "text/plain; version=0.0.4"


@get("/metrics", guards=[allow("instructor")], media_type=PROMETHEUS)
async def metrics(request: Request[Any, Any, Any]) -> Response[str]:
    """Queue depth, cases completed per second over the last minute, and verdict counts."""
    snapshot = await observed.snapshot(request.app.state.redis)
    lines = [
        *_queue_depth(snapshot),
        *_completion_rate(snapshot),
        *_verdicts(snapshot),
        *_start_latency(sorted(snapshot.start_latencies_ms)),
    ]
    return Response("\n".join(lines) + "\n", media_type=PROMETHEUS)


def _queue_depth(snapshot: observed.Snapshot) -> list[str]:
    return [
        "# HELP oopsengine_queue_depth Cases and runs not finished yet, by state.",
        "# TYPE oopsengine_queue_depth gauge",
        *(
            f'oopsengine_queue_depth{{kind="{d.kind}",status="{d.status}"}} {d.count}'
            for d in snapshot.depth
        ),
    ]


def _completion_rate(snapshot: observed.Snapshot) -> list[str]:
    return [
        "# HELP oopsengine_cases_completed_per_second Cases finished over the last minute.",
        "# TYPE oopsengine_cases_completed_per_second gauge",
        f"oopsengine_cases_completed_per_second {snapshot.completed_per_second:.6g}",
    ]


def _verdicts(snapshot: observed.Snapshot) -> list[str]:
    return [
        "# HELP oopsengine_case_verdicts Recorded cases by verdict.",
        "# TYPE oopsengine_case_verdicts gauge",
        *(
            f'oopsengine_case_verdicts{{verdict="{verdict}"}} {count}'
            for verdict, count in sorted(snapshot.verdicts.items())
        ),
    ]


def _start_latency(latencies: list[int]) -> list[str]:
    """Container start latency (create to running) as a Prometheus summary of recent starts."""
    lines = [
        "# HELP oopsengine_container_start_seconds Sandbox create-to-running time, recent starts.",
        "# TYPE oopsengine_container_start_seconds summary",
    ]
    for quantile in (0.5, 0.9, 0.99):
        if latencies:
            value = latencies[min(len(latencies) - 1, int(quantile * len(latencies)))] / 1000
            lines.append(f'oopsengine_container_start_seconds{{quantile="{quantile}"}} {value:.6g}')
    lines.append(f"oopsengine_container_start_seconds_sum {sum(latencies) / 1000:.6g}")
    lines.append(f"oopsengine_container_start_seconds_count {len(latencies)}")
    return lines
