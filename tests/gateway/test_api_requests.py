"""Requests the gateway refuses: each answer is problem details naming the field to fix, and
nothing is written."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import httpx
import pytest

from gateway.api.routes import assignments
from runners.settings import settings
from runners.store.tables import Assignment, Batch, CaseRun, Run, Submission
from tests.gateway.world import Keys, new_assignment, suite_document

MAX_CODE = settings().max_code_bytes
UNKNOWN = "00000000-0000-4000-8000-000000000000"


async def row_counts() -> dict[str, int]:
    """How many rows each table the API writes holds."""
    tables = (Assignment, Batch, Submission, CaseRun, Run)
    return {table.__name__: await table.count() for table in tables}


def suite_with_cases(count: int) -> dict[str, Any]:
    """A suite document with `count` cases."""
    return {"name": "big", "cases": [{"name": f"c{i}"} for i in range(count)]}


def submissions(count: int) -> list[dict[str, str]]:
    """`count` batch entries."""
    return [{"student": f"s{i}", "code": "print()"} for i in range(count)]


BAD_REQUESTS = [
    pytest.param("POST", "/v1/runs", {"content": b'{"code": '}, 400, None, id="malformed-json"),
    pytest.param("POST", "/v1/runs", {"json": {"code": 1}}, 400, "code", id="code-not-a-string"),
    pytest.param(
        "POST",
        "/v1/runs",
        {"json": {"code": "", "time_limit": "slow"}},
        400,
        "time_limit",
        id="time-limit-not-a-number",
    ),
    pytest.param(
        "POST", "/v1/runs", {"json": {"code": "", "cpu": 2}}, 400, "cpu", id="unknown-field"
    ),
    pytest.param("POST", "/v1/runs", {"json": {}}, 400, "code", id="code-missing"),
    pytest.param(
        "POST",
        "/v1/runs",
        {"json": {"code": "x" * (MAX_CODE + 1)}},
        422,
        "code",
        id="code-over-max-code-bytes",
    ),
    pytest.param(
        "POST",
        "/v1/runs",
        {"json": {"code": "", "language": "cobol"}},
        422,
        "language",
        id="unknown-language",
    ),
    pytest.param(
        "POST",
        "/v1/runs",
        {"json": {"code": "", "time_limit": 31}},
        422,
        "time_limit",
        id="time-limit-above-maximum",
    ),
    pytest.param(
        "POST",
        "/v1/runs",
        {"json": {"code": "", "memory_limit": 0}},
        422,
        "memory_limit",
        id="memory-limit-zero",
    ),
    pytest.param(
        "POST",
        "/v1/runs",
        {"json": {"code": "", "callback_url": "ftp://x"}},
        422,
        "callback_url",
        id="callback-not-http",
    ),
    pytest.param(
        "POST",
        "/v1/assignments/{a}/submissions",
        {"json": {"student": "s", "code": "x" * (MAX_CODE + 1)}},
        422,
        "code",
        id="submission-code-over-max",
    ),
    pytest.param(
        "POST",
        "/v1/assignments/{a}/submissions",
        {"json": {"student": "s", "code": "", "language": "cobol"}},
        422,
        "language",
        id="submission-unknown-language",
    ),
    pytest.param(
        "POST",
        "/v1/assignments/{a}/submissions",
        {"json": {"code": ""}},
        422,
        "student",
        id="submission-without-student",
    ),
    pytest.param(
        "POST",
        "/v1/assignments/{a}/submissions",
        {"json": {"student": "", "code": ""}},
        400,
        "student",
        id="submission-empty-student",
    ),
    pytest.param(
        "POST",
        f"/v1/assignments/{UNKNOWN}/submissions",
        {"json": {"student": "s", "code": ""}},
        404,
        None,
        id="submission-unknown-assignment",
    ),
    pytest.param(
        "POST",
        "/v1/batches",
        {"json": {"assignment_id": "{a}", "submissions": submissions(1001)}},
        413,
        "submissions",
        id="batch-too-many-submissions",
    ),
    pytest.param(
        "POST",
        "/v1/batches",
        {
            "json": {
                "assignment_id": "{a}",
                "submissions": [
                    {"student": "a", "code": ""},
                    {"student": "b", "code": "", "language": "cobol"},
                ],
            }
        },
        422,
        "submissions[1].language",
        id="batch-one-bad-entry",
    ),
    pytest.param(
        "POST",
        "/v1/batches",
        {"json": {"assignment_id": "{a}", "submissions": []}},
        400,
        "submissions",
        id="batch-empty",
    ),
    pytest.param(
        "POST",
        "/v1/batches",
        {"json": {"assignment_id": "{a}", "submissions": submissions(1), "isolation": "vm"}},
        400,
        "isolation",
        id="batch-unknown-isolation",
    ),
    pytest.param(
        "POST",
        "/v1/assignments",
        {
            "json": {
                "name": "a",
                "suite": {"name": "a", "isolation": "vm", "cases": [{"name": "c"}]},
            }
        },
        422,
        "suite",
        id="suite-unknown-isolation",
    ),
    pytest.param(
        "POST",
        "/v1/batches",
        {"json": {"assignment_id": UNKNOWN, "submissions": submissions(1)}},
        404,
        None,
        id="batch-unknown-assignment",
    ),
    pytest.param(
        "POST",
        "/v1/assignments",
        {"json": {"name": "a", "suite": {"name": "a", "cases": [{"name": "c", "points": "x"}]}}},
        422,
        "suite",
        id="suite-field-of-wrong-type",
    ),
    pytest.param(
        "POST",
        "/v1/assignments",
        {"json": {"name": "a", "suite": suite_with_cases(501)}},
        413,
        "suite",
        id="suite-too-many-cases",
    ),
    pytest.param(
        "POST",
        "/v1/assignments",
        {"json": {"name": "a", "suite": {"name": "a", "time_limit": 31, "cases": [{"name": "c"}]}}},
        422,
        "suite.time_limit",
        id="suite-limit-above-maximum",
    ),
    pytest.param(
        "POST",
        "/v1/assignments",
        {"json": {"name": "n" * 201, "suite": suite_document("a")}},
        400,
        "name",
        id="assignment-name-too-long",
    ),
    pytest.param(
        "POST", "/v1/assignments", {"json": {"name": "a"}}, 400, "suite", id="suite-missing"
    ),
    pytest.param(
        "PUT",
        "/v1/assignments/{a}/suite",
        {"json": {"name": "a", "cases": "none"}},
        422,
        "suite",
        id="replacement-suite-invalid",
    ),
    pytest.param(
        "PUT",
        f"/v1/assignments/{UNKNOWN}/suite",
        {"json": suite_document("a")},
        404,
        None,
        id="replace-suite-of-unknown-assignment",
    ),
    pytest.param(
        "POST",
        "/v1/assignments/package",
        {"files": {"package": ("p.zip", b"not a zip", "application/zip")}},
        422,
        "package",
        id="package-not-a-zip",
    ),
    pytest.param(
        "POST",
        "/v1/assignments/{a}/regrade",
        {"content": b"x" * (2 * 1024 * 1024)},
        413,
        None,
        id="body-over-size-limit",
    ),
    pytest.param(
        "GET",
        "/v1/assignments/{a}/gradebook.csv?format=excel",
        {},
        400,
        "format",
        id="gradebook-unknown-format",
    ),
]


def _filled(value: Any, assignment: str) -> Any:
    """`value` with every "{a}" replaced by the assignment's id."""
    if isinstance(value, str):
        return value.replace("{a}", assignment)
    if isinstance(value, dict):
        return {k: _filled(v, assignment) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, assignment) for v in value]
    return value


