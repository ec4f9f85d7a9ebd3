"""The database engine: SQLite in the embedded mode, Postgres when OOPS_DATABASE_URL is set.

The engine is built at start-up (see `runners.backend`) and bound to every table then, so
nothing connects, or even reads the settings, when a module is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table, create_db_tables

from runners.settings import Settings
from runners.store.tables import TABLES

SQLITE_BUSY_TIMEOUT = 30.0

AnyEngine = Engine[Any]


def engine_for(config: Settings) -> AnyEngine:
    """Postgres for a `postgres://` or `postgresql://` URL, else the embedded SQLite file."""
    if config.database_url.startswith(("postgres://", "postgresql://")):
        return PostgresEngine(config={"dsn": config.database_url})
    if config.database_url:
        raise ValueError(
            f"OOPS_DATABASE_URL must be a postgresql:// URL, got {config.database_url!r}; "
            "leave it unset for the embedded SQLite database"
        )
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(config.sqlite_path), timeout=SQLITE_BUSY_TIMEOUT)


def bind(engine: AnyEngine) -> None:
    """Make every table read and write through `engine`."""
    for table in TABLES:
        table._meta.db = engine


def bound() -> AnyEngine:
    """The engine the tables use; building a `Backend` binds one."""
    engine = TABLES[0]._meta._db
    if engine is None:
        raise RuntimeError("no database engine is bound: build a runners.backend.Backend first")
    return engine


async def open_storage(engine: AnyEngine) -> None:
    """Start the Postgres connection pool, or bring the embedded tables up to this version."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool()
        return
    await create_db_tables(*TABLES, if_not_exists=True)
    for table in TABLES:
        await _add_missing_columns(table)


async def _add_missing_columns(table: type[Table]) -> None:
    """Add the columns a newer version declares to an embedded table made by an older one.

    SQLite alters poorly, so the embedded schema only ever grows: a new column comes with a
    default (or allows null) and is added here; Postgres gets the same through a migration.
    """
    found = await table.raw(f"PRAGMA table_info({table._meta.tablename})")
    present = {row["name"] for row in found}
    for column in table._meta.non_default_columns:
        if column._meta.db_column_name not in present:
            await table.alter().add_column(column._meta.name, column)


async def close_storage(engine: AnyEngine) -> None:
    """Close the Postgres pool; SQLite holds no connection between queries."""
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
