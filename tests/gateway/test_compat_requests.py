"""Judge0 and Piston requests the gateway refuses before anything is recorded or queued."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.gateway.world import Keys

JUDGE0 = {"source_code": "print(1)", "language_id": 71}
PISTON = {"language": "python", "version": "*", "files": [{"content": "print(1)"}]}


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        pytest.param("/submissions", {**JUDGE0, "colour": 1}, 400, "colour", id="unknown-field"),
        pytest.param("/submissions", {"language_id": 71}, 400, "source_code", id="no-source"),
        pytest.param(
            "/submissions", {**JUDGE0, "language_id": 4}, 422, "language_id", id="unknown-id"
        ),
        pytest.param(
            "/submissions",
            {**JUDGE0, "callback_url": "ftp://example.com/x"},
            422,
            "callback_url",
            id="callback-not-http",
        ),
        pytest.param(
            "/submissions/batch", {"submissions": []}, 400, "submissions", id="empty-batch"
        ),
        pytest.param(
            "/api/v2/execute",
            {**PISTON, "files": [{"content": "a"}, {"content": "b"}]},
            422,
            "files",
            id="piston-two-files",
        ),
        pytest.param(
            "/api/v2/execute",
            {**PISTON, "files": [{"content": "%%", "encoding": "base64"}]},
            422,
            "files[0].content",
            id="piston-not-base64",
        ),
        pytest.param(
            "/api/v2/execute", {**PISTON, "language": "cobol"}, 422, "language", id="piston-lang"
        ),
    ],
)
async def test_a_request_that_cannot_run_is_refused_naming_the_field(
    api: httpx.AsyncClient,
    api_keys: Keys,
    path: str,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    answer = await api.post(path, json=body, headers=api_keys["instructor"])
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in answer.json()["errors"]] == [field]


async def test_an_unknown_token_or_a_token_that_is_no_uuid_is_not_found(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    for token in ("not-a-token", "00000000-0000-0000-0000-000000000000"):
        answer = await api.get(f"/submissions/{token}", headers=api_keys["instructor"])
        assert answer.status_code == 404
