"""What the API gives back once work is graded, and what it keeps from students."""

from __future__ import annotations

import csv
import io
import re
import uuid

import httpx
import pytest
from redis.asyncio import Redis

from gateway.api import auth
from gateway.api.routes import runs
from grading.outcome import RunResult, Status
from runners import intake
from runners import runs as run_records
from runners.access.counters import MemoryCounter
from runners.queue import heartbeats
from runners.settings import Settings
from runners.store.tables import Submission
from tests.gateway.world import (
    SECRETS,
    Keys,
    World,
    created,
    new_assignment,
    package_zip,
    suite_document,
)


async def test_student_sees_own_submission_without_hidden_data(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    path = f"/v1/submissions/{world.submission}"
    seen = (await api.get(path, headers=api_keys["student"])).json()
    full = (await api.get(path, headers=api_keys["instructor"])).json()
    hidden = next(case for case in seen["cases"] if case["name"] == "hidden")
    assert hidden["verdict"] == "wrong_answer"
    assert seen["score"] is None
    assert not any(secret in str(seen) for secret in SECRETS)
    assert all(secret in str(full) for secret in SECRETS)
    assert full["score"] == 1.0


async def test_student_submits_as_its_own_student(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    path = f"/v1/assignments/{world.assignment}/submissions"
    body = {"code": "print(6)", "callback_url": "http://127.0.0.1:9/hook"}
    submission = await created(api, api_keys["student"], path, body)
    row = await Submission.select().where(Submission.id == submission).first()
    assert row is not None
    assert row["student"] == api_keys.student
    assert row["owner"] == str(api_keys.ids["student"])
    assert row["callback_url"] == "http://127.0.0.1:9/hook"


async def test_canvas_gradebook_is_a_csv_attachment_with_canvas_header(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    path = f"/v1/assignments/{world.assignment}/gradebook.csv?format=canvas&policy=best"
    answer = await api.get(path, headers=api_keys["instructor"])
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5].startswith("assignment-")
    assert api_keys.student in {cell for row in rows for cell in row}


async def test_batch_events_end_with_the_completed_batch(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    answer = await api.get(f"/v1/batches/{world.batch}/events", headers=api_keys["instructor"])
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.text.count("event: batch") == answer.text.count("data: ") >= 1
    assert '"status":"completed"' in answer.text


async def test_failed_delivery_is_logged_and_sent_again_once(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    teacher = api_keys["instructor"]
    log = (await api.get(f"/v1/batches/{world.batch}/deliveries", headers=teacher)).json()
    assert [d["id"] for d in log] == [world.delivery]
    path = f"/v1/batches/{world.batch}/deliveries/{world.delivery}/redeliver"
    first = await api.post(path, headers=teacher)
    again = await api.post(path, headers=teacher)
    assert first.json()["status"] == "pending"
    assert again.status_code == 422
    assert "still pending" in again.json()["detail"]


async def test_regrade_grades_each_students_latest_code_as_a_batch(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    path = f"/v1/assignments/{world.assignment}/regrade"
    batch = await created(api, api_keys["instructor"], path, {})
    codes = await Submission.select(Submission.student, Submission.code).where(
        Submission.batch == batch
    )
    assert {row["student"]: row["code"] for row in codes} == {
        api_keys.student: "print(3)",
        api_keys.other_student: "print(2)",
    }


async def test_replacing_the_suite_raises_its_version(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    path = f"/v1/assignments/{world.assignment}/suite"
    answer = await api.put(path, json=suite_document("second"), headers=api_keys["admin"])
    assert answer.json()["version"] == 2
    assert answer.json()["suite"]["name"] == "second"


async def test_package_upload_becomes_an_assignment(api: httpx.AsyncClient, api_keys: Keys) -> None:
    files = {"package": ("addition.zip", package_zip(), "application/zip")}
    name = f"addition-{uuid.uuid4().hex[:6]}"
    form = {"name": name, "course_id": api_keys.course}
    answer = await api.post(
        "/v1/assignments/package", files=files, data=form, headers=api_keys["admin"]
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["course_id"] == api_keys.course
    read = await api.get(f"/v1/assignments/{answer.json()['id']}", headers=api_keys["instructor"])
    assert read.json()["name"] == name
    assert read.json()["suite"]["groups"]


async def test_waiting_run_answers_201_with_its_result(
    api: httpx.AsyncClient, api_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    class RunsAtOnce:
        """Stands in for the worker: records a result as soon as the run is queued."""

        @staticmethod
        async def kiq(run_id: str) -> None:
            await run_records.record(uuid.UUID(run_id), RunResult(status=Status.OK, stdout="4\n"))

    monkeypatch.setattr(intake, "execute_run", RunsAtOnce)
    body = {"code": "print(2 + 2)"}
    answer = await api.post("/v1/runs?wait=true", json=body, headers=api_keys["student"])
    assert answer.status_code == 201
    assert answer.json()["stdout"] == "4\n"


async def test_waiting_run_that_does_not_end_in_time_answers_202(
    api: httpx.AsyncClient, api_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runs, "MAX_WAIT_SECONDS", 0.2)
    body = {"code": "print(1)"}
    answer = await api.post("/v1/runs?wait=true", json=body, headers=api_keys["student"])
    assert answer.status_code == 202
    assert answer.json()["status"] == "queued"


async def test_rate_limit_answers_429_with_retry_after(
    api: httpx.AsyncClient, api_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "settings", lambda: Settings(rate_limit=2))
    answers = [await api.get("/metrics", headers=api_keys["admin"]) for _ in range(5)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused
    assert 1 <= int(refused[0].headers["retry-after"]) <= auth.WINDOW_SECONDS
    assert refused[0].headers["content-type"].startswith("application/problem+json")


async def test_memory_counter_counts_per_key_and_forgets_past_windows() -> None:
    counter = MemoryCounter()
    assert [await counter.hit("a", 60) for _ in range(3)] == [1, 2, 3]
    assert await counter.hit("b", 60) == 1
    assert await counter.hit("gone", 0) == 1
    assert await counter.hit("gone", 0) == 1


async def test_metrics_count_queue_and_verdicts(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    answer = await api.get("/metrics", headers=api_keys["instructor"])
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'oopsengine_case_verdicts{verdict="passed"}' in answer.text
    assert 'oopsengine_case_verdicts{verdict="wrong_answer"}' in answer.text
    assert 'oopsengine_queue_depth{kind="run",status="queued"}' in answer.text
    assert "oopsengine_cases_completed_per_second" in answer.text


async def test_readyz_names_the_part_that_failed(
    api: httpx.AsyncClient, live_worker: Redis
) -> None:
    for key in await heartbeats.workers(live_worker):
        await live_worker.delete(f"{heartbeats.PREFIX}{key}")
    try:
        answer = await api.get("/readyz")
        assert answer.status_code == 503
        assert [e["field"] for e in answer.json()["errors"]] == ["docker"]
        assert "no live worker" in answer.json()["errors"][0]["message"]
    finally:
        await heartbeats.beat(live_worker, docker_ok=True, ttl=3600)


async def test_readyz_answers_when_a_worker_reaches_docker(api: httpx.AsyncClient) -> None:
    answer = await api.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"database": "ok", "redis": "ok", "docker": "ok"}


async def test_docs_page_loads_swagger_ui_from_the_gateway_only(api: httpx.AsyncClient) -> None:
    page = await api.get("/schema")
    assert page.status_code == 200
    assets = re.findall(r"(?:src|href|data-spec)='([^']+)'", page.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    for asset in assets:
        assert (await api.get(asset)).status_code == 200, asset
    assert "/v1/runs" in (await api.get("/schema/openapi.json")).json()["paths"]


async def test_metrics_report_container_start_latency(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    from runners.backend import current
    from runners.monitor import metrics as observed

    for milliseconds in (120, 150, 400):
        await observed.observe_start(current().redis, milliseconds)
    answer = await api.get("/metrics", headers=api_keys["instructor"])
    lines = dict(
        line.rsplit(" ", 1) for line in answer.text.splitlines() if not line.startswith("#")
    )
    assert int(lines["oopsengine_container_start_seconds_count"]) >= 3
    assert float(lines['oopsengine_container_start_seconds{quantile="0.5"}']) > 0


@pytest.mark.parametrize("isolation", ["case", "submission"])
async def test_a_batch_chooses_its_isolation_over_the_suites(
    api: httpx.AsyncClient, api_keys: Keys, isolation: str
) -> None:
    teacher = api_keys["instructor"]
    assignment = await new_assignment(api, teacher)
    entries = [{"student": "ann", "code": "print(1)"}, {"student": "bob", "code": "print(2)"}]
    body = {"assignment_id": assignment, "submissions": entries, "isolation": isolation}
    batch = await created(api, teacher, "/v1/batches", body)
    rows = await Submission.select(Submission.isolation).where(Submission.batch == batch)
    assert rows == [{"isolation": isolation}] * 2
