"""API keys: who may call OopsEngine, in which role and courses, and their webhook secret.

An admin key spans every course; an instructor key belongs to one or more courses, a student key
to exactly one (and speaks for one student). A key created without naming a course belongs to
the default course, so a deployment with one class never names one.

Only a hash of each key is stored; the key itself is shown once, when it is created.

A revoked key stays listed, with the time it was revoked, and fails `authenticate` from then
on: every request looks its key up in the database (no process keeps authenticated keys), so
revoking answers 401 on the very next request to any gateway process. Who may list and revoke
which keys (`within`):

    admin        every key
    instructor   student keys of its courses, and instructor keys whose courses are all its own
                 (its own key included); never an admin key, nor a key reaching another course
    student      none through the API (its role may not); a scope of a student holds its own
                 student's key only
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from runners.access import courses
from runners.access.principal import ROLES, Principal, Role
from runners.access.scope import ALWAYS, NEVER, Scope
from runners.errors import RunnerError
from runners.store.clock import now
from runners.store.database import bound
from runners.store.tables import ApiKey, KeyCourse

KEY_PREFIX = "oops_"
SECRET_PREFIX = "whsec_"  # noqa: S105 -- Standard Webhooks' prefix, not a secret
PREFIX_LENGTH = 12
MAX_KEY_LENGTH = 128


class KeyRequestError(RunnerError, ValueError):
    """A key cannot be created as asked, or the key it names does not exist."""


class NewKey(msgspec.Struct, frozen=True):
    """A freshly created key: the only time `key` itself is available."""

    id: UUID
    key: str
    webhook_secret: str
    role: Role
    student: str | None
    courses: list[UUID] = msgspec.field(default_factory=list)


class KeyView(msgspec.Struct, frozen=True, kw_only=True):
    """A key as `oops keys list` and `GET /v1/keys` show it: never the key, only its first
    characters (`prefix`), enough for a person to tell which key they hold."""

    id: UUID
    prefix: str
    role: Role
    student: str | None
    courses: list[UUID]
    created_at: datetime
    revoked_at: datetime | None


def hash_key(key: str) -> str:
    """The stored form of a key.

    A single SHA-256 is enough: keys carry 256 random bits, so unlike passwords they cannot be
    guessed, and a slow hash would only slow every request down.
    """
    return hashlib.sha256(key.encode()).hexdigest()


def _check_request(role: str, student: str | None) -> Role:
    """The role, if it exists and a student is named exactly when it is `student`."""
    if role not in ROLES:
        raise KeyRequestError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role == "student" and not student:
        raise KeyRequestError("a student key needs the student it belongs to")
    if role != "student" and student is not None:
        raise KeyRequestError(f"only student keys name a student, not {role} keys")
    return role


async def _courses_for(role: Role, asked: Sequence[UUID] | None) -> list[UUID]:
    """The courses a new key belongs to: none for an admin, the default when none is named."""
    if role == "admin":
        if asked:
            raise KeyRequestError("an admin key spans every course; name no course for it")
        return []
    if not asked:
        return [await courses.ensure_default()]
    chosen = list(dict.fromkeys(asked))
    if role == "student" and len(chosen) > 1:
        raise KeyRequestError("a student key belongs to exactly one course")
    missing = set(chosen) - set(await courses.existing(chosen))
    if missing:
        raise KeyRequestError(f"no course with id {', '.join(sorted(map(str, missing)))}")
    return chosen


async def create_key(
    role: str, student: str | None = None, course_ids: Sequence[UUID] | None = None
) -> NewKey:
    """Create a key and its webhook secret; the caller must hand `key` over now or never."""
    checked = _check_request(role, student)
    chosen = await _courses_for(checked, course_ids)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
    row = ApiKey(
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        role=checked,
        student=student,
        webhook_secret=secret,
    )
    async with bound().transaction():
        await row.save()
        if chosen:
            await KeyCourse.insert(*(KeyCourse(api_key=row.id, course=c) for c in chosen))
    return NewKey(
        id=row.id, key=key, webhook_secret=secret, role=checked, student=student, courses=chosen
    )


# One round trip a request: the key and its courses (none for an admin) in one query.
PRINCIPAL_QUERY = """
SELECT k.id, k.key_hash, k.role, k.student, c.course
FROM api_key AS k LEFT JOIN key_course AS c ON c.api_key = k.id
WHERE k.key_hash = {} AND k.revoked_at IS NULL
"""


async def authenticate(key: str) -> Principal | None:
    """The principal a live key stands for, or None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_LENGTH:
        return None
    digest = hash_key(key)
    rows = await ApiKey.raw(PRINCIPAL_QUERY, digest)
    if not rows or not hmac.compare_digest(rows[0]["key_hash"], digest):
        return None
    first = rows[0]
    courses = sorted({str(row["course"]) for row in rows if row["course"] is not None})
    return Principal(
        key_id=UUID(str(first["id"])),
        role=first["role"],
        student=first["student"],
        courses=tuple(UUID(course) for course in courses),
    )


