"""Fixtures for the HTTP API tests: the gateway in this event loop, keys for every role in two
courses, and graded work to read, marked graded through `runners.pipeline` (no worker runs
containers)."""

from __future__ import annotations

import asyncio
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import docker
import httpx
import msgspec
import pytest
from redis.asyncio import Redis

from gateway.api.app import create_app
from grading.outcome import Verdict
from grading.results import CaseResult
from runners import courses, pipeline, webhooks
from runners.keys import NewKey, create_key
from runners.queue import heartbeats
from runners.settings import settings
from runners.store.database import DB
from runners.store.tables import CaseRun, Delivery

PACKAGES = Path(__file__).parent.parent / "grading" / "packages"
SECRETS = ("SECRET-STDIN", "SECRET-EXPECTED", "SECRET-ACTUAL", "SECRET-DIFF", "SECRET-MESSAGE")
"""What a hidden case holds; no student may ever see any of it."""


@pytest.fixture(scope="session", autouse=True)
async def live_worker(docker_engine: docker.DockerClient) -> AsyncIterator[Redis]:
    """This test process announced as a worker whose engine answers, as a worker's reconciler
    does, so the gateway is ready; the announcement is withdrawn afterwards."""
    redis = Redis.from_url(settings().redis_url)
    await heartbeats.beat(redis, docker_ok=bool(docker_engine.ping()), ttl=3600)
    yield redis
    for key in await heartbeats.workers(redis):
        await redis.delete(f"{heartbeats.PREFIX}{key}")
    await redis.aclose()


