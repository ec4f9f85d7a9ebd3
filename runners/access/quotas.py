"""Each course's submissions-per-hour quota, shared by every gateway process.

The window is the clock hour. A request that would take the course past its quota is refused
whole and its submissions are not counted: a batch is accepted entirely or not at all. A
submission counts once it is accepted for grading, whichever key sent it (a student's own, an
instructor's batch, a regrade): the quota shares a deployment's capacity between its courses.
"""

from __future__ import annotations

import time
import uuid

from runners.access.counters import Counter
from runners.errors import RunnerError
from runners.store.tables import Course

WINDOW_SECONDS = 3600
QUOTA_KEY = "oopsengine:quota:{course}:{window}"


class QuotaSpent(RunnerError):
    """The course has sent as many submissions this hour as its quota allows."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def spend(counter: Counter, course_id: uuid.UUID, count: int) -> None:
    """Count `count` submissions against the course's quota, or raise `QuotaSpent`."""
    quota = await _quota(course_id)
    if quota is None or count < 1:
        return
    moment = int(time.time())
    key = QUOTA_KEY.format(course=course_id, window=moment // WINDOW_SECONDS)
    total = await counter.hit(key, WINDOW_SECONDS, count)
    if total <= quota:
        return
    await counter.hit(key, WINDOW_SECONDS, -count)
    left = max(quota - (total - count), 0)
    raise QuotaSpent(
        f"this course may send {quota} submissions an hour and has {left} left this hour; "
        f"this request holds {count}",
        retry_after=WINDOW_SECONDS - moment % WINDOW_SECONDS,
    )


async def _quota(course_id: uuid.UUID) -> int | None:
    row = await Course.select(Course.submissions_per_hour).where(Course.id == course_id).first()
    return None if row is None else row["submissions_per_hour"]
