"""End to end on real Postgres, Redis and Docker: a gateway and two workers as processes.

Batches are graded with every score right and one signed webhook each; runs posted all at once
are all accepted at once and all finish; a worker killed with SIGKILL or a Redis restarted
empty mid-batch loses nothing.
"""

from __future__ import annotations

import asyncio
import csv
import http.client
import io
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.gateway.stack import POOL_SIZE, Receiver, Stack, wait_until
from tests.helpers import leftover_containers

pytestmark = [pytest.mark.docker, pytest.mark.services]

SQUARES = {
    "name": "squares",
    "time_limit": 5,
    "cases": [
        {"name": f"n{n}", "stdin": f"{n}\n", "expected_output": f"{n * n}\n"} for n in range(1, 6)
    ],
}


def student_code(index: int, pause: float = 0.0) -> str:
    """Right on every case when index % 6 == 0, else wrong on n == index % 6."""
    wrong = index % 6
    return (
        f"import time\ntime.sleep({pause})\nn = int(input())\nprint(0 if n == {wrong} else n * n)"
    )


def expected_score(index: int) -> float:
    return 5.0 if index % 6 == 0 else 4.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The served stack: gateway, two workers, Redis and a database of its own."""
    served = Stack(tmp_path_factory.mktemp("stack"))
    served.env["OOPS_RATE_LIMIT"] = "100000"
    try:
        served.start()
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def instructor(stack: Stack) -> dict[str, str]:
    return stack.key("instructor")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.down()


def client(stack: Stack, key: dict[str, str]) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key['key']}"}
    return httpx.Client(base_url=stack.url, headers=headers, timeout=60)


def start_batch(api: httpx.Client, size: int, callback: str | None, pause: float = 0.0) -> str:
    assignment = api.post("/v1/assignments", json={"name": "squares", "suite": SQUARES})
    assert assignment.status_code == 201, assignment.text
    body: dict[str, Any] = {
        "assignment_id": assignment.json()["id"],
        "submissions": [
            {"student": f"s{i:03}", "code": student_code(i, pause)} for i in range(size)
        ],
    }
    if callback:
        body["callback_url"] = callback
    answer = api.post("/v1/batches", json=body)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    return str(answer.json()["id"])


def completed(api: httpx.Client, batch_id: str, timeout: float = 300) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        batch: dict[str, Any] = api.get(f"/v1/batches/{batch_id}").json()
        return batch if batch["status"] == "completed" else None

    return dict(wait_until(check, timeout, f"batch {batch_id} completing"))


def assert_scores_right(batch: dict[str, Any]) -> None:
    scores = {s["student"]: s["score"] for s in batch["submissions"]}
    assert scores == {f"s{i:03}": expected_score(i) for i in range(len(scores))}
    assert batch["progress"]["done"] == batch["progress"]["total"] == len(scores)


def case_rows(stack: Stack, batch_id: str) -> list[tuple[str, int]]:
    """(status, attempts) of every case of the batch, straight from Postgres."""
    # The batch id is checked as a UUID before it is put into the query.
    query = (
        "SELECT c.status, c.attempts FROM case_run c JOIN submission s ON s.id = c.submission "  # noqa: S608
        f"WHERE s.batch = '{uuid.UUID(batch_id)}'"
    )
    return [(row[0], int(row[1])) for row in stack.psql(query)]


def only_warm_containers_left(stack: Stack) -> bool:
    """Every used container is gone; what is left waits, started, in a live worker's pool."""
    left = leftover_containers(docker.from_env(), running=False)
    return not left and len(leftover_containers(docker.from_env())) <= POOL_SIZE * len(
        stack.workers
    )


def test_batch_is_graded_signed_and_exported(
    stack: Stack, instructor: dict[str, str], receiver: Receiver
) -> None:
    with client(stack, instructor) as api:
        batch_id = start_batch(api, 20, receiver.url)
        batch = completed(api, batch_id)
        assert_scores_right(batch)

        wait_until(lambda: receiver.for_subject(batch_id), 60, "the batch webhook")
        headers, body = receiver.for_subject(batch_id)[0]
        payload = Webhook(instructor["webhook_secret"]).verify(body, headers)
        assert payload["type"] == "batch.completed"
        assert payload["data"]["status"] == "completed"
        assert len(payload["data"]["submissions"]) == 20

        book = api.get(
            f"/v1/assignments/{batch['assignment_id']}/gradebook.csv", params={"format": "canvas"}
        )
        assert book.status_code == 200
        rows = list(csv.reader(io.StringIO(book.text)))
        assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "squares"]
        assert rows[1][0] == "Points Possible"
        assert {r[3]: float(r[5]) for r in rows[2:]} == {
            f"s{i:03}": expected_score(i) for i in range(20)
        }
    assert len(receiver.for_subject(batch_id)) == 1