@pytest.mark.parametrize(("method", "path", "options", "status", "field"), BAD_REQUESTS)
async def test_bad_request_names_the_field_and_writes_nothing(
    api: httpx.AsyncClient,
    api_keys: Keys,
    method: str,
    path: str,
    options: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    assignment = await new_assignment(api, api_keys["instructor"])
    before = await row_counts()
    answer = await api.request(
        method,
        _filled(path, assignment),
        headers=api_keys["instructor"],
        **{k: v if k != "json" else _filled(v, assignment) for k, v in options.items()},
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == status
    if field is not None:
        assert field in [error["field"] for error in problem["errors"]], problem
    assert await row_counts() == before


def zipped(files: dict[str, bytes]) -> bytes:
    """A zip archive of `files`, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


async def test_package_with_too_many_files_is_refused(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    many = {f"data/secret/{i}.in": b"" for i in range(assignments.MAX_PACKAGE_FILES + 1)}
    files = {"package": ("p.zip", zipped(many), "application/zip")}
    before = await row_counts()
    answer = await api.post("/v1/assignments/package", files=files, headers=api_keys["admin"])
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["field"] == "package"
    assert await row_counts() == before


async def test_zip_bomb_is_refused_before_it_is_unpacked(
    api: httpx.AsyncClient, api_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assignments, "MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = zipped({"problem.yaml": b"name: bomb\n", "data/secret/1.in": bytes(4 * 1024 * 1024)})
    files = {"package": ("bomb.zip", bomb, "application/zip")}
    answer = await api.post("/v1/assignments/package", files=files, headers=api_keys["admin"])
    assert answer.status_code == 413
    assert "unpacks to more than" in answer.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(f"/v1/runs/{UNKNOWN}", id="run"),
        pytest.param(f"/v1/submissions/{UNKNOWN}", id="submission"),
        pytest.param(f"/v1/assignments/{UNKNOWN}", id="assignment"),
        pytest.param(f"/v1/assignments/{UNKNOWN}/gradebook.csv", id="gradebook"),
        pytest.param(f"/v1/batches/{UNKNOWN}", id="batch"),
        pytest.param(f"/v1/batches/{UNKNOWN}/events", id="batch-events"),
        pytest.param(f"/v1/batches/{UNKNOWN}/deliveries", id="deliveries"),
        pytest.param("/v1/runs/not-a-uuid", id="not-a-uuid"),
    ],
)
async def test_unknown_ids_are_not_found(api: httpx.AsyncClient, api_keys: Keys, path: str) -> None:
    answer = await api.get(path, headers=api_keys["admin"])
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(f"/v1/assignments/{UNKNOWN}/regrade", id="regrade"),
        pytest.param(f"/v1/batches/{UNKNOWN}/deliveries/{uuid.uuid4()}/redeliver", id="redeliver"),
    ],
)
async def test_unknown_ids_are_not_found_when_posting(
    api: httpx.AsyncClient, api_keys: Keys, path: str
) -> None:
    answer = await api.post(path, headers=api_keys["admin"])
    assert answer.status_code == 404


async def test_regrade_without_submissions_is_a_conflict(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    assignment = await new_assignment(api, api_keys["instructor"])
    path = f"/v1/assignments/{assignment}/regrade"
    answer = await api.post(path, headers=api_keys["instructor"])
    assert answer.status_code == 409
