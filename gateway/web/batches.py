"""`/batches/...`: a class's submissions uploaded as a zip or folder, graded as one batch,
followed live (server-sent events, the same as `/v1/batches/{id}/events`)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, ServerSentEvent, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from gateway.api.auth import owner_of
from gateway.api.problems import invalid, not_found, too_large
from gateway.api.routes.batches import BATCH_BODY_BYTES, MAX_SUBMISSIONS, batch_messages
from gateway.web.assignments import detail
from gateway.web.filters import LABELS
from gateway.web.session import page_allow
from gateway.web.uploads import entries_from_upload
from runners import intake, views
from runners.access.counters import Counter
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.settings import settings
from runners.views import BatchView

instructors = [page_allow("instructor")]


async def batch(batch_id: uuid.UUID, access: Scope) -> BatchView:
    """The batch view, or a 404 page."""
    found = await views.batch_view(batch_id, access)
    if found is None:
        raise not_found("batch", batch_id)
    return found


@post(
    "/assignments/{assignment_id:uuid}/batches",
    guards=instructors,
    request_max_body_size=BATCH_BODY_BYTES,
    include_in_schema=False,
)
async def upload_batch(
    assignment_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
    counter: NamedDependency[Counter],
) -> Redirect:
    """Grade the uploaded submissions (form field `submissions`: one zip, or a folder's files,
    each named by its path) as a batch, then show its progress."""
    found = await detail(assignment_id, access)
    form = await request.form()
    parts = [p for p in form.getall("submissions") if isinstance(p, UploadFile) and p.filename]
    files = [(part.filename, await part.read()) for part in parts]
    if not files:
        raise invalid("submissions", "choose a zip, or a folder, of the class's submissions")
    entries = entries_from_upload(files, found.suite.language)
    if len(entries) > MAX_SUBMISSIONS:
        message = f"{len(entries)} submissions; a batch holds at most {MAX_SUBMISSIONS}"
        raise too_large("submissions", message)
    owner = owner_of(principal)
    batch_id = await intake.submit_batch(settings(), assignment_id, entries, owner, access, counter)
    return Redirect(f"/batches/{batch_id}", status_code=HTTP_303_SEE_OTHER)


@get("/batches/{batch_id:uuid}", guards=instructors, include_in_schema=False)
async def batch_page(batch_id: FromPath[uuid.UUID], access: NamedDependency[Scope]) -> Template:
    """Progress and one row per student; the page's script fills it in as results land."""
    found = await batch(batch_id, access)
    assignment = await detail(found.assignment_id, access)
    context = {"batch": found, "assignment": assignment, "labels": LABELS}
    return Template("batch.html", context=context)


@get("/batches/{batch_id:uuid}/events", guards=instructors, include_in_schema=False)
async def batch_events(
    batch_id: FromPath[uuid.UUID], access: NamedDependency[Scope]
) -> ServerSentEvent:
    """The batch view at every change, until it is completed (the API's event stream)."""
    await batch(batch_id, access)
    return ServerSentEvent(batch_messages(batch_id, access))