async def post_runs(stack: Stack, key: dict[str, str], count: int) -> list[str]:
    """Post `count` runs at once; every one must be accepted with an id."""
    headers = {"Authorization": f"Bearer {key['key']}"}
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(
        base_url=stack.url, headers=headers, timeout=60, limits=limits
    ) as api:
        answers = await asyncio.gather(
            *(api.post("/v1/runs", json={"code": f"print({i})"}) for i in range(count))
        )
    assert [a.status_code for a in answers] == [202] * count
    return [str(a.json()["id"]) for a in answers]


PRIMES = Path(__file__).parents[2] / "examples" / "primes"


def primes_suite(reference: str) -> dict[str, Any]:
    """The primes example as the API takes it: every file inline."""
    return {
        "kind": "unit",
        "name": "primes",
        "framework": "pytest",
        "submit": ["primes.py"],
        "tests": {"tests/test_primes.py": (PRIMES / "tests" / "test_primes.py").read_text()},
        "reference": {"primes.py": reference},
        "test_time_limit": 2.0,
        "groups": [{"name": "speed"}],
    }


def test_a_unit_suite_is_checked_by_a_worker_and_grades_each_test(
    stack: Stack, instructor: dict[str, str]
) -> None:
    reference = (PRIMES / "reference" / "primes.py").read_text()
    with client(stack, instructor) as api:
        created = api.post("/v1/assignments", json={"name": "p", "suite": primes_suite(reference)})
        assert created.status_code == 201, created.text
        stored = api.get(f"/v1/assignments/{created.json()['id']}").json()["suite"]
        assert stored["manifest"]["max_score"] == 10
        students = ("ada", "grace")
        submissions = [
            {"student": name, "code": (PRIMES / "submissions" / f"{name}.py").read_text()}
            for name in students
        ]
        body = {"assignment_id": created.json()["id"], "submissions": submissions}
        batch = completed(api, api.post("/v1/batches", json=body).json()["id"])
    assert {s["student"]: s["score"] for s in batch["submissions"]} == {"ada": 10, "grace": 8}


def test_a_unit_suite_whose_reference_fails_a_test_is_refused_naming_it(
    stack: Stack, instructor: dict[str, str]
) -> None:
    wrong = (PRIMES / "submissions" / "grace.py").read_text()
    with client(stack, instructor) as api:
        refused = api.post("/v1/assignments", json={"name": "p", "suite": primes_suite(wrong)})
    assert refused.status_code == 422, refused.text
    assert "test_primes_up_to_includes_its_bound" in refused.json()["detail"]


@pytest.mark.parametrize("count", [50, 1000])
def test_runs_posted_at_once_are_all_accepted_and_all_finish(
    stack: Stack, instructor: dict[str, str], count: int
) -> None:
    ids = asyncio.run(post_runs(stack, instructor, count))
    finished: dict[str, dict[str, Any]] = {}
    with client(stack, instructor) as api:

        def all_done() -> bool:
            for run_id in set(ids) - finished.keys():
                run = api.get(f"/v1/runs/{run_id}").json()
                if run["status"] not in ("queued", "running"):
                    finished[run_id] = run
            return len(finished) == count

        wait_until(all_done, 60 + count * 1.0, f"{count} runs finishing")
    runs = [finished[run_id] for run_id in ids]
    assert [r["stdout"] for r in runs] == [f"{i}\n" for i in range(count)]
    assert {r["status"] for r in runs} == {"ok"}


def test_an_idle_connection_outlives_the_clients_keep_alive(stack: Stack) -> None:
    """A client reusing a connection idle for longer than its own 5 s finds it still open."""
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
    try:
        conn.request("GET", "/healthz")
        assert conn.getresponse().read()
        first = conn.sock
        time.sleep(6)
        conn.request("GET", "/healthz")
        answer = conn.getresponse()
        assert answer.status == 200
        assert conn.sock is first
    finally:
        conn.close()


def grade_through(stack: Stack, key: dict[str, str], interruption: Callable[[], None]) -> None:
    """Grade a batch while `interruption` strikes mid-way; nothing may be lost or doubled."""
    with client(stack, key) as api:
        batch_id = start_batch(api, 20, None, pause=0.3)
        wait_until(
            lambda: api.get(f"/v1/batches/{batch_id}").json()["progress"]["done"] >= 2,
            120,
            "the batch making progress",
        )
        interruption()
        batch = completed(api, batch_id)
    assert_scores_right(batch)
    rows = case_rows(stack, batch_id)
    assert len(rows) == 100
    assert {status for status, _ in rows} == {"done"}
    wait_until(lambda: only_warm_containers_left(stack), 60, "every used container being removed")


def test_worker_killed_mid_batch_loses_nothing(stack: Stack, instructor: dict[str, str]) -> None:
    grade_through(stack, instructor, lambda: stack.kill_worker(0))
    stack.start_worker()


def test_redis_restarted_mid_batch_loses_nothing(stack: Stack, instructor: dict[str, str]) -> None:
    grade_through(stack, instructor, stack.restart_redis)
