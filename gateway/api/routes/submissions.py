"""Submissions: one student's code for an assignment, accepted at once and graded by workers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED

from gateway.api.auth import allow, owner_of
from gateway.api.problems import invalid, not_found, problem, too_large
from gateway.api.schemas import Created, SubmissionCreate, checked_callback
from grading.scoring import plan
from grading.suite import Isolation
from runners import pipeline, views
from runners.keys import Principal
from runners.pipeline import Accepted, Entry
from runners.queue.tasks import enqueue
from runners.settings import settings
from runners.views import SubmissionView

MAX_CASE_RUNS = 100_000
"""Cases one request may queue (submissions times the suite's cases)."""
SUBMISSION_BODY_BYTES = 2 * settings().max_code_bytes + 64 * 1024
"""Room for the largest code even when JSON escaping doubles it."""


async def accept_and_enqueue(
    assignment_id: uuid.UUID,
    entries: Sequence[Entry],
    owner: str,
    batch: bool = False,
    callback_url: str | None = None,
    isolation: Isolation | None = None,
) -> Accepted:
    """Write the submissions and their cases in one transaction, then queue their work.

    `isolation` overrides the suite's: one task per case, or one per whole submission.
    """
    suite = await pipeline.load_suite(assignment_id)
    if suite is None:
        raise not_found("assignment", assignment_id)
    case_runs = len(entries) * len(plan(suite))
    if case_runs > MAX_CASE_RUNS:
        message = f"{case_runs} case runs; one request may queue at most {MAX_CASE_RUNS}"
        raise too_large("submissions", message)
    accepted = await pipeline.accept(
        settings(),
        assignment_id,
        suite,
        entries,
        batch=batch,
        callback_url=callback_url,
        owner=owner,
        isolation=isolation,
    )
    await enqueue(accepted.work)
    return accepted


def student_for(principal: Principal, asked: str | None) -> str:
    """The student a submission is for: a student key may only submit as itself."""
    if principal.role != "student":
        if asked is None:
            raise invalid("student", "name the student this code is from")
        return asked
    if asked is not None and asked != principal.student:
        raise problem(403, f"this key submits only for student {principal.student!r}")
    return str(principal.student)


@post(
    "/assignments/{assignment_id:uuid}/submissions",
    guards=[allow("instructor", "student")],
    request_max_body_size=SUBMISSION_BODY_BYTES,
    status_code=HTTP_202_ACCEPTED,
)
async def create_submission(
    assignment_id: FromPath[uuid.UUID],
    data: JSONBody[SubmissionCreate],
    principal: NamedDependency[Principal],
) -> Created:
    """Accept one student's code for grading; its result is at `/v1/submissions/{id}`."""
    student = student_for(principal, data.student)
    callback = checked_callback(data.callback_url)
    entry = Entry(student=student, code=data.code, language=data.language)
    accepted = await accept_and_enqueue(
        assignment_id, [entry], owner_of(principal), callback_url=callback
    )
    return Created(accepted.submissions[0], "queued")


@get("/submissions/{submission_id:uuid}", guards=[allow("instructor", "student")])
async def read_submission(
    submission_id: FromPath[uuid.UUID], principal: NamedDependency[Principal]
) -> SubmissionView:
    """The submission and its cases; a student sees only its own, hidden cases without data."""
    owned = await views.submission_owner(submission_id)
    is_student = principal.role == "student"
    if owned is None or (is_student and owned.student != principal.student):
        raise not_found("submission", submission_id)
    view = await views.submission_view(submission_id, for_a_student=is_student)
    if view is None:
        raise not_found("submission", submission_id)
    return view
