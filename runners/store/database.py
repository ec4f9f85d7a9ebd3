"""The database engine: SQLite in the embedded mode, Postgres when OOPS_DATABASE_URL is set."""

from __future__ import annotations

from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from runners.settings import Settings, settings

SQLITE_BUSY_TIMEOUT = 30.0


def engine_for(config: Settings) -> Engine:  # type: ignore[type-arg]
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


def is_embedded(config: Settings) -> bool:
    """Whether this process keeps its records in the embedded SQLite file."""
    return not config.database_url


DB = engine_for(settings())
