"""Opening and closing the database for a process: tables, and the Postgres pool.

Postgres's schema is Piccolo's migrations' (`oops migrate`). The embedded SQLite file's is made
here, and kept up to date additively: a file made by an earlier version gains the tables and
columns it lacks, and what it holds goes to the default course, as the migrations do.
"""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table, create_db_tables

from runners import courses
from runners.store.database import DB
from runners.store.tables import TABLES


async def open_storage() -> None:
    """Make sure the embedded tables exist, or start the Postgres connection pool."""
    if isinstance(DB, PostgresEngine):
        await DB.start_connection_pool()
        return
    # Columns first: creating the tables also creates their indexes, and SQLite would take an
    # index on a column that is not there yet for an index on the constant string "course".
    added = [await _add_missing_columns(table) for table in TABLES]
    await create_db_tables(*TABLES, if_not_exists=True)
    if any(added):
        await courses.adopt_orphans()


async def _add_missing_columns(table: type[Table]) -> bool:
    """Add the columns an existing older table lacks (null until filled); True if any was."""
    rows = await table.raw(f'PRAGMA table_info("{table._meta.tablename}")')
    present = {row["name"] for row in rows}
    if not present:
        return False
    missing = [c for c in table._meta.columns if c._meta.db_column_name not in present]
    for column in missing:
        await table.raw(f'ALTER TABLE "{table._meta.tablename}" ADD COLUMN {column.ddl}')
    return bool(missing)


async def close_storage() -> None:
    """Close the Postgres pool; SQLite holds no connection between queries."""
    if isinstance(DB, PostgresEngine):
        await DB.close_connection_pool()
