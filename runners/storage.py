"""Opening and closing the database for a process: tables, and the Postgres pool."""

from __future__ import annotations

from piccolo.table import create_db_tables

from runners.database import DB, is_embedded
from runners.settings import Settings
from runners.tables import TABLES


async def open_storage(config: Settings) -> None:
    """Make sure the tables exist (SQLite is created on the fly) and start the pool."""
    if is_embedded(config):
        await create_db_tables(*TABLES, if_not_exists=True)
        return
    await DB.start_connection_pool()


async def close_storage(config: Settings) -> None:
    """Close the Postgres pool; SQLite holds no connection between queries."""
    if not is_embedded(config):
        await DB.close_connection_pool()
