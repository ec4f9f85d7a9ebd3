"""`GET /v1/languages` and a submission's language over the API, on the real stack."""

from __future__ import annotations

import uuid

import docker
import httpx
from redis.asyncio import Redis

from runners.catalogue import publish_versions
from runners.sandbox.build import versions
from runners.settings import settings
from tests.gateway.world import Keys, suite_document


async def test_languages_lists_every_language_with_the_version_workers_published(
    api: httpx.AsyncClient, api_keys: Keys, live_worker: Redis, docker_engine: docker.DockerClient
) -> None:
    await publish_versions(live_worker, versions(docker_engine, settings()))
    answer = await api.get("/v1/languages", headers=api_keys["student"])
    assert answer.status_code == 200, answer.text
    listed = {lang["id"]: lang for lang in answer.json()["languages"]}
    assert set(listed) == {"c", "cpp", "java", "javascript", "python"}
    assert listed["cpp"]["extensions"][:2] == [".cc", ".cpp"]
    assert (listed["java"]["compiled"], listed["python"]["compiled"]) == (True, False)
    assert listed["python"]["version"].startswith("Python 3")
    assert listed["java"]["version"].startswith("javac 17")


async def test_a_submission_without_a_language_takes_its_suites(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    suite = {**suite_document(f"c-{uuid.uuid4().hex[:6]}"), "language": "c"}
    created = await api.post(
        "/v1/assignments",
        json={"name": suite["name"], "suite": suite},
        headers=api_keys["instructor"],
    )
    assert created.status_code == 201, created.text
    code = "int main(void) { return 0 }"  # C, missing a semicolon: not Python either way
    submitted = await api.post(
        f"/v1/assignments/{created.json()['id']}/submissions",
        json={"student": "ann", "code": code},
        headers=api_keys["instructor"],
    )
    assert submitted.status_code == 202, submitted.text
    found = await api.get(f"/v1/submissions/{submitted.json()['id']}", headers=api_keys["admin"])
    assert found.json()["language"] == "c", found.text


async def test_an_unknown_language_is_refused_naming_the_field(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    answer = await api.post(
        "/v1/runs", json={"code": "x", "language": "cobol"}, headers=api_keys["student"]
    )
    assert answer.status_code == 422, answer.text
    assert "language" in answer.text
    assert "javascript" in answer.text
