"""Bringing a database's schema up to this version: Piccolo's migrations, or SQLite's tables."""

from __future__ import annotations

import os

import msgspec

from runners.settings import Settings
from runners.store.database import bind, engine_for, open_storage

PICCOLO_CONF = "runners.store.piccolo_app"


class Migrated(msgspec.Struct, frozen=True):
    """Whether the schema is now current, and what was done, in words."""

    ok: bool
    message: str


async def migrate(config: Settings) -> Migrated:
    """Run every migration not yet applied (Postgres), or create missing tables (SQLite)."""
    if config.embedded:
        engine = engine_for(config)
        bind(engine)  # the tables' queries need it; unbound, Piccolo looks for a piccolo_conf
        await open_storage(engine)
        return Migrated(ok=True, message="embedded database ready")
    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards("oopsengine")
    return Migrated(ok=result.success, message=result.message or "")
