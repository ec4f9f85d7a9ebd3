"""Every route for every kind of caller: who gets in (2xx), who is unknown (401), who is
refused (403), and who is told that what belongs to others does not exist (404).

Two courses: the world (assignment, submissions, batch, delivery, run, a student's key) is in
the course of the instructor and students, beside an admin key and an instructor key of both
courses; `other-course-instructor` and `other-course-student` belong to the other course, and
every id they are shown is one of the first course's. What they get is what they would get for
ids that name nothing at all, and none of the first course's hidden test data ever reaches them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from runners.store.tables import Delivery
from tests.gateway.world import SECRETS, Keys, World, package_zip, suite_document

Call = tuple[str, str, dict[str, Any]]
Route = Callable[[World, Keys], Awaitable[Call]]
ROUTES: dict[str, Route] = {}
EXPECTED: dict[str, tuple[str, str, str, str, str]] = {}
"""What admin, instructor and student, then the other course's instructor and student, get."""
OPEN = {"healthz", "readyz", "schema"}
OTHER_COURSE = ("other-course-instructor", "other-course-student")


def route(
    name: str, admin: str, instructor: str, student: str, other_instructor: str, other_student: str
) -> Callable[[Route], Route]:
    """Register a route's call and what each role of each course gets from it."""

    def register(call: Route) -> Route:
        ROUTES[name] = call
        EXPECTED[name] = (admin, instructor, student, other_instructor, other_student)
        return call

    return register


