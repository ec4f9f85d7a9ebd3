"""Fixtures for the HTTP API tests: the gateway in this event loop, keys for every role in two
courses, and graded work to read in the first (see `world.py`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import docker
import httpx
import pytest
from redis.asyncio import Redis

from gateway.api.app import create_app
from runners.access import courses
from runners.access.keys import create_key
from runners.backend import Backend
from runners.queue import heartbeats
from runners.settings import settings
from runners.store.database import close_storage, open_storage
from tests.gateway.world import Keys, World, created, failed_delivery, grade, new_assignment


@pytest.fixture(scope="session")
async def live_worker(docker_engine: docker.DockerClient) -> AsyncIterator[Redis]:
    """This test process announced as a worker whose engine answers, as a worker's reconciler
    does, so the gateway `api` serves is ready; the announcement is withdrawn afterwards."""
    redis = Redis.from_url(settings().redis_url)
    await heartbeats.beat(redis, docker_ok=bool(docker_engine.ping()), ttl=3600)
    yield redis
    for key in await heartbeats.workers(redis):
        await redis.delete(f"{heartbeats.PREFIX}{key}")
    await redis.aclose()


@pytest.fixture(scope="session")
async def api(database: Backend, live_worker: Redis) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway, its lifespan running in the tests' own event loop.

    Litestar's AsyncTestClient runs the app on a loop of its own, where the session's Postgres
    pool cannot be used; so the gateway's own backend takes over while it runs, and the
    session's is made current again after. The lifespan runs in a task of its own: it must end
    in the task it started in.
    """
    await close_storage(database.db)
    app = create_app()
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    server = asyncio.create_task(serve())
    await started.wait()
    # Litestar types its ASGI callable with its own scope and event types, narrower than the
    # plain mappings httpx names; the two agree at run time.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client
    stop.set()
    await server
    database.activate()
    await open_storage(database.db)


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


@pytest.fixture
async def world(api: httpx.AsyncClient, api_keys: Keys) -> World:
    """An assignment with graded submissions of both students, a completed batch with a failed
    webhook delivery, a run the instructor asked for, and keys to revoke."""
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
    both = [uuid.UUID(api_keys.course), uuid.UUID(api_keys.other_course)]
    return World(
        course=api_keys.course,
        assignment=assignment,
        submission=mine,
        other_submission=theirs,
        batch=batch,
        delivery=str(delivery),
        run=run,
        student_key=str((await create_key("student", "revocable", both[:1])).id),
        admin_key=str((await create_key("admin")).id),
        shared_key=str((await create_key("instructor", course_ids=both)).id),
    )
