"""The graded work the HTTP API tests read, and how they make it: keys for every role, an
assignment whose hidden case holds secrets, submissions marked graded through
`runners.pipeline` (no worker runs containers)."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import httpx
import msgspec

from grading.outcome import Verdict
from grading.results import CaseResult
from runners import pipeline, webhooks
from runners.access.keys import NewKey
from runners.store.states import DeliveryState
from runners.store.tables import CaseRun, Delivery

PACKAGES = Path(__file__).parent.parent / "grading" / "packages"
SECRETS = ("SECRET-STDIN", "SECRET-EXPECTED", "SECRET-ACTUAL", "SECRET-DIFF", "SECRET-MESSAGE")
"""What a hidden case holds; no student may ever see any of it."""


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
    a webhook delivery about it, a run; and keys to revoke: a student's of the course, an
    admin's, and an instructor's of this course and the other one."""

    course: str
    assignment: str
    submission: str
    other_submission: str
    batch: str
    delivery: str
    run: str
    student_key: str
    admin_key: str
    shared_key: str


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


async def failed_delivery(batch: str, key_id: uuid.UUID, course: str) -> uuid.UUID:
    """A webhook about the batch whose retries are spent, ready to be redelivered."""
    url = "http://127.0.0.1:9/hook"
    delivery = await webhooks.enqueue(
        batch, "batch.completed", url, {"id": batch}, key_id, uuid.UUID(course)
    )
    await Delivery.update({Delivery.status: DeliveryState.FAILED}).where(Delivery.id == delivery)
    return delivery
