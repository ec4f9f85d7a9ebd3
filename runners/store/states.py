"""The states a row moves through, one enum per table that has a `status`.

    CaseRun     queued -> running -> done          (running -> running again when a lease expires)
    Submission  queued -> running -> completed
    Batch       queued -> running -> completed
    Run         queued -> running -> the result's own status (ok, timeout, ...)
    Delivery    pending -> delivered | failed      (pending again while retries remain)
    Build       compiling -> done                  (a compile past its deadline is taken over)

They are `StrEnum`s: stored as their value, and equal to it.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    """Where one case of one submission is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class WorkState(StrEnum):
    """Where a submission or a batch is: graded once every case or submission is."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"


class Leased(StrEnum):
    """Work a worker takes under a lease, a case or a single run, before it ends.

    A single run's status after it ends is its result's (`grading.outcome.Status`).
    """

    QUEUED = "queued"
    RUNNING = "running"


class DeliveryState(StrEnum):
    """Where one webhook delivery is."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class BuildState(StrEnum):
    """Where one compiled program kept in the database is (`runners.suites.compile_cache`)."""

    COMPILING = "compiling"
    DONE = "done"
