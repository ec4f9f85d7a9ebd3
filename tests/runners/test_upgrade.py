"""A database made and filled by the release before courses upgrades in place: `oops migrate`
keeps every row as it was, gives each to the default course, and the old keys still read
what they made. Postgres goes through Piccolo's migrations, the embedded SQLite file through
the additive upgrade `oops migrate` (and every command) applies to it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runners.store.upgrade import DEFAULT_COURSE_ID
from tests.runners.previous_release import ROOT, checkout, fill

pytestmark = pytest.mark.services

OOPS = str(Path(sys.executable).parent / "oops")
POSTGRES = os.environ.get("OOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
TABLES = (
    "assignment",
    "batch",
    "submission",
    "case_run",
    "run",
    "api_key",
    "delivery",
    "delivery_attempt",
)
OWNED = ("assignment", "batch", "submission", "run", "delivery")
DEFAULT = str(DEFAULT_COURSE_ID)

CHECK = """
import asyncio, json, sys, uuid
from runners import assignments, runs, views, webhooks
from runners.backend import opened
from runners.access.keys import authenticate
from runners.access.scope import Scope
from runners.settings import settings


async def main():
    made = json.loads(sys.argv[1])
    async with opened(settings()):
        teacher = await authenticate(made["keys"]["instructor"])
        student = await authenticate(made["keys"]["student"])
        staff, own = Scope.of(teacher), Scope.of(student)
        ids = {name: uuid.UUID(made[name]) for name in ("assignment", "batch", "submission", "run")}
        seen = {
            "courses": [str(c) for c in teacher.courses + student.courses],
            "assignment": (await assignments.view(ids["assignment"], staff)).name,
            "batch": await views.batch_view(ids["batch"], staff) is not None,
            "submission": await views.submission_view(ids["submission"], own) is not None,
            "run": await runs.view(ids["run"], own) is not None,
            "deliveries": len(await webhooks.log(made["batch"], staff)),
        }
    print(json.dumps(seen))


asyncio.run(main())
"""


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release before courses, checked out from git."""
    return checkout(tmp_path_factory.mktemp("previous"))


def plain_environment(**settings: str) -> dict[str, str]:
    """This environment without any OOPS_* setting but `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OOPS_")}
    return {**env, **settings}


def psql(url: str, statement: str) -> str:
    done = subprocess.run(
        ["psql", url, "-At", "-c", statement], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty Postgres database, dropped afterwards."""
    name = f"oopsengine_upgrade_{uuid.uuid4().hex[:12]}"
    psql(f"{POSTGRES}/postgres", f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES}/{name}"
    psql(f"{POSTGRES}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def every_row(table: str, shape: str = "*") -> str:
    """The query for every row of one of `TABLES` (this module's constants, not input)."""
    return f"SELECT {shape} FROM {table} ORDER BY id"  # noqa: S608 -- constant names


def postgres_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as JSON objects, in id order."""
    return {
        table: [
            json.loads(line)
            for line in psql(url, every_row(f"{table} t", "row_to_json(t)")).splitlines()
        ]
        for table in TABLES
    }


def sqlite_rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in id order."""
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return {table: [dict(row) for row in db.execute(every_row(table))] for table in TABLES}


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run([OOPS, "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def as_before(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The rows after the upgrade, keeping only the columns there were before it."""
    return {
        table: [
            {k: v for k, v in row.items() if k in (rows[0] if rows else {})} for row in after[table]
        ]
        for table, rows in before.items()
    }


def assert_kept_and_in_default_course(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> None:
    assert all(before[table] for table in TABLES), "the previous release filled every table"
    assert as_before(before, after) == before
    for table in OWNED:
        assert {str(row["course"]) for row in after[table]} == {DEFAULT}, table


def check_with_new_code(env: dict[str, str], made: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(made)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    seen: dict[str, Any] = json.loads(done.stdout)
    return seen


OLD_KEYS_SEE_THEIR_WORK = {
    "courses": [DEFAULT, DEFAULT],
    "assignment": "double",
    "batch": True,
    "submission": True,
    "run": True,
    "deliveries": 1,
}


def test_a_postgres_database_of_the_previous_release_migrates_keeping_every_row(
    previous: Path, postgres_url: str
) -> None:
    env = plain_environment(OOPS_DATABASE_URL=postgres_url)
    made = fill(previous, env)
    before = postgres_rows(postgres_url)
    migrate(env)
    after = postgres_rows(postgres_url)
    assert_kept_and_in_default_course(before, after)
    members = psql(
        postgres_url,
        "SELECT k.role, c.course FROM key_course c JOIN api_key k "
        "ON k.id = c.api_key ORDER BY k.role",
    )
    assert members.splitlines() == [f"instructor|{DEFAULT}", f"student|{DEFAULT}"]
    assert check_with_new_code(env, made) == OLD_KEYS_SEE_THEIR_WORK


def test_an_embedded_database_of_the_previous_release_upgrades_keeping_every_row(
    previous: Path, tmp_path: Path
) -> None:
    env = plain_environment(OOPS_DATA_DIR=str(tmp_path))
    made = fill(previous, env)
    before = sqlite_rows(tmp_path / "oops.sqlite")
    migrate(env)
    migrate(env)
    after = sqlite_rows(tmp_path / "oops.sqlite")
    assert_kept_and_in_default_course(before, after)
    with sqlite3.connect(tmp_path / "oops.sqlite") as db:
        members = db.execute("SELECT api_key, course FROM key_course").fetchall()
    assert sorted(course for _, course in members) == [DEFAULT, DEFAULT]
    assert check_with_new_code(env, made) == OLD_KEYS_SEE_THEIR_WORK