def within(scope: Scope) -> Combinable:
    """A condition keeping the keys the scope may list and revoke (see the module's table)."""
    if scope.courses is None:
        return WhereRaw(ALWAYS)
    if not scope.courses:
        return WhereRaw(NEVER)
    mine = sorted(scope.courses, key=str)
    inside = KeyCourse.select(KeyCourse.api_key).where(KeyCourse.course.is_in(mine))
    # NOT IN over a subquery that yields a NULL is never true: leave NULLs out of it.
    outside = KeyCourse.select(KeyCourse.api_key).where(
        KeyCourse.course.not_in(mine) & KeyCourse.api_key.is_not_null()
    )
    return (
        (ApiKey.role != "admin")
        & ApiKey.id.is_in(inside)
        & ApiKey.id.not_in(outside)
        & scope.of_student(ApiKey.student)
    )


KEY_COLUMNS = (
    ApiKey.id,
    ApiKey.prefix,
    ApiKey.role,
    ApiKey.student,
    ApiKey.created_at,
    ApiKey.revoked_at,
)


async def listing(scope: Scope) -> list[KeyView]:
    """The keys within the scope, newest first, revoked ones included."""
    rows = (
        await ApiKey.select(*KEY_COLUMNS)
        .where(within(scope))
        .order_by(ApiKey.created_at, ascending=False)
    )
    return await _with_courses(rows)


async def find(key_id: UUID, scope: Scope) -> KeyView | None:
    """The key, or None when there is no such key within the scope."""
    rows = await ApiKey.select(*KEY_COLUMNS).where((ApiKey.id == key_id) & within(scope))
    found = await _with_courses(rows)
    return found[0] if found else None


async def _with_courses(rows: list[dict[str, object]]) -> list[KeyView]:
    """Key rows as views, each with its courses (read in one more query)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    links = await KeyCourse.select(KeyCourse.api_key, KeyCourse.course).where(
        KeyCourse.api_key.is_in(ids)
    )
    held: dict[str, list[UUID]] = {}
    for link in links:
        held.setdefault(str(link["api_key"]), []).append(UUID(str(link["course"])))
    return [
        msgspec.convert({**row, "courses": sorted(held.get(str(row["id"]), []), key=str)}, KeyView)
        for row in rows
    ]


async def revoke(key_id: UUID, scope: Scope) -> KeyView | None:
    """Stop a key within the scope from authenticating, from its next request on.

    Revoking a revoked key changes nothing and keeps the first time; a caller may revoke its
    own key. None when the scope holds no such key (an unknown id and another course's key
    answer alike).
    """
    await ApiKey.update({ApiKey.revoked_at: now()}).where(
        (ApiKey.id == key_id) & ApiKey.revoked_at.is_null() & within(scope)
    )
    return await find(key_id, scope)


async def webhook_secret(key_id: UUID) -> str:
    """The secret that signs the webhooks sent on behalf of a key."""
    row = await ApiKey.select(ApiKey.webhook_secret).where(ApiKey.id == key_id).first()
    if row is None:
        raise KeyRequestError(f"no API key with id {key_id}")
    return str(row["webhook_secret"])
