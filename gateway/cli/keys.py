"""`oops keys`: create, list and revoke the API keys that call the gateway.

The operator sees every key. A key is shown once, when it is created; afterwards only its id
and its first characters (`prefix`) identify it. A revoked key is refused (401) by every
gateway process from its next request on, and stays listed with the time it was revoked.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import UTC, datetime

import msgspec

from gateway.cli.courses import with_storage
from runners.access import courses
from runners.access.keys import KeyRequestError, KeyView, NewKey, create_key, listing, revoke
from runners.access.scope import Scope

EVERYTHING = Scope.everything()


def create_command(args: argparse.Namespace) -> int:
    """Create an API key; its secret is shown once, here, and stored only hashed."""

    async def create() -> NewKey:
        chosen = [await courses.resolve(c) for c in args.course] if args.course else None
        return await create_key(args.role, args.student, chosen)

    new = with_storage(create)
    if args.json:
        sys.stdout.write(msgspec.json.encode(new).decode() + "\n")
    else:
        print(f"key:            {new.key}  (shown once; store it now)")
        print(f"webhook secret: {new.webhook_secret}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    """List every key, newest first: id, prefix, role, courses, student, created, revoked."""

    async def found() -> tuple[list[KeyView], dict[uuid.UUID, str]]:
        names = {c.id: c.name for c in await courses.listing(EVERYTHING)}
        return await listing(EVERYTHING), names

    keys, names = with_storage(found)
    if args.json:
        sys.stdout.write(msgspec.json.encode(keys).decode() + "\n")
        return 0
    print(f"{'id':<36}  {'prefix':<12}  {'role':<10}  created (UTC)     revoked (UTC)     courses")
    for key in keys:
        where = ", ".join(names.get(c, str(c)) for c in key.courses) or "every course"
        student = f" (student {key.student})" if key.student else ""
        print(
            f"{key.id!s:<36}  {key.prefix:<12}  {key.role:<10}  {_moment(key.created_at)}  "
            f"{_moment(key.revoked_at):<16}  {where}{student}"
        )
    return 0


def revoke_command(args: argparse.Namespace) -> int:
    """Revoke the key with this id; revoking a revoked key changes nothing."""
    key_id = _key_id(args.key_id)
    key = with_storage(lambda: revoke(key_id, EVERYTHING))
    if key is None:
        raise KeyRequestError(f"no API key with id {key_id}; see `oops keys list`")
    if args.json:
        sys.stdout.write(msgspec.json.encode(key).decode() + "\n")
    else:
        print(f"key {key.id} ({key.prefix}..., {key.role}) revoked at {_moment(key.revoked_at)}")
    return 0


def _key_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise KeyRequestError(
            f"{text!r} is not a key id; `oops keys list` shows each key's id (a UUID)"
        ) from None


def _moment(at: datetime | None) -> str:
    """A time to the minute, in UTC, as the listing shows it; `-` for none."""
    return "-" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
