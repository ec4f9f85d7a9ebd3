"""Courses over the API: what a key of one course may see and do with another course's work,
listings that keep to the caller's courses, the choice of a course, and hourly quotas."""

from __future__ import annotations

import uuid

import httpx
import pytest
from redis.asyncio import Redis

from runners.access import courses, quotas
from runners.access.counters import RedisCounter
from runners.access.keys import create_key
from runners.settings import settings
from tests.gateway.world import SECRETS, Keys, World, new_assignment, suite_document


async def test_another_courses_instructor_cannot_read_an_assignment_with_hidden_tests(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    path = f"/v1/assignments/{world.assignment}"
    own = await api.get(path, headers=api_keys["instructor"])
    assert own.status_code == 200
    assert "SECRET-EXPECTED" in own.text
    answer = await api.get(path, headers=api_keys["other-course-instructor"])
    assert answer.status_code == 404
    assert answer.json()["detail"] == f"no assignment with id {world.assignment}"
    assert not any(secret in answer.text for secret in SECRETS)


async def test_a_student_submits_to_its_own_courses_assignment_and_not_to_another(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    body = {"code": "print(1)"}
    theirs = f"/v1/assignments/{world.assignment}/submissions"
    refused = await api.post(theirs, json=body, headers=api_keys["other-course-student"])
    assert refused.status_code == 404
    assert refused.json()["detail"] == f"no assignment with id {world.assignment}"
    accepted = await api.post(theirs, json=body, headers=api_keys["student"])
    assert accepted.status_code == 202
    own = await new_assignment(api, api_keys["other-course-instructor"])
    mine = f"/v1/assignments/{own}/submissions"
    assert (await api.post(mine, json=body, headers=api_keys["other-course-student"])).is_success


async def test_listings_show_only_the_callers_courses(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    for role, course in (("instructor", api_keys.course), ("student", api_keys.course)):
        listed = (await api.get("/v1/courses", headers=api_keys[role])).json()
        assert [c["id"] for c in listed] == [course]
    elsewhere = (await api.get("/v1/courses", headers=api_keys["other-course-student"])).json()
    assert [c["id"] for c in elsewhere] == [api_keys.other_course]
    everything = (await api.get("/v1/courses", headers=api_keys["admin"])).json()
    assert {api_keys.course, api_keys.other_course} <= {c["id"] for c in everything}
    for role in ("other-course-instructor", "other-course-student"):
        listed = (await api.get("/v1/assignments", headers=api_keys[role])).json()
        assert world.assignment not in {a["id"] for a in listed}


async def test_a_student_lists_its_courses_assignments_without_their_suites(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    answer = await api.get("/v1/assignments", headers=api_keys["student"])
    assert answer.status_code == 200
    (listed,) = answer.json()
    assert listed["id"] == world.assignment
    assert listed["course_id"] == api_keys.course
    assert "suite" not in listed
    assert not any(secret in answer.text for secret in SECRETS)


async def test_an_assignment_goes_to_the_only_course_of_the_key(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    body = {"name": "only", "suite": suite_document("only")}
    answer = await api.post("/v1/assignments", json=body, headers=api_keys["instructor"])
    assert answer.status_code == 201
    assert answer.json()["course_id"] == api_keys.course


async def test_a_key_of_several_courses_names_the_course_of_a_new_assignment(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    both = [uuid.UUID(api_keys.course), uuid.UUID(api_keys.other_course)]
    key = await create_key("instructor", course_ids=both)
    headers = {"Authorization": f"Bearer {key.key}"}
    body = {"name": "many", "suite": suite_document("many")}
    ambiguous = await api.post("/v1/assignments", json=body, headers=headers)
    assert ambiguous.status_code == 422
    assert ambiguous.json()["errors"][0]["field"] == "course_id"
    assert "several courses" in ambiguous.json()["detail"]
    named = await api.post(
        "/v1/assignments", json={**body, "course_id": api_keys.other_course}, headers=headers
    )
    assert named.status_code == 201
    assert named.json()["course_id"] == api_keys.other_course


async def test_a_course_that_is_not_the_keys_is_refused_by_name(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    body = {"name": "x", "suite": suite_document("x"), "course_id": api_keys.other_course}
    answer = await api.post("/v1/assignments", json=body, headers=api_keys["instructor"])
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"] == [
        {
            "field": "course_id",
            "message": f"{api_keys.other_course} is not one of this key's courses",
        }
    ]


async def test_an_admin_creates_a_course_whose_name_is_unique(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    name = f"course-{uuid.uuid4().hex[:8]}"
    created = await api.post("/v1/courses", json={"name": name}, headers=api_keys["admin"])
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "name": name,
        "submissions_per_hour": None,
    }
    again = await api.post("/v1/courses", json={"name": name}, headers=api_keys["admin"])
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "name"


async def test_a_spent_course_quota_answers_429_with_retry_after_and_spares_other_courses(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    quota = f"/v1/courses/{api_keys.course}/quota"
    set_to = await api.put(quota, json={"submissions_per_hour": 2}, headers=api_keys["admin"])
    assert set_to.json()["submissions_per_hour"] == 2
    path = f"/v1/assignments/{world.assignment}/submissions"
    answers = [
        await api.post(path, json={"code": "print(1)"}, headers=api_keys["student"])
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [202, 202, 429]
    spent = answers[-1]
    assert 1 <= int(spent.headers["retry-after"]) <= quotas.WINDOW_SECONDS
    assert spent.json()["type"] == "urn:oopsengine:problem:quota-spent"
    other = await new_assignment(api, api_keys["other-course-instructor"])
    elsewhere = await api.post(
        f"/v1/assignments/{other}/submissions",
        json={"code": "print(1)"},
        headers=api_keys["other-course-student"],
    )
    assert elsewhere.status_code == 202


async def test_a_batch_larger_than_what_is_left_of_the_quota_is_refused_whole(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    quota = f"/v1/courses/{api_keys.course}/quota"
    await api.put(quota, json={"submissions_per_hour": 2}, headers=api_keys["admin"])
    entries = [{"student": f"s{i}", "code": "print(1)"} for i in range(3)]
    body = {"assignment_id": world.assignment, "submissions": entries}
    refused = await api.post("/v1/batches", json=body, headers=api_keys["instructor"])
    assert refused.status_code == 429
    body["submissions"] = entries[:2]
    accepted = await api.post("/v1/batches", json=body, headers=api_keys["instructor"])
    assert accepted.status_code == 202


@pytest.mark.parametrize("per_hour", [0, -1, courses.MAX_QUOTA + 1, 10**14])
async def test_a_quota_outside_its_range_is_refused_naming_the_field(
    api: httpx.AsyncClient, api_keys: Keys, per_hour: int
) -> None:
    quota = f"/v1/courses/{api_keys.course}/quota"
    answer = await api.put(
        quota, json={"submissions_per_hour": per_hour}, headers=api_keys["admin"]
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "submissions_per_hour"
    created = await api.post(
        "/v1/courses",
        json={"name": f"huge-{per_hour}", "submissions_per_hour": per_hour},
        headers=api_keys["admin"],
    )
    assert created.status_code == 422
    assert created.json()["errors"][0]["field"] == "submissions_per_hour"


async def test_a_quota_is_shared_by_gateways_on_separate_redis_connections(
    database: None,
) -> None:
    course = await courses.create(f"shared-{uuid.uuid4().hex[:8]}", submissions_per_hour=3)
    first = Redis.from_url(settings().redis_url)
    second = Redis.from_url(settings().redis_url)
    try:
        await quotas.spend(RedisCounter(first), course.id, 2)
        await quotas.spend(RedisCounter(second), course.id, 1)
        with pytest.raises(quotas.QuotaSpent):
            await quotas.spend(RedisCounter(first), course.id, 1)
    finally:
        await first.aclose()
        await second.aclose()
