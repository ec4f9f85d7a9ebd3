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
from piccolo.table import create_db_tables

from runners.settings import Settings
from runners.store.tables import TABLES
from runners.store.upgrade import add_missing_columns, adopt_orphans

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


async def open_storage(engine: AnyEngine, connections: int = 10) -> None:
    """Start the Postgres connection pool (one idle connection, at most `connections`), or bring
    the embedded tables up to this version."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=connections)
        return
    added = await add_missing_columns()
    await create_db_tables(*TABLES, if_not_exists=True)
    if added:
        await adopt_orphans()


async def close_storage(engine: AnyEngine) -> None:
    """Close the Postgres pool; SQLite holds no connection between queries."""
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
