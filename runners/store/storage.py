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
    await _add_new_columns()


async def _add_new_columns() -> None:
    """Add the columns a newer OopsEngine defines to an embedded file an older one made.

    The embedded file has no migrations; new columns are only ever added, with defaults.
    """
    for table in TABLES:
        rows = await table.raw(f"PRAGMA table_info({table._meta.tablename})")
        present = {row["name"] for row in rows}
        for column in table._meta.columns:
            if column._meta.db_column_name not in present:
                await table.alter().add_column(column._meta.name, column)


async def close_storage() -> None:
    """Close the Postgres pool; SQLite holds no connection between queries."""
    if isinstance(DB, PostgresEngine):
        await DB.close_connection_pool()
