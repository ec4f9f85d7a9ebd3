"""Assignments: suites to grade against, their replacement and regrading, and gradebooks.

Each is in one course; a key reads and changes only its own courses' (see `runners.access.scope`).
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
from gateway.api.problems import invalid, too_large
from gateway.api.schemas import (
    AssignmentCreate,
    Created,
    PackageUpload,
    Regrade,
)
from grading.documents import decode_document
from grading.errors import SuiteError
from grading.gradebook import Format, Policy
from grading.kattis import suite_from_package
from grading.kinds import AnySuite
from grading.scoring import plan
from grading.suite import Suite
from runners import assignments, gradebooks
from runners.access import courses
from runners.access.counters import Counter
from runners.access.principal import Principal
from runners.access.scope import Scope
from runners.assignments import AssignmentCreated, AssignmentView
from runners.errors import RequestError
from runners.sandbox.languages import extension_map
from runners.settings import settings
from runners.store.states import WorkState
from runners.webhooks import checked_callback

MAX_CASES = 500
"""Cases one suite may have."""
SUITE_BODY_BYTES = 32 * 1024 * 1024
"""Largest suite document or zipped Kattis package a request may carry."""
MAX_PACKAGE_FILES = 2000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""A zip that unpacks to more than this is refused before it is read further (zip bombs)."""


def _suite_of(document: dict[str, object]) -> AnySuite:
    suite = decode_document(msgspec.json.encode(document), "json")
    return small_enough(suite)


def small_enough(suite: AnySuite) -> AnySuite:
    """The suite, unless it has more cases than one assignment may (a unit suite's tests are
    counted once its reference run lists them)."""
    count = len(plan(suite)) if isinstance(suite, Suite) else 0
    if count > MAX_CASES:
        raise too_large("suite", f"{count} cases; a suite has at most {MAX_CASES}")
    return suite


async def record_assignment(
    name: str, suite: AnySuite, access: Scope, course_id: uuid.UUID | None = None
) -> AssignmentCreated:
    """Record a checked suite as a new assignment, naming a refused limit as a suite field.

    It goes to `course_id`, or to the caller's only course (`courses.course_for`).
    """
    course = await courses.course_for(access, course_id)
    with _in_suite():
        return await assignments.create(settings(), name, suite, course)


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
) -> AssignmentCreated:
    """Record an assignment from a suite document, in the key's course or in `course_id`."""
    return await record_assignment(data.name, _suite_of(data.suite), access, data.course_id)


@get("/assignments", guards=[allow("instructor", "student")])
async def list_assignments(access: NamedDependency[Scope]) -> list[AssignmentCreated]:
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
) -> AssignmentCreated:
    """Record an assignment from a zipped Kattis problem package (form field `package`)."""
    course_id = data.course()
    files = await anyio.to_thread.run_sync(unpack, await data.package.read())
    try:
        suite = suite_from_package(files, data.name, extension_map())
    except SuiteError as error:
        raise invalid("package", str(error)) from None
    name = data.name or suite.name
    return await record_assignment(name, small_enough(suite), access, course_id)


def unpack(archive: bytes, field: str = "package") -> dict[str, bytes]:
    """Every file in a zip, refusing too many files or too many bytes once unpacked.

    `field` names the form field the zip came in, in any refusal.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as package:
            members = [info for info in package.infolist() if not info.is_dir()]
            if len(members) > MAX_PACKAGE_FILES:
                message = f"{len(members)} files; a zip has at most {MAX_PACKAGE_FILES}"
                raise too_large(field, message)
            return dict(_read_bounded(package, members, field))
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as error:
        raise invalid(field, f"not a readable zip archive: {error}") from None


def _read_bounded(
    package: zipfile.ZipFile, members: list[zipfile.ZipInfo], field: str
) -> Iterator[tuple[str, bytes]]:
    """Read members until the budget is spent: sizes in the headers may lie, reads do not."""
    budget = MAX_UNPACKED_BYTES
    for info in members:
        with package.open(info) as member:
            content = member.read(budget + 1)
        budget -= len(content)
        if budget < 0:
            raise too_large(field, f"unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        yield info.filename, content


@get("/assignments/{assignment_id:uuid}", guards=[allow("instructor")])
async def read_assignment(
    assignment_id: FromPath[uuid.UUID], access: NamedDependency[Scope]
) -> AssignmentView:
    """The assignment and its current suite document."""
    return await assignments.view(assignment_id, access)


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
        return await assignments.replace_suite(settings(), assignment_id, suite, access)


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
    batch = await assignments.regrade(
        settings(), assignment_id, access, counter, owner_of(principal), callback
    )
    return Created(batch, WorkState.QUEUED)


@get("/assignments/{assignment_id:uuid}/gradebook.csv", guards=[allow("instructor")])
async def gradebook(
    assignment_id: FromPath[uuid.UUID],
    access: NamedDependency[Scope],
    format: FromQuery[Format] = "plain",
    policy: FromQuery[Policy] = "latest",
) -> Stream:
    """The gradebook as CSV: `plain`, or ready to import into Canvas or Moodle."""
    name = await assignments.name_of(assignment_id, access)
    graded = await gradebooks.rows(assignment_id, access)
    text = gradebooks.render(format, name, graded, policy)
    filename = f"gradebook-{assignment_id}-{format}.csv"
    return Stream(
        iter(text.splitlines(keepends=True)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
