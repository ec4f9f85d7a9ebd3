"""An embedded database made by an older version opens with this one, every row kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec

from runners.settings import Settings
from runners.store.database import bind, engine_for, open_storage
from runners.store.tables import TABLES, Run


async def test_an_older_embedded_database_gains_the_new_columns_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    config = msgspec.structs.replace(Settings(), data_dir=str(tmp_path), database_url="")
    engine = engine_for(config)
    previous = TABLES[0]._meta._db
    bind(engine)
    try:
        await open_storage(engine)
        with sqlite3.connect(config.sqlite_path) as older:
            older.execute("ALTER TABLE run DROP COLUMN api")
            older.execute(
                "INSERT INTO run (id, status, request) VALUES "
                "('00000000-0000-0000-0000-000000000001', 'queued', '{}')"
            )

        await open_storage(engine)

        rows = await Run.select(Run.id, Run.api)
        assert [(str(row["id"]), row["api"]) for row in rows] == [
            ("00000000-0000-0000-0000-000000000001", "v1")
        ]
    finally:
        if previous is not None:
            bind(previous)
