"""The release before courses, checked out from git and run as it was, to fill databases that
the current version must upgrade in place.

`fill` runs the previous release's own code (its `oops migrate`, keys, pipeline, runs and
webhooks) in a subprocess, against the database its environment names, and returns what it
made: the ids and keys a user of that release would hold.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
PREVIOUS_RELEASE = "db9925545a2a26c90b19b25c312c348fa4e29b77"
"""The last commit of main before courses existed."""

FILL = """
import asyncio, json, uuid
from grading.outcome import Verdict
from grading.results import CaseResult
from grading.suite import Case, Suite
from runners import pipeline, runs, webhooks
from runners.keys import create_key
from runners.pipeline import Entry
from runners.settings import settings
from runners.store.storage import close_storage, open_storage
from runners.store.tables import CaseRun

SUITE = Suite(name="double", cases=[
    Case(name="one", stdin="1\\n", expected_output="2\\n"),
    Case(name="two", stdin="SECRET\\n", expected_output="SECRET\\n", visibility="hidden"),
])


async def graded(submissions):
    for submission in submissions:
        rows = await CaseRun.select(CaseRun.id, CaseRun.case_name).where(
            CaseRun.submission == submission)
        for row in rows:
            result = CaseResult(name=row["case_name"], verdict=Verdict.PASSED, points=1.0,
                                max_points=1.0)
            await pipeline.record(row["id"], result)
        await pipeline.settle(submission)


async def main():
    await open_storage()
    config = settings()
    admin = await create_key("admin")
    instructor = await create_key("instructor")
    student = await create_key("student", "ada")
    assignment = await pipeline.create_assignment(config, "double", SUITE)
    hook = "http://127.0.0.1:9/hook"
    batch = await pipeline.accept(config, assignment, SUITE, [
        Entry(student="ada", code="print(2)"), Entry(student="bob", code="print(3)")],
        batch=True, owner=str(instructor.id), callback_url=hook)
    single = await pipeline.accept(config, assignment, SUITE, [
        Entry(student="ada", code="print(4)")], owner=str(student.id))
    await graded(batch.submissions + single.submissions)
    run = await runs.create(config, runs.RunSpec(code="print(1)"), owner=str(student.id))
    delivery = await webhooks.enqueue(str(batch.batch), "batch.completed", hook, {}, instructor.id)
    await webhooks.attempt(delivery)
    await close_storage()
    print(json.dumps({
        "keys": {"admin": admin.key, "instructor": instructor.key, "student": student.key},
        "assignment": str(assignment), "batch": str(batch.batch),
        "submission": str(single.submissions[0]), "run": str(run), "delivery": str(delivery),
    }))


asyncio.run(main())
"""


def checkout(into: Path) -> Path:
    """The previous release's tree, unpacked from git into `into`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def run_previous(tree: Path, env: dict[str, str], *args: str) -> str:
    """Run `python ARGS` with the previous release's packages first on the path."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=tree,
        env={**env, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def fill(tree: Path, env: dict[str, str]) -> dict[str, Any]:
    """Migrate (or create) the database with the previous release, then fill it with its code."""
    run_previous(tree, env, "-m", "gateway.cli.main", "migrate")
    made: dict[str, Any] = json.loads(run_previous(tree, env, "-c", FILL))
    return made
