"""`oops courses` and `oops keys create --course` on the embedded back end, as an operator of a
deployment with several classes runs them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import OOPS


def oops(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OOPS_")}
    env["OOPS_DATA_DIR"] = str(data_dir)
    return subprocess.run([OOPS, *args], capture_output=True, text=True, env=env, timeout=120)


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_course_is_created_and_listed_by_name(tmp_path: Path) -> None:
    course = as_json(oops(tmp_path, "courses", "create", "CS 101", "--json"))
    assert course == {"id": course["id"], "name": "CS 101", "submissions_per_hour": None}
    listed = oops(tmp_path, "courses", "list")
    assert listed.returncode == 0
    assert "CS 101" in listed.stdout
    assert course["id"] in listed.stdout
    assert as_json(oops(tmp_path, "courses", "list", "--json")) == [course]


def test_a_course_name_is_taken_once(tmp_path: Path) -> None:
    oops(tmp_path, "courses", "create", "CS 101")
    again = oops(tmp_path, "courses", "create", "CS 101")
    assert again.returncode == 2
    assert "a course named 'CS 101' exists already" in again.stderr


def test_keys_join_the_courses_named_by_name_or_id(tmp_path: Path) -> None:
    first = as_json(oops(tmp_path, "courses", "create", "CS 101", "--json"))
    second = as_json(oops(tmp_path, "courses", "create", "CS 102", "--json"))
    student = as_json(
        oops(tmp_path, "keys", "create", "--role", "student", "--course", "CS 101",
             "--student", "ada", "--json")
    )  # fmt: skip
    assert (student["courses"], student["student"]) == ([first["id"]], "ada")
    teacher = as_json(
        oops(tmp_path, "keys", "create", "--role", "instructor", "--course", first["id"],
             "--course", "CS 102", "--json")
    )  # fmt: skip
    assert sorted(teacher["courses"]) == sorted([first["id"], second["id"]])


def test_a_key_without_a_course_belongs_to_the_default_course(tmp_path: Path) -> None:
    key = as_json(oops(tmp_path, "keys", "create", "--role", "instructor", "--json"))
    (default,) = as_json(oops(tmp_path, "courses", "list", "--json"))
    assert default["name"] == "default"
    assert key["courses"] == [default["id"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--role", "student", "--course", "nowhere", "--student", "ada"],
            "no course with id or name 'nowhere'",
            id="unknown-course",
        ),
        pytest.param(
            ["--role", "admin", "--course", "CS 101"],
            "an admin key spans every course",
            id="admin-in-a-course",
        ),
        pytest.param(
            ["--role", "student", "--course", "CS 101", "--course", "CS 102", "--student", "a"],
            "a student key belongs to exactly one course",
            id="student-in-two-courses",
        ),
    ],
)
def test_a_key_that_does_not_fit_its_courses_is_refused(
    tmp_path: Path, args: list[str], message: str
) -> None:
    oops(tmp_path, "courses", "create", "CS 101")
    oops(tmp_path, "courses", "create", "CS 102")
    refused = oops(tmp_path, "keys", "create", *args)
    assert refused.returncode == 2
    assert message in refused.stderr


def test_an_admin_sets_and_lifts_a_courses_quota(tmp_path: Path) -> None:
    oops(tmp_path, "courses", "create", "CS 101")
    assert oops(tmp_path, "courses", "quota", "CS 101", "300").returncode == 0
    assert as_json(oops(tmp_path, "courses", "list", "--json"))[0]["submissions_per_hour"] == 300
    assert oops(tmp_path, "courses", "quota", "CS 101", "none").returncode == 0
    assert as_json(oops(tmp_path, "courses", "list", "--json"))[0]["submissions_per_hour"] is None
    refused = oops(tmp_path, "courses", "quota", "CS 101", "0")
    assert refused.returncode == 2
    assert "submissions_per_hour" in refused.stderr
