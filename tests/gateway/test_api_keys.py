"""`GET /v1/keys` and `POST /v1/keys/{id}/revoke`: what staff see of keys, and a revoked key
refused at once, by this gateway and by every other process of a served stack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.gateway.stack import Stack
from tests.gateway.world import Keys, World


def key_of(keys: Keys, role: str) -> str:
    return keys[role]["Authorization"].removeprefix("Bearer ")


async def test_a_revoked_key_answers_401_on_its_very_next_request(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    assert (await api.get("/v1/courses", headers=api_keys["student"])).status_code == 200
    student = api_keys.ids["student"]
    revoked = await api.post(f"/v1/keys/{student}/revoke", headers=api_keys["instructor"])
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    refused = await api.get("/v1/courses", headers=api_keys["student"])
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "send a valid API key" in refused.json()["detail"]


async def test_revoking_a_revoked_key_answers_the_first_revocation(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    path = f"/v1/keys/{api_keys.ids['student']}/revoke"
    first = await api.post(path, headers=api_keys["instructor"])
    again = await api.post(path, headers=api_keys["admin"])
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()


async def test_an_unknown_key_id_answers_404_naming_the_id(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    unknown = uuid.uuid4()
    answer = await api.post(f"/v1/keys/{unknown}/revoke", headers=api_keys["admin"])
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["detail"] == f"no API key with id {unknown}"


@pytest.mark.parametrize("role", ["admin", "instructor"])
async def test_a_key_may_revoke_itself_and_is_refused_from_then_on(
    api: httpx.AsyncClient, api_keys: Keys, role: str
) -> None:
    own = await api.post(f"/v1/keys/{api_keys.ids[role]}/revoke", headers=api_keys[role])
    assert own.status_code == 200, own.text
    assert (await api.get("/v1/keys", headers=api_keys[role])).status_code == 401


async def test_an_instructor_never_revokes_a_key_beyond_its_courses(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    for key in (world.admin_key, world.shared_key, api_keys.ids["other-course-student"]):
        answer = await api.post(f"/v1/keys/{key}/revoke", headers=api_keys["instructor"])
        assert answer.status_code == 404, answer.text
    for role in ("admin", "other-course-student"):
        assert (await api.get("/v1/courses", headers=api_keys[role])).status_code == 200


async def test_an_instructor_lists_its_courses_keys_and_never_a_key_itself(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    answer = await api.get("/v1/keys", headers=api_keys["instructor"])
    assert answer.status_code == 200
    listed = {k["id"]: k for k in answer.json()}
    mine = {str(api_keys.ids[r]) for r in ("instructor", "student", "other-student")}
    assert set(listed) == {*mine, world.student_key}
    student = listed[str(api_keys.ids["student"])]
    assert (student["role"], student["student"]) == ("student", api_keys.student)
    assert (student["courses"], student["revoked_at"]) == ([api_keys.course], None)
    assert student["prefix"] == key_of(api_keys, "student")[:12]
    assert not any(key_of(api_keys, role) in answer.text for role in api_keys.ids)


async def test_the_schema_documents_the_keys_routes(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/schema/openapi.json")).json()["paths"]
    assert set(paths["/v1/keys"]) == {"get"}
    assert set(paths["/v1/keys/{key_id}/revoke"]) == {"post"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Stack]:
    """A served stack (two gateway processes on one port, one worker) and a third gateway
    process on a port of its own, all on one database and Redis."""
    stack = Stack(tmp_path, workers=1)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.mark.docker
@pytest.mark.services
def test_a_key_revoked_through_one_gateway_is_refused_by_every_other_on_its_next_request(
    served: Stack,
) -> None:
    other = served.start_other_gateway()
    admin = {"Authorization": f"Bearer {served.key('admin')['key']}"}
    student = served.key("student", "ada")
    bearer = {"Authorization": f"Bearer {student['key']}"}
    # Connections that have already carried the key, to both gateways, stay open throughout.
    with httpx.Client(base_url=served.url) as here, httpx.Client(base_url=other) as there:
        for client in (here, there):
            assert client.get("/v1/courses", headers=bearer).status_code == 200
        revoked = here.post(f"/v1/keys/{student['id']}/revoke", headers=admin)
        assert revoked.status_code == 200, revoked.text
        assert there.get("/v1/courses", headers=bearer).status_code == 401
        assert here.get("/v1/courses", headers=bearer).status_code == 401
    fresh = [httpx.get(f"{served.url}/v1/courses", headers=bearer).status_code for _ in range(8)]
    assert fresh == [401] * 8, "each gateway process behind the shared port refuses the key"
