"""Assignments: suites to grade against, their replacement and regrading, and gradebooks."""

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
    AssignmentCreated,
    AssignmentView,
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
from runners import gradebooks, pipeline
from runners.errors import RequestError
from runners.gradebooks import Format
from runners.keys import Principal
from runners.pipeline import Entry
from runners.sandbox.languages import extension_map
from runners.settings import settings
from runners.store.tables import Assignment, Submission

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


async def _create(name: str, suite: Suite) -> AssignmentCreated:
    with _in_suite():
        assignment_id = await pipeline.create_assignment(settings(), name, suite)
    return AssignmentCreated(id=assignment_id, name=name, version=1)


@contextlib.contextmanager
def _in_suite() -> Iterator[None]:
    """Name a refused limit or language as a field of the suite."""
    try:
        yield
    except RequestError as error:
        message = str(error).removeprefix(f"{error.field}: ")
        raise invalid(f"suite.{error.field}", message) from None


@post("/assignments", guards=[allow("instructor")], request_max_body_size=SUITE_BODY_BYTES)
async def create_assignment(data: JSONBody[AssignmentCreate]) -> AssignmentCreated:
    """Record an assignment from a suite document."""
    return await _create(data.name, _suite_of(data.suite))


@post(
    "/assignments/package",
    guards=[allow("instructor")],
    request_max_body_size=SUITE_BODY_BYTES,
    status_code=HTTP_201_CREATED,
)
async def create_from_package(
    data: MultipartBody[PackageUpload],
) -> AssignmentCreated:
    """Record an assignment from a zipped Kattis problem package (form field `package`)."""
    files = await anyio.to_thread.run_sync(unpack, await data.package.read())
    try:
        suite = suite_from_package(files, data.name, extension_map())
    except SuiteError as error:
        raise invalid("package", str(error)) from None
    return await _create(data.name or suite.name, _small_enough(suite))


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
async def read_assignment(assignment_id: FromPath[uuid.UUID]) -> AssignmentView:
    """The assignment and its current suite document."""
    return await _view(assignment_id)


async def _view(assignment_id: uuid.UUID) -> AssignmentView:
    row = (
        await Assignment.select(Assignment.name, Assignment.version, Assignment.suite)
        .where(Assignment.id == assignment_id)
        .first()
    )
    if row is None:
        raise not_found("assignment", assignment_id)
    return AssignmentView(
        id=assignment_id,
        name=row["name"],
        version=row["version"],
        suite=msgspec.json.decode(row["suite"]),
    )


@put(
    "/assignments/{assignment_id:uuid}/suite",
    guards=[allow("instructor")],
    request_max_body_size=SUITE_BODY_BYTES,
)
async def replace_suite(
    assignment_id: FromPath[uuid.UUID], data: JSONBody[dict[str, object]]
) -> AssignmentView:
    """Replace the suite; recorded results stay until a regrade."""
    suite = _suite_of(data)
    if not await Assignment.exists().where(Assignment.id == assignment_id):
        raise not_found("assignment", assignment_id)
    with _in_suite():
        await pipeline.replace_suite(settings(), assignment_id, suite)
    return await _view(assignment_id)


@post(
    "/assignments/{assignment_id:uuid}/regrade",
    guards=[allow("instructor")],
    status_code=HTTP_202_ACCEPTED,
)
async def regrade(
    assignment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    data: JSONBody[Regrade | None] = None,
) -> Created:
    """Grade every student's latest submission again, against the current suite, as a batch."""
    callback = checked_callback(data.callback_url if data else None)
    entries = await _latest_entries(assignment_id)
    if not entries:
        raise problem(409, f"assignment {assignment_id} has no submissions to regrade")
    accepted = await accept_and_enqueue(
        assignment_id, entries, owner_of(principal), batch=True, callback_url=callback
    )
    assert accepted.batch is not None  # accept(batch=True) always writes a batch
    return Created(accepted.batch, "queued")


async def _latest_entries(assignment_id: uuid.UUID) -> list[Entry]:
    """Each student's latest code for the assignment."""
    if not await Assignment.exists().where(Assignment.id == assignment_id):
        raise not_found("assignment", assignment_id)
    rows = (
        await Submission.select(Submission.student, Submission.code, Submission.language)
        .where(Submission.assignment == assignment_id)
        .order_by(Submission.submitted_at, ascending=False)
    )
    latest: dict[str, Entry] = {}
    for row in rows:
        latest.setdefault(row["student"], Entry(**row))
    return list(latest.values())


@get("/assignments/{assignment_id:uuid}/gradebook.csv", guards=[allow("instructor")])
async def gradebook(
    assignment_id: FromPath[uuid.UUID],
    format: FromQuery[Format] = "plain",
    policy: FromQuery[Policy] = "latest",
) -> Stream:
    """The gradebook as CSV: `plain`, or ready to import into Canvas or Moodle."""
    row = await Assignment.select(Assignment.name).where(Assignment.id == assignment_id).first()
    if row is None:
        raise not_found("assignment", assignment_id)
    text = gradebooks.render(format, row["name"], await gradebooks.rows(assignment_id), policy)
    filename = f"gradebook-{assignment_id}-{format}.csv"
    return Stream(
        iter(text.splitlines(keepends=True)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
