"""Assignments: suites to grade against, their replacement and regrading, and gradebooks.

Each is in one course; a key reads and changes only its own courses' (see `runners.scope`).
"""

from __future__ import annotations

import contextlib
import io
import uuid
import zipfile
import zlib
from collections.abc import Iterator

import anyio
import msgspec
from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from litestar.response import Stream
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from gateway.api.auth import allow, owner_of
from gateway.api.problems import invalid, not_found, problem, too_large
from gateway.api.routes.submissions import accept_and_enqueue
from gateway.api.schemas import (
    AssignmentCreate,
    Created,
    PackageUpload,
    Regrade,
    checked_callback,
)
from grading.documents import decode_suite
from grading.errors import SuiteError
from grading.gradebook import Policy
from grading.kattis import suite_from_package
from grading.scoring import plan
from grading.suite import Suite
from runners import assignments, courses, gradebooks, pipeline
from runners.assignments import AssignmentSummary, AssignmentView
from runners.counters import Counter
from runners.errors import RequestError
from runners.gradebooks import Format
from runners.keys import Principal
from runners.scope import Scope
from runners.settings import settings

MAX_CASES = 500
"""Cases one suite may have."""
SUITE_BODY_BYTES = 32 * 1024 * 1024
"""Largest suite document or zipped Kattis package a request may carry."""
MAX_PACKAGE_FILES = 2000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""A zip that unpacks to more than this is refused before it is read further (zip bombs)."""


def _suite_of(document: dict[str, object]) -> Suite:
    suite = decode_suite(msgspec.json.encode(document), "json")
    return _small_enough(suite)


def _small_enough(suite: Suite) -> Suite:
    count = len(plan(suite))
    if count > MAX_CASES:
        raise too_large("suite", f"{count} cases; a suite has at most {MAX_CASES}")
    return suite


async def _create(
    name: str, suite: Suite, scope: Scope, course_id: uuid.UUID | None
) -> AssignmentSummary:
    course = await courses.course_for(scope, course_id)
    with _in_suite():
        assignment_id = await pipeline.create_assignment(settings(), name, suite, course)
    return AssignmentSummary(id=assignment_id, name=name, version=1, course_id=course)


@contextlib.contextmanager
def _in_suite() -> Iterator[None]:
    """Name a refused limit or language as a field of the suite."""
    try:
        yield
    except RequestError as error:
        message = str(error).removeprefix(f"{error.field}: ")
        raise invalid(f"suite.{error.field}", message) from None


@post("/assignments", guards=[allow("instructor")], request_max_body_size=SUITE_BODY_BYTES)
async def create_assignment(
    data: JSONBody[AssignmentCreate], access: NamedDependency[Scope]
) -> AssignmentSummary:
    """Record an assignment from a suite document, in the key's course or in `course_id`."""
    return await _create(data.name, _suite_of(data.suite), access, data.course_id)


@get("/assignments", guards=[allow("instructor", "student")])
async def list_assignments(access: NamedDependency[Scope]) -> list[AssignmentSummary]:
    """The assignments of the caller's courses, newest first, without their suites."""
    return await assignments.listing(access)


@post(
    "/assignments/package",
    guards=[allow("instructor")],
    request_max_body_size=SUITE_BODY_BYTES,
    status_code=HTTP_201_CREATED,
)
async def create_from_package(
    data: MultipartBody[PackageUpload], access: NamedDependency[Scope]
) -> AssignmentSummary:
    """Record an assignment from a zipped Kattis problem package (form field `package`)."""
    course_id = data.course()
    files = await anyio.to_thread.run_sync(unpack, await data.package.read())
    try:
        suite = suite_from_package(files, data.name)
    except SuiteError as error:
        raise invalid("package", str(error)) from None
    return await _create(data.name or suite.name, _small_enough(suite), access, course_id)


def unpack(archive: bytes) -> dict[str, bytes]:
    """Every file in a zip, refusing too many files or too many bytes once unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as package:
            members = [info for info in package.infolist() if not info.is_dir()]
            if len(members) > MAX_PACKAGE_FILES:
                message = f"{len(members)} files; a package has at most {MAX_PACKAGE_FILES}"
                raise too_large("package", message)
            return dict(_read_bounded(package, members))
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as error:
        raise invalid("package", f"not a readable zip archive: {error}") from None


def _read_bounded(
    package: zipfile.ZipFile, members: list[zipfile.ZipInfo]
) -> Iterator[tuple[str, bytes]]:
    """Read members until the budget is spent: sizes in the headers may lie, reads do not."""
    budget = MAX_UNPACKED_BYTES
    for info in members:
        with package.open(info) as member:
            content = member.read(budget + 1)
        budget -= len(content)
        if budget < 0:
            raise too_large("package", f"unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        yield info.filename, content


@get("/assignments/{assignment_id:uuid}", guards=[allow("instructor")])
async def read_assignment(
    assignment_id: FromPath[uuid.UUID], access: NamedDependency[Scope]
) -> AssignmentView:
    """The assignment and its current suite document."""
    return await _view(assignment_id, access)


async def _view(assignment_id: uuid.UUID, access: Scope) -> AssignmentView:
    view = await assignments.view(assignment_id, access)
    if view is None:
        raise not_found("assignment", assignment_id)
    return view


@put(
    "/assignments/{assignment_id:uuid}/suite",
    guards=[allow("instructor")],
    request_max_body_size=SUITE_BODY_BYTES,
)
async def replace_suite(
    assignment_id: FromPath[uuid.UUID],
    data: JSONBody[dict[str, object]],
    access: NamedDependency[Scope],
) -> AssignmentView:
    """Replace the suite; recorded results stay until a regrade."""
    suite = _suite_of(data)
    with _in_suite():
        if not await pipeline.replace_suite(settings(), assignment_id, suite, access):
            raise not_found("assignment", assignment_id)
    return await _view(assignment_id, access)


@post(
    "/assignments/{assignment_id:uuid}/regrade",
    guards=[allow("instructor")],
    status_code=HTTP_202_ACCEPTED,
)
async def regrade(
    assignment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    access: NamedDependency[Scope],
    counter: NamedDependency[Counter],
    data: JSONBody[Regrade | None] = None,
) -> Created:
    """Grade every student's latest submission again, against the current suite, as a batch."""
    callback = checked_callback(data.callback_url if data else None)
    entries = await assignments.latest_entries(assignment_id, access)
    if entries is None:
        raise not_found("assignment", assignment_id)
    if not entries:
        raise problem(409, f"assignment {assignment_id} has no submissions to regrade")
    accepted = await accept_and_enqueue(
        assignment_id,
        entries,
        owner_of(principal),
        access,
        counter,
        batch=True,
        callback_url=callback,
    )
    assert accepted.batch is not None  # accept(batch=True) always writes a batch
    return Created(accepted.batch, "queued")


@get("/assignments/{assignment_id:uuid}/gradebook.csv", guards=[allow("instructor")])
async def gradebook(
    assignment_id: FromPath[uuid.UUID],
    access: NamedDependency[Scope],
    format: FromQuery[Format] = "plain",
    policy: FromQuery[Policy] = "latest",
) -> Stream:
    """The gradebook as CSV: `plain`, or ready to import into Canvas or Moodle."""
    found = await assignments.summary(assignment_id, access)
    if found is None:
        raise not_found("assignment", assignment_id)
    graded = await gradebooks.rows(assignment_id, access)
    text = gradebooks.render(format, found.name, graded, policy)
    filename = f"gradebook-{assignment_id}-{format}.csv"
    return Stream(
        iter(text.splitlines(keepends=True)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
