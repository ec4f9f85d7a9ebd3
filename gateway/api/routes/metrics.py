"""`/metrics`: what the queue holds and how grading goes, in Prometheus's text format.

Counts are read from the database, the record of what remains to be done, and container start
latencies from where the workers keep them (Redis), so every gateway answers the same.
"""

from __future__ import annotations

from datetime import timedelta

from litestar import Response, get
from piccolo.query.functions.aggregate import Count

from gateway.api.auth import allow
from runners import metrics as observed
from runners.pipeline import now
from runners.store.tables import CaseRun, Run

PROMETHEUS = "text/plain; version=0.0.4"
RATE_WINDOW = timedelta(minutes=1)


@get("/metrics", guards=[allow("instructor")], media_type=PROMETHEUS)
async def metrics() -> Response[str]:
    """Queue depth, cases completed per second over the last minute, and verdict counts."""
    lines = [
        *await _queue_depth(),
        *await _completion_rate(),
        *await _verdicts(),
        *await _start_latency(),
    ]
    return Response("\n".join(lines) + "\n", media_type=PROMETHEUS)


async def _queue_depth() -> list[str]:
    lines = [
        "# HELP oopsengine_queue_depth Cases and runs not finished yet, by state.",
        "# TYPE oopsengine_queue_depth gauge",
    ]
    for kind, table in (("case", CaseRun), ("run", Run)):
        for status in ("queued", "running"):
            count = await table.count().where(table.status == status)
            lines.append(f'oopsengine_queue_depth{{kind="{kind}",status="{status}"}} {count}')
    return lines


async def _completion_rate() -> list[str]:
    since = now() - RATE_WINDOW
    done = await CaseRun.count().where((CaseRun.status == "done") & (CaseRun.updated_at > since))
    rate = done / RATE_WINDOW.total_seconds()
    return [
        "# HELP oopsengine_cases_completed_per_second Cases finished over the last minute.",
        "# TYPE oopsengine_cases_completed_per_second gauge",
        f"oopsengine_cases_completed_per_second {rate:.6g}",
    ]


async def _verdicts() -> list[str]:
    rows = (
        await CaseRun.select(CaseRun.verdict, Count(alias="count"))
        .where(CaseRun.status == "done")
        .group_by(CaseRun.verdict)
    )
    lines = [
        "# HELP oopsengine_case_verdicts Recorded cases by verdict.",
        "# TYPE oopsengine_case_verdicts gauge",
    ]
    for row in sorted(rows, key=lambda r: str(r["verdict"])):
        verdict = row["verdict"] or "none"
        lines.append(f'oopsengine_case_verdicts{{verdict="{verdict}"}} {row["count"]}')
    return lines


async def _start_latency() -> list[str]:
    """Container start latency (create to running) as a Prometheus summary of recent starts."""
    latencies = sorted(await observed.start_latencies())
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
