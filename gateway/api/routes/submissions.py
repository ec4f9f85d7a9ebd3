"""Submissions: one student's code for an assignment, accepted at once and graded by workers."""

from __future__ import annotations

import uuid

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED

from gateway.api.auth import allow, owner_of
from gateway.api.problems import invalid, not_found, problem
from gateway.api.schemas import Created, SubmissionCreate
from runners import intake, views
from runners.access.counters import Counter
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.pipeline import Entry
from runners.settings import settings
from runners.store.states import WorkState
from runners.views import SubmissionView
from runners.webhooks import checked_callback

SUBMISSION_BODY_BYTES = 2 * settings().max_code_bytes + 64 * 1024
"""Room for the largest code even when JSON escaping doubles it."""


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
    access: NamedDependency[Scope],
    counter: NamedDependency[Counter],
) -> Created:
    """Accept one student's code for grading; its result is at `/v1/submissions/{id}`."""
    student = student_for(principal, data.student)
    callback = checked_callback(data.callback_url)
    entry = Entry(student=student, code=data.code, language=data.language)
    accepted = await intake.submit(
        settings(),
        assignment_id,
        [entry],
        owner_of(principal),
        access,
        counter,
        callback_url=callback,
    )
    return Created(accepted.submissions[0], WorkState.QUEUED)


@get("/submissions/{submission_id:uuid}", guards=[allow("instructor", "student")])
async def read_submission(
    submission_id: FromPath[uuid.UUID], access: NamedDependency[Scope]
) -> SubmissionView:
    """The submission and its cases; a student sees only its own, hidden cases without data."""
    view = await views.submission_view(submission_id, access)
    if view is None:
        raise not_found("submission", submission_id)
    return view