@route("languages", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _languages(w: World, k: Keys) -> Call:
    return "GET", "/v1/languages", {}


@route("list-courses", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _list_courses(w: World, k: Keys) -> Call:
    return "GET", "/v1/courses", {}


@route("create-course", "2xx", "403", "403", "403", "403")
async def _create_course(w: World, k: Keys) -> Call:
    return "POST", "/v1/courses", {"json": {"name": f"c-{uuid.uuid4().hex[:8]}"}}


@route("set-course-quota", "2xx", "403", "403", "403", "403")
async def _set_quota(w: World, k: Keys) -> Call:
    body = {"submissions_per_hour": None}
    return "PUT", f"/v1/courses/{w.course}/quota", {"json": body}


@route("list-keys", "2xx", "2xx", "403", "2xx", "403")
async def _list_keys(w: World, k: Keys) -> Call:
    return "GET", "/v1/keys", {}


@route("revoke-a-students-key", "2xx", "2xx", "403", "404", "403")
async def _revoke_student_key(w: World, k: Keys) -> Call:
    return "POST", f"/v1/keys/{w.student_key}/revoke", {}


@route("revoke-an-admin-key", "2xx", "404", "403", "404", "403")
async def _revoke_admin_key(w: World, k: Keys) -> Call:
    return "POST", f"/v1/keys/{w.admin_key}/revoke", {}


@route("revoke-a-key-reaching-another-course", "2xx", "404", "403", "404", "403")
async def _revoke_shared_key(w: World, k: Keys) -> Call:
    return "POST", f"/v1/keys/{w.shared_key}/revoke", {}


@route("create-run", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _create_run(w: World, k: Keys) -> Call:
    return "POST", "/v1/runs", {"json": {"code": "print(1)"}}


@route("read-instructors-run", "2xx", "2xx", "404", "404", "404")
async def _read_run(w: World, k: Keys) -> Call:
    return "GET", f"/v1/runs/{w.run}", {}


@route("list-assignments", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _list_assignments(w: World, k: Keys) -> Call:
    return "GET", "/v1/assignments", {}


@route("create-assignment", "2xx", "2xx", "403", "422", "403")
async def _create_assignment(w: World, k: Keys) -> Call:
    body = {"name": "a", "suite": suite_document("a"), "course_id": w.course}
    return "POST", "/v1/assignments", {"json": body}


@route("create-assignment-from-package", "2xx", "2xx", "403", "422", "403")
async def _create_from_package(w: World, k: Keys) -> Call:
    files = {"package": ("addition.zip", package_zip(), "application/zip")}
    return "POST", "/v1/assignments/package", {"files": files, "data": {"course_id": w.course}}


@route("read-assignment", "2xx", "2xx", "403", "404", "403")
async def _read_assignment(w: World, k: Keys) -> Call:
    return "GET", f"/v1/assignments/{w.assignment}", {}


@route("replace-suite", "2xx", "2xx", "403", "404", "403")
async def _replace_suite(w: World, k: Keys) -> Call:
    return "PUT", f"/v1/assignments/{w.assignment}/suite", {"json": suite_document("b")}


@route("regrade", "2xx", "2xx", "403", "404", "403")
async def _regrade(w: World, k: Keys) -> Call:
    return "POST", f"/v1/assignments/{w.assignment}/regrade", {"json": {}}


@route("gradebook", "2xx", "2xx", "403", "404", "403")
async def _gradebook(w: World, k: Keys) -> Call:
    return "GET", f"/v1/assignments/{w.assignment}/gradebook.csv?format=canvas", {}


@route("submit-for-the-keys-student", "2xx", "2xx", "2xx", "404", "404")
async def _submit(w: World, k: Keys) -> Call:
    body = {"student": k.student, "code": "print(5)"}
    return "POST", f"/v1/assignments/{w.assignment}/submissions", {"json": body}


@route("submit-for-another-student", "2xx", "2xx", "403", "404", "403")
async def _submit_other(w: World, k: Keys) -> Call:
    body = {"student": k.other_student, "code": "print(5)"}
    return "POST", f"/v1/assignments/{w.assignment}/submissions", {"json": body}


@route("read-own-submission", "2xx", "2xx", "2xx", "404", "404")
async def _read_own(w: World, k: Keys) -> Call:
    return "GET", f"/v1/submissions/{w.submission}", {}


@route("read-another-students-submission", "2xx", "2xx", "404", "404", "404")
async def _read_other(w: World, k: Keys) -> Call:
    return "GET", f"/v1/submissions/{w.other_submission}", {}


@route("create-batch", "2xx", "2xx", "403", "404", "403")
async def _create_batch(w: World, k: Keys) -> Call:
    body = {"assignment_id": w.assignment, "submissions": [{"student": "x", "code": "print()"}]}
    return "POST", "/v1/batches", {"json": body}


@route("read-batch", "2xx", "2xx", "403", "404", "403")
async def _read_batch(w: World, k: Keys) -> Call:
    return "GET", f"/v1/batches/{w.batch}", {}


@route("batch-events", "2xx", "2xx", "403", "404", "403")
async def _batch_events(w: World, k: Keys) -> Call:
    return "GET", f"/v1/batches/{w.batch}/events", {}


@route("batch-deliveries", "2xx", "2xx", "403", "404", "403")
async def _deliveries(w: World, k: Keys) -> Call:
    return "GET", f"/v1/batches/{w.batch}/deliveries", {}


@route("redeliver", "2xx", "2xx", "403", "404", "403")
async def _redeliver(w: World, k: Keys) -> Call:
    await Delivery.update({Delivery.status: "failed"}).where(Delivery.id == w.delivery)
    return "POST", f"/v1/batches/{w.batch}/deliveries/{w.delivery}/redeliver", {}


@route("metrics", "2xx", "2xx", "403", "2xx", "403")
async def _metrics(w: World, k: Keys) -> Call:
    return "GET", "/metrics", {}


@route("judge0-create-submission", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _judge0_submit(w: World, k: Keys) -> Call:
    return "POST", "/submissions", {"json": {"source_code": "print(1)", "language_id": 71}}


@route("judge0-create-batch", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _judge0_batch(w: World, k: Keys) -> Call:
    body = {"submissions": [{"source_code": "print(1)", "language_id": 71}] * 2}
    return "POST", "/submissions/batch", {"json": body}


@route("judge0-read-instructors-run", "2xx", "2xx", "404", "404", "404")
async def _judge0_read(w: World, k: Keys) -> Call:
    return "GET", f"/submissions/{w.run}?fields=*", {}


@route("judge0-read-batch", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _judge0_read_batch(w: World, k: Keys) -> Call:
    return "GET", f"/submissions/batch?tokens={w.run}", {}


@route("judge0-languages", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _judge0_languages(w: World, k: Keys) -> Call:
    return "GET", "/languages", {}


@route("judge0-language", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _judge0_language(w: World, k: Keys) -> Call:
    return "GET", "/languages/71", {}


@route("judge0-statuses", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _judge0_statuses(w: World, k: Keys) -> Call:
    return "GET", "/statuses", {}


@route("judge0-about", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _judge0_about(w: World, k: Keys) -> Call:
    return "GET", "/about", {}


@route("judge0-config-info", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _judge0_config(w: World, k: Keys) -> Call:
    return "GET", "/config_info", {}


@route("piston-runtimes", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _piston_runtimes(w: World, k: Keys) -> Call:
    return "GET", "/api/v2/runtimes", {}


@route("piston-execute-unknown-language", "422", "422", "422", "422", "422")
async def _piston_execute(w: World, k: Keys) -> Call:
    """Past the key, refused for its language: a run would need a worker, which is not here."""
    body = {"language": "cobol", "version": "*", "files": [{"content": "x"}]}
    return "POST", "/api/v2/execute", {"json": body}


@route("healthz", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _healthz(w: World, k: Keys) -> Call:
    return "GET", "/healthz", {}


@route("readyz", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _readyz(w: World, k: Keys) -> Call:
    return "GET", "/readyz", {}


@route("schema", "2xx", "2xx", "2xx", "2xx", "2xx")
async def _schema(w: World, k: Keys) -> Call:
    return "GET", "/schema/openapi.json", {}


def _cases() -> list[Any]:
    cases = []
    for name, (admin, instructor, student, other_instructor, other_student) in EXPECTED.items():
        anonymous = "2xx" if name in OPEN else "401"
        expected = {
            "admin": admin,
            "instructor": instructor,
            "student": student,
            "other-course-instructor": other_instructor,
            "other-course-student": other_student,
            "no-key": anonymous,
            "bad-key": anonymous,
        }
        cases += [pytest.param(name, role, e, id=f"{name}-{role}") for role, e in expected.items()]
    return cases


def nowhere() -> World:
    """A world of ids that name nothing."""
    return World(**{field: str(uuid.uuid4()) for field in World.__struct_fields__})


def status_class(code: int) -> str:
    """`2xx` for any success, else the code itself."""
    return "2xx" if 200 <= code < 300 else str(code)


@pytest.mark.parametrize(("name", "role", "expected"), _cases())
async def test_route_answers_each_role(
    api: httpx.AsyncClient, api_keys: Keys, world: World, name: str, role: str, expected: str
) -> None:
    method, url, options = await ROUTES[name](world, api_keys)
    answer = await api.request(method, url, headers=api_keys[role], **options)
    assert status_class(answer.status_code) == expected, answer.text
    if not answer.is_success:
        assert answer.headers["content-type"].startswith("application/problem+json")
    if role in ("student", *OTHER_COURSE):
        assert not any(secret in answer.text for secret in SECRETS), answer.text


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def without_ids(text: str) -> str:
    """The text with every id blotted out, to compare answers about different ids."""
    return UUID_TEXT.sub("<id>", text)


@pytest.mark.parametrize(
    ("name", "role"), [pytest.param(n, r, id=f"{n}-{r}") for n in ROUTES for r in OTHER_COURSE]
)
async def test_another_courses_ids_answer_as_ids_that_name_nothing(
    api: httpx.AsyncClient, api_keys: Keys, world: World, name: str, role: str
) -> None:
    method, url, options = await ROUTES[name](world, api_keys)
    theirs = await api.request(method, url, headers=api_keys[role], **options)
    method, url, options = await ROUTES[name](nowhere(), api_keys)
    missing = await api.request(method, url, headers=api_keys[role], **options)
    assert status_class(theirs.status_code) == status_class(missing.status_code), theirs.text
    if not theirs.is_success:
        assert without_ids(theirs.text) == without_ids(missing.text)


@pytest.mark.parametrize(
    ("role", "expected"), [("instructor", 200), ("student", 404), ("bad-key", 401)]
)
async def test_x_auth_token_carries_a_key_as_a_bearer_header_does(
    api: httpx.AsyncClient, api_keys: Keys, world: World, role: str, expected: int
) -> None:
    key = api_keys[role]["Authorization"].removeprefix("Bearer ")
    answer = await api.get(f"/v1/runs/{world.run}", headers={"X-Auth-Token": key})
    assert answer.status_code == expected, answer.text