@pytest.fixture(scope="session")
async def api(database: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway, its lifespan running in the tests' own event loop.

    Litestar's AsyncTestClient runs the app on a loop of its own, where the session's Postgres
    pool cannot be used; so the gateway's lifespan takes the pool over and gives it back after.
    The lifespan runs in a task of its own: it must end in the task it started in.
    """
    await DB.close_connection_pool()
    app = create_app()
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    server = asyncio.create_task(serve())
    await started.wait()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client
    stop.set()
    await server
    await DB.start_connection_pool()


class Keys:
    """Authorization headers for each kind of caller, the students the student keys are, and
    the two courses: `course` (the instructor's and students') and `other_course`, whose
    keys are `other-course-instructor` and `other-course-student`."""

    def __init__(
        self, keys: dict[str, NewKey], student: str, other: str, course: str, other_course: str
    ) -> None:
        self.ids = {role: key.id for role, key in keys.items()}
        self.headers = {role: {"Authorization": f"Bearer {k.key}"} for role, k in keys.items()}
        self.headers["no-key"] = {}
        self.headers["bad-key"] = {"Authorization": "Bearer oops_" + "x" * 43}
        self.student = student
        self.other_student = other
        self.course = course
        self.other_course = other_course

    def __getitem__(self, role: str) -> dict[str, str]:
        return self.headers[role]


@pytest.fixture
async def api_keys(database: None) -> Keys:
    """Fresh keys: an admin; an instructor, a student and another student of a new course; an
    instructor and a student (with the same student id) of a second new course."""
    student, other = f"s-{uuid.uuid4().hex[:8]}", f"o-{uuid.uuid4().hex[:8]}"
    course = await courses.create(f"course-{uuid.uuid4().hex[:8]}")
    elsewhere = await courses.create(f"other-{uuid.uuid4().hex[:8]}")
    keys = {
        "admin": await create_key("admin"),
        "instructor": await create_key("instructor", course_ids=[course.id]),
        "student": await create_key("student", student, [course.id]),
        "other-student": await create_key("student", other, [course.id]),
        "other-course-instructor": await create_key("instructor", course_ids=[elsewhere.id]),
        "other-course-student": await create_key("student", student, [elsewhere.id]),
    }
    return Keys(keys, student, other, str(course.id), str(elsewhere.id))


def suite_document(name: str) -> dict[str, Any]:
    """A suite with a visible case and a hidden one whose data is secret."""
    return {
        "name": name,
        "cases": [
            {"name": "visible", "stdin": "1\n", "expected_output": "1\n"},
            {
                "name": "hidden",
                "visibility": "hidden",
                "stdin": "SECRET-STDIN\n",
                "expected_output": "SECRET-EXPECTED\n",
            },
        ],
    }


def package_zip(name: str = "addition") -> bytes:
    """A Kattis problem package from the grading tests, zipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((PACKAGES / name).rglob("*")):
            if path.is_file():
                archive.write(path, f"{name}/{path.relative_to(PACKAGES / name)}")
    return buffer.getvalue()


def _result(case_name: str) -> CaseResult:
    if case_name != "hidden":
        return CaseResult(name=case_name, verdict=Verdict.PASSED, points=1.0, max_points=1.0)
    stdin, expected, actual, diff, message = SECRETS
    return CaseResult(
        name=case_name,
        verdict=Verdict.WRONG_ANSWER,
        points=0.0,
        max_points=1.0,
        visibility="hidden",
        stdin=stdin,
        expected_output=expected,
        actual_output=actual,
        diff=diff,
        message=message,
    )


async def grade(submission_ids: list[uuid.UUID]) -> None:
    """Record every case as a worker would (visible passes, hidden fails) and settle."""
    for submission_id in submission_ids:
        rows = await CaseRun.select(CaseRun.id, CaseRun.case_name).where(
            CaseRun.submission == submission_id
        )
        for row in rows:
            await pipeline.record(row["id"], _result(row["case_name"]))
        await pipeline.settle(submission_id)


class World(msgspec.Struct, kw_only=True):
    """Graded work to read in one course: an assignment, each student's submission, a batch,
    a webhook delivery about it, a run."""

    course: str
    assignment: str
    submission: str
    other_submission: str
    batch: str
    delivery: str
    run: str


async def created(api: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any) -> str:
    """POST `body` and return the id of what was created."""
    answer = await api.post(path, json=body, headers=headers)
    assert answer.is_success, answer.text
    return str(answer.json()["id"])


async def new_assignment(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    """An assignment with a fresh name and the secret-holding suite."""
    name = f"assignment-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "suite": suite_document(name)}
    return await created(api, headers, "/v1/assignments", body)


@pytest.fixture
async def world(api: httpx.AsyncClient, api_keys: Keys) -> World:
    """An assignment with graded submissions of both students, a completed batch with a failed
    webhook delivery, and a run the instructor asked for."""
    teacher = api_keys["instructor"]
    assignment = await new_assignment(api, teacher)
    submit = f"/v1/assignments/{assignment}/submissions"
    mine = await created(api, api_keys["student"], submit, {"code": "print(1)"})
    theirs = await created(api, api_keys["other-student"], submit, {"code": "print(2)"})
    entries = [{"student": api_keys.student, "code": "print(3)"}]
    body = {"assignment_id": assignment, "submissions": entries}
    batch = await created(api, teacher, "/v1/batches", body)
    batch_view = (await api.get(f"/v1/batches/{batch}", headers=teacher)).json()
    in_batch = [uuid.UUID(s["id"]) for s in batch_view["submissions"]]
    await grade([uuid.UUID(mine), uuid.UUID(theirs), *in_batch])
    delivery = await failed_delivery(batch, api_keys.ids["instructor"], api_keys.course)
    run = await created(api, teacher, "/v1/runs", {"code": "print(4)"})
    return World(
        course=api_keys.course,
        assignment=assignment,
        submission=mine,
        other_submission=theirs,
        batch=batch,
        delivery=str(delivery),
        run=run,
    )


async def failed_delivery(batch: str, key_id: uuid.UUID, course: str) -> uuid.UUID:
    """A webhook about the batch whose retries are spent, ready to be redelivered."""
    url = "http://127.0.0.1:9/hook"
    delivery = await webhooks.enqueue(
        batch, "batch.completed", url, {"id": batch}, key_id, uuid.UUID(course)
    )
    await Delivery.update({Delivery.status: "failed"}).where(Delivery.id == delivery)
    return delivery
