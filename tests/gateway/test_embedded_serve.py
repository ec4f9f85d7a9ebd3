"""`oops serve --embedded`: gateway, queue and runner in one process on SQLite, no servers."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.gateway.stack import free_port, wait_until
from tests.gateway.test_e2e import SQUARES
from tests.helpers import OOPS

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A gateway started with --embedded although the served back end is configured."""
    data = tmp_path_factory.mktemp("embedded")
    env = {**os.environ, "OOPS_DATA_DIR": str(data)}
    key = json.loads(
        subprocess.run(
            [OOPS, "keys", "create", "--role", "instructor", "--json"],
            env={k: v for k, v in env.items() if k not in ("OOPS_DATABASE_URL", "OOPS_REDIS_URL")},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    port = free_port()
    with (data / "gateway.log").open("wb") as log:
        server = subprocess.Popen(
            [OOPS, "serve", "--embedded", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{url}/readyz").status_code == 200, 60, "readiness")
        yield url, {"Authorization": f"Bearer {key['key']}"}
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_embedded_gateway_runs_and_waits(embedded: tuple[str, dict[str, str]]) -> None:
    url, headers = embedded
    answer = httpx.post(
        f"{url}/v1/runs?wait=true", json={"code": "print(6 * 7)"}, headers=headers, timeout=60
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["status"], answer.json()["stdout"]) == ("ok", "42\n")


def test_embedded_gateway_grades_a_batch(embedded: tuple[str, dict[str, str]]) -> None:
    url, headers = embedded
    with httpx.Client(base_url=url, headers=headers, timeout=60) as api:
        assignment = api.post("/v1/assignments", json={"name": "squares", "suite": SQUARES})
        assert assignment.status_code == 201, assignment.text
        batch = api.post(
            "/v1/batches",
            json={
                "assignment_id": assignment.json()["id"],
                "submissions": [
                    {"student": "ann", "code": "n = int(input())\nprint(n * n)"},
                    {"student": "bob", "code": "print(1)"},
                ],
            },
        ).json()

        def done() -> dict[str, object] | None:
            view: dict[str, object] = api.get(f"/v1/batches/{batch['id']}").json()
            return view if view["status"] == "completed" else None

        view = wait_until(done, 120, "the embedded batch completing")
    scores = {s["student"]: s["score"] for s in view["submissions"]}
    assert scores == {"ann": 5.0, "bob": 1.0}


@pytest.mark.parametrize("workers", ["0", "2"])
def test_embedded_serve_refuses_several_processes(workers: str) -> None:
    """The embedded queue and database live in one process, so a second one is refused."""
    done = subprocess.run(
        [OOPS, "serve", "--embedded", "--workers", workers],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr
