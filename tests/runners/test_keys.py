"""API keys against the real Postgres: who authenticates, what is stored, what is refused."""

from __future__ import annotations

import base64
import hashlib
import uuid

import pytest
from piccolo.table import create_db_tables

from runners.access import courses
from runners.access.keys import (
    KeyRequestError,
    authenticate,
    create_key,
    listing,
    revoke,
    webhook_secret,
)
from runners.access.scope import Scope
from runners.store.tables import ApiKey

pytestmark = pytest.mark.services
EVERYTHING = Scope.everything()


@pytest.fixture(scope="module", autouse=True)
async def key_table(database: None) -> None:
    """The keys table on the test database, created if missing and kept like the others."""
    await create_db_tables(ApiKey, if_not_exists=True)


async def test_a_new_key_authenticates_as_its_role_and_student() -> None:
    new = await create_key("student", "ada")
    principal = await authenticate(new.key)
    assert principal is not None
    assert (principal.key_id, principal.role, principal.student) == (new.id, "student", "ada")


async def test_an_instructor_key_names_no_student() -> None:
    new = await create_key("instructor")
    principal = await authenticate(new.key)
    assert principal is not None
    assert (principal.role, principal.student) == ("instructor", None)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("oops_" + "A" * 43, id="unknown-key"),
        pytest.param("", id="empty"),
        pytest.param("Bearer oops_x", id="not-a-key"),
        pytest.param("oops_" + "A" * 10_000, id="oversized"),
    ],
)
async def test_a_wrong_key_does_not_authenticate(key: str) -> None:
    assert await authenticate(key) is None


async def test_a_key_with_one_character_changed_does_not_authenticate() -> None:
    new = await create_key("admin")
    altered = new.key[:-1] + ("A" if new.key[-1] != "A" else "B")
    assert await authenticate(altered) is None


async def test_a_revoked_key_does_not_authenticate() -> None:
    new = await create_key("admin")
    await revoke(new.id, EVERYTHING)
    assert await authenticate(new.key) is None


async def test_revoking_twice_keeps_the_first_time() -> None:
    new = await create_key("instructor")
    first = await revoke(new.id, EVERYTHING)
    again = await revoke(new.id, EVERYTHING)
    assert first is not None
    assert again is not None
    assert first.revoked_at is not None
    assert again.revoked_at == first.revoked_at


async def test_a_key_may_be_revoked_by_a_scope_of_its_own() -> None:
    new = await create_key("instructor")
    principal = await authenticate(new.key)
    assert principal is not None
    assert await revoke(new.id, Scope.of(principal)) is not None
    assert await authenticate(new.key) is None


async def test_an_unknown_key_id_revokes_nothing() -> None:
    assert await revoke(uuid.uuid4(), EVERYTHING) is None


async def test_an_instructor_sees_its_courses_keys_and_no_others() -> None:
    mine, also, theirs = [await courses.create(f"k-{uuid.uuid4().hex[:8]}") for _ in range(3)]
    teacher = await create_key("instructor", course_ids=[mine.id, also.id])
    visible = [
        teacher,
        await create_key("student", "ada", [mine.id]),
        await create_key("instructor", course_ids=[also.id]),
        await create_key("instructor", course_ids=[mine.id, also.id]),
    ]
    hidden = [
        await create_key("admin"),
        await create_key("student", "ada", [theirs.id]),
        await create_key("instructor", course_ids=[mine.id, theirs.id]),
    ]
    principal = await authenticate(teacher.key)
    assert principal is not None
    access = Scope.of(principal)
    assert {k.id for k in await listing(access)} == {k.id for k in visible}
    for key in hidden:
        assert await revoke(key.id, access) is None
        assert await authenticate(key.key) is not None


async def test_a_listed_key_shows_its_prefix_courses_and_student_but_never_the_key() -> None:
    course = await courses.create(f"k-{uuid.uuid4().hex[:8]}")
    new = await create_key("student", "grace", [course.id])
    (shown,) = [k for k in await listing(EVERYTHING) if k.id == new.id]
    assert (shown.prefix, shown.role, shown.student) == (new.key[:12], "student", "grace")
    assert (shown.courses, shown.revoked_at) == ([course.id], None)
    assert new.key not in repr(shown)


async def test_only_the_hash_and_a_short_prefix_are_stored() -> None:
    new = await create_key("student", "grace")
    row = await ApiKey.select().where(ApiKey.id == new.id).first()
    assert row is not None
    assert row["key_hash"] == hashlib.sha256(new.key.encode()).hexdigest()
    assert row["prefix"] == new.key[:12]
    assert new.key not in {str(value) for value in row.values()}


async def test_each_key_gets_its_own_standard_webhooks_secret() -> None:
    first, second = await create_key("instructor"), await create_key("instructor")
    assert first.key != second.key
    assert first.webhook_secret != second.webhook_secret
    assert await webhook_secret(first.id) == first.webhook_secret
    assert first.webhook_secret.startswith("whsec_")
    assert len(base64.b64decode(first.webhook_secret.removeprefix("whsec_"))) == 32


@pytest.mark.parametrize(
    ("role", "student", "message"),
    [
        pytest.param("teacher", None, "unknown role", id="unknown-role"),
        pytest.param("student", None, "needs the student", id="student-missing"),
        pytest.param("student", "", "needs the student", id="student-empty"),
        pytest.param("admin", "ada", "only student keys", id="admin-with-student"),
        pytest.param("instructor", "ada", "only student keys", id="instructor-with-student"),
    ],
)
async def test_a_key_request_that_does_not_fit_its_role_is_refused(
    role: str, student: str | None, message: str
) -> None:
    with pytest.raises(KeyRequestError, match=message):
        await create_key(role, student)


async def test_an_unknown_key_id_is_refused() -> None:
    with pytest.raises(KeyRequestError, match="no API key"):
        await webhook_secret(uuid.uuid4())
