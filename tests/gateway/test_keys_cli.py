"""`oops keys list` and `oops keys revoke` on the embedded back end, as an operator runs them."""

from __future__ import annotations

import uuid
from pathlib import Path

import anyio

from runners.access.keys import authenticate, create_key
from tests.gateway.test_courses_cli import as_json, oops
from tests.helpers import OOPS


def test_a_listed_key_shows_its_id_and_prefix_but_never_the_key(tmp_path: Path) -> None:
    oops(tmp_path, "courses", "create", "CS 101")
    new = as_json(
        oops(tmp_path, "keys", "create", "--role", "student", "--course", "CS 101",
             "--student", "ada", "--json")
    )  # fmt: skip
    (listed,) = as_json(oops(tmp_path, "keys", "list", "--json"))
    assert (listed["id"], listed["prefix"], listed["student"]) == (
        new["id"],
        new["key"][:12],
        "ada",
    )
    assert (listed["courses"], listed["revoked_at"]) == (new["courses"], None)
    table = oops(tmp_path, "keys", "list")
    assert table.returncode == 0
    assert new["id"] in table.stdout
    assert "CS 101 (student ada)" in table.stdout
    assert new["key"] not in table.stdout + str(listed)


def test_a_revoked_key_is_listed_with_the_time_it_was_revoked(tmp_path: Path) -> None:
    new = as_json(oops(tmp_path, "keys", "create", "--role", "instructor", "--json"))
    revoked = as_json(oops(tmp_path, "keys", "revoke", new["id"], "--json"))
    assert revoked["revoked_at"] is not None
    (listed,) = as_json(oops(tmp_path, "keys", "list", "--json"))
    assert listed["revoked_at"] == revoked["revoked_at"]


def test_revoking_a_revoked_key_changes_nothing(tmp_path: Path) -> None:
    new = as_json(oops(tmp_path, "keys", "create", "--role", "admin", "--json"))
    first = as_json(oops(tmp_path, "keys", "revoke", new["id"], "--json"))
    again = oops(tmp_path, "keys", "revoke", new["id"])
    assert again.returncode == 0
    assert first["revoked_at"][:16].replace("T", " ") in again.stdout


def test_revoking_an_unknown_or_malformed_id_says_where_ids_are_listed(tmp_path: Path) -> None:
    unknown = oops(tmp_path, "keys", "revoke", str(uuid.uuid4()))
    assert unknown.returncode == 2
    assert "no API key with id" in unknown.stderr
    assert "oops keys list" in unknown.stderr
    malformed = oops(tmp_path, "keys", "revoke", "oops_abc")
    assert malformed.returncode == 2
    assert "is not a key id" in malformed.stderr


async def test_a_key_revoked_by_the_command_is_refused_by_the_served_back_end(
    database: None,
) -> None:
    new = await create_key("instructor")
    assert await authenticate(new.key) is not None
    done = await anyio.run_process([OOPS, "keys", "revoke", str(new.id)], check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert f"key {new.id}" in done.stdout.decode()
    assert await authenticate(new.key) is None
