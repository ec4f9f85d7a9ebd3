"""`/results/{id}`: a submission's every case, with verdict, time, memory, message and
highlighted diff, and the code with line numbers. A student sees only their own, redacted as
the API redacts it."""

from __future__ import annotations

import uuid

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from gateway.api.problems import not_found
from gateway.web.highlight import highlighted
from gateway.web.session import page_allow
from runners import assignments, pages, views
from runners.access.principal import Principal
from runners.access.scope import Scope


@get(
    "/results/{submission_id:uuid}",
    guards=[page_allow("instructor", "student")],
    include_in_schema=False,
)
async def submission_page(
    submission_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
) -> Template:
    """The submission as `GET /v1/submissions/{id}` returns it to this key, made readable."""
    view = await views.submission_view(submission_id, access)
    source = await pages.submission_source(submission_id, access)
    if view is None or source is None:
        raise not_found("submission", submission_id)
    diffs = {case.name: highlighted(case.diff) for case in view.cases if case.diff}
    staff = not access.for_a_student
    assignment = await assignments.name_of(view.assignment_id, access) if staff else None
    context = {
        "submission": view,
        "source": source,
        "diffs": diffs,
        "principal": principal,
        "assignment": assignment,
        "lines": source.code.removesuffix("\n").split("\n"),
    }
    return Template("submission.html", context=context)
