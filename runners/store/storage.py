"""Opening and closing the database for a process: tables, and the Postgres pool."""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import create_db_tables

from runners.store.database import DB
from runners.store.tables import TABLES


async def open_storage() -> None:
    """Make sure the embedded tables exist, or start the Postgres connection pool."""
    if isinstance(DB, PostgresEngine):
        await DB.start_connection_pool()
        return
    await create_db_tables(*TABLES, if_not_exists=True)


async def close_storage() -> None:
    """Close the Postgres pool; SQLite holds no connection between queries."""
    if isinstance(DB, PostgresEngine):
        await DB.close_connection_pool()
