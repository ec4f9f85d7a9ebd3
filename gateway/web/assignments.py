"""`/assignments/...`: an assignment's cases, students and batches; creating one, editing its
limits, regrading it and downloading its gradebooks. The same use cases as `/v1/assignments`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated

import anyio
import msgspec
from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from gateway.api.auth import owner_of
from gateway.api.problems import invalid, not_found
from gateway.api.routes.assignments import (
    SUITE_BODY_BYTES,
    record_assignment,
    small_enough,
    unpack,
)
from gateway.web.session import page_allow
from grading.documents import decode_document, listed_suite, suite_format
from grading.errors import SuiteError
from grading.gradebook import Policy
from grading.kattis import suite_from_package
from grading.kinds import AnySuite, plan
from runners import assignments, gradebooks, pages
from runners.access.counters import Counter
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.gradebooks import FORMATS, Format
from runners.pages import AssignmentDetail
from runners.settings import settings

Multipart = Body(media_type=RequestEncodingType.MULTI_PART)
Form = Body(media_type=RequestEncodingType.URL_ENCODED)
instructors = [page_allow("instructor")]


@dataclass
class NewAssignment:
    """The form that creates an assignment: a suite file or a zipped Kattis package."""

    suite: UploadFile
    name: str = ""


class Limits(msgspec.Struct, frozen=True):
    """The limits form: blank means the operator's default."""

    time_limit: str = ""
    memory_limit: str = ""


async def detail(assignment_id: uuid.UUID, access: Scope) -> AssignmentDetail:
    """The assignment as its page shows it, or a 404 page."""
    found = await pages.assignment_detail(assignment_id, access)
    if found is None:
        raise not_found("assignment", assignment_id)
    return found


@get("/assignments/{assignment_id:uuid}", guards=instructors, include_in_schema=False)
async def assignment_page(
    assignment_id: FromPath[uuid.UUID],
    access: NamedDependency[Scope],
    saved: FromQuery[bool] = False,
) -> Template:
    """Cases (hidden ones marked), students' latest and best scores, batches and downloads."""
    found = await detail(assignment_id, access)
    context = {
        "assignment": found,
        "cases": plan(found.suite),
        "formats": FORMATS,
        "saved": saved,
        "defaults": settings(),
    }
    return Template("assignment.html", context=context)


@post(
    "/assignments",
    guards=instructors,
    request_max_body_size=SUITE_BODY_BYTES,
    include_in_schema=False,
)
async def create_assignment(
    data: Annotated[NewAssignment, Multipart], access: NamedDependency[Scope]
) -> Redirect:
    """Record the uploaded suite or package and open the new assignment's page."""
    suite = await _suite_from(data.suite, data.name.strip() or None)
    name = data.name.strip() or suite.name
    created = await record_assignment(name, small_enough(suite), access)
    return Redirect(f"/assignments/{created.id}", status_code=HTTP_303_SEE_OTHER)


async def _suite_from(upload: UploadFile, name: str | None) -> AnySuite:
    content = await upload.read()
    filename = upload.filename or ""
    if not content:
        raise invalid("suite", "choose a suite file (JSON, TOML, YAML) or a Kattis package zip")
    try:
        if filename.lower().endswith(".zip"):
            files = await anyio.to_thread.run_sync(unpack, content, "suite")
            return listed_suite(files) or suite_from_package(files, name)
        return decode_document(content, suite_format(filename))
    except SuiteError as error:
        raise invalid("suite", f"{filename}: {error}") from None


@post("/assignments/{assignment_id:uuid}/limits", guards=instructors, include_in_schema=False)
async def edit_limits(
    assignment_id: FromPath[uuid.UUID],
    data: Annotated[Limits, Form],
    access: NamedDependency[Scope],
) -> Redirect:
    """Set the suite's time and memory limits; results recorded so far stay until a regrade."""
    found = await detail(assignment_id, access)
    suite = msgspec.structs.replace(
        found.suite,
        time_limit=_number("time_limit", data.time_limit, float),
        memory_limit=_whole(_number("memory_limit", data.memory_limit, int)),
    )
    await assignments.replace_suite(settings(), assignment_id, suite, access)
    return Redirect(f"/assignments/{assignment_id}?saved=true", status_code=HTTP_303_SEE_OTHER)


def _number(field: str, text: str, kind: type[int] | type[float]) -> float | None:
    """The positive number typed in a field, None when left blank, else a 422 naming it."""
    if not text.strip():
        return None
    try:
        value = kind(text.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise invalid(field, f"{text!r} is not {what}; leave it blank for the default") from None
    if value <= 0:
        raise invalid(field, "must be more than 0; leave it blank for the default")
    return value


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


@post("/assignments/{assignment_id:uuid}/regrade", guards=instructors, include_in_schema=False)
async def regrade(
    assignment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
    counter: NamedDependency[Counter],
) -> Redirect:
    """Grade every student's latest code again as a batch, and watch it."""
    await detail(assignment_id, access)
    batch = await assignments.regrade(
        settings(), assignment_id, access, counter, owner_of(principal), None
    )
    return Redirect(f"/batches/{batch}", status_code=HTTP_303_SEE_OTHER)


@get("/assignments/{assignment_id:uuid}/gradebook.csv", guards=instructors, include_in_schema=False)
async def gradebook(
    assignment_id: FromPath[uuid.UUID],
    access: NamedDependency[Scope],
    format: FromQuery[Format] = "plain",
    policy: FromQuery[Policy] = "latest",
) -> Response[str]:
    """The gradebook as a CSV download, as `/v1/assignments/{id}/gradebook.csv` renders it."""
    found = await detail(assignment_id, access)
    graded = await gradebooks.rows(assignment_id, access)
    text = gradebooks.render(format, found.name, graded, policy)
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{found.name}-{format}-{policy}") + ".csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
