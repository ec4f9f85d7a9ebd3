"""API keys: who may call OopsEngine, in which role, and the secret that signs their webhooks.

Only a hash of each key is stored; the key itself is shown once, when it is created.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Literal, get_args
from uuid import UUID

import msgspec

from runners.errors import RunnerError
from runners.store.tables import ApiKey

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


class NewKey(msgspec.Struct, frozen=True):
    """A freshly created key: the only time `key` itself is available."""

    id: UUID
    key: str
    webhook_secret: str
    role: Role
    student: str | None


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


async def create_key(role: str, student: str | None = None) -> NewKey:
    """Create a key and its webhook secret; the caller must hand `key` over now or never."""
    checked = _check_request(role, student)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
    row = ApiKey(
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        role=checked,
        student=student,
        webhook_secret=secret,
    )
    await row.save()
    return NewKey(id=row.id, key=key, webhook_secret=secret, role=checked, student=student)


async def authenticate(key: str) -> Principal | None:
    """The principal a live key stands for, or None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_LENGTH:
        return None
    digest = hash_key(key)
    row = await ApiKey.objects().where(ApiKey.key_hash == digest).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, digest):
        return None
    return Principal(key_id=row.id, role=row.role, student=row.student)


async def revoke(key_id: UUID) -> None:
    """Stop a key from authenticating; revoking twice keeps the first time."""
    if not await ApiKey.exists().where(ApiKey.id == key_id):
        raise KeyRequestError(f"no API key with id {key_id}")
    await ApiKey.update({ApiKey.revoked_at: datetime.now(UTC)}).where(
        (ApiKey.id == key_id) & ApiKey.revoked_at.is_null()
    )


async def webhook_secret(key_id: UUID) -> str:
    """The secret that signs the webhooks sent on behalf of a key."""
    row = await ApiKey.select(ApiKey.webhook_secret).where(ApiKey.id == key_id).first()
    if row is None:
        raise KeyRequestError(f"no API key with id {key_id}")
    return str(row["webhook_secret"])
