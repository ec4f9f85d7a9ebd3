"""API keys: who may call OopsEngine, in which role and courses, and their webhook secret.

An admin key spans every course; an instructor key belongs to one or more courses, a student key
to exactly one (and speaks for one student). A key created without naming a course belongs to
the default course, so a deployment with one class never names one.

Only a hash of each key is stored; the key itself is shown once, when it is created.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Literal, get_args
from uuid import UUID

import msgspec

from runners import courses
from runners.errors import RunnerError
from runners.store.clock import now
from runners.store.database import bound
from runners.store.tables import ApiKey, KeyCourse

Role = Literal["admin", "instructor", "student"]
ROLES: tuple[Role, ...] = get_args(Role)
KEY_PREFIX = "oops_"
SECRET_PREFIX = "whsec_"  # noqa: S105 -- Standard Webhooks' prefix, not a secret
PREFIX_LENGTH = 12
MAX_KEY_LENGTH = 128


class KeyRequestError(RunnerError, ValueError):
    """A key cannot be created as asked, or the key it names does not exist."""


class Principal(msgspec.Struct, frozen=True):
    """Who a request comes from, once its key is authenticated."""

    key_id: UUID
    role: Role
    student: str | None
    courses: tuple[UUID, ...] = ()


class NewKey(msgspec.Struct, frozen=True):
    """A freshly created key: the only time `key` itself is available."""

    id: UUID
    key: str
    webhook_secret: str
    role: Role
    student: str | None
    courses: list[UUID] = msgspec.field(default_factory=list)


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


async def revoke(key_id: UUID) -> None:
    """Stop a key from authenticating; revoking twice keeps the first time."""
    if not await ApiKey.exists().where(ApiKey.id == key_id):
        raise KeyRequestError(f"no API key with id {key_id}")
    await ApiKey.update({ApiKey.revoked_at: now()}).where(
        (ApiKey.id == key_id) & ApiKey.revoked_at.is_null()
    )


async def webhook_secret(key_id: UUID) -> str:
    """The secret that signs the webhooks sent on behalf of a key."""
    row = await ApiKey.select(ApiKey.webhook_secret).where(ApiKey.id == key_id).first()
    if row is None:
        raise KeyRequestError(f"no API key with id {key_id}")
    return str(row["webhook_secret"])
