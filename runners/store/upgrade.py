"""Bringing an embedded SQLite file made by an earlier version up to this one, in place.

Postgres is upgraded by Piccolo's migrations (`runners/store/migrations`). The embedded file's
tables are made with `create_db_tables`, which adds missing tables but never missing columns:
here an older file gains the columns it lacks, additively, and what it holds goes to the
default course, as the migration that introduced courses does on Postgres.
"""

from __future__ import annotations

import uuid

from piccolo.table import Table

from runners.store.tables import (
    TABLES,
    ApiKey,
    Assignment,
    Batch,
    Course,
    Delivery,
    KeyCourse,
    Run,
    Submission,
)

DEFAULT_COURSE_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
"""Fixed, so every process and database (and the migration) agree on it."""
DEFAULT_COURSE_NAME = "default"
OWNED_TABLES = (Assignment, Batch, Submission, Run, Delivery)
"""Tables whose every row belongs to a course through its `course` column."""


async def ensure_default_course() -> uuid.UUID:
    """The default course's id, creating the course if this database has none yet."""
    row = Course(id=DEFAULT_COURSE_ID, name=DEFAULT_COURSE_NAME)
    await Course.insert(row).on_conflict(action="DO NOTHING")
    return DEFAULT_COURSE_ID


async def add_missing_columns() -> bool:
    """Add the columns existing older tables lack (null until filled); True if any was.

    Run before `create_db_tables`: creating the tables also creates their indexes, and SQLite
    takes an index on a column that is not there yet for an index on a constant string.
    """
    added = [await _add_missing(table) for table in TABLES]
    return any(added)


async def _add_missing(table: type[Table]) -> bool:
    rows = await table.raw(f'PRAGMA table_info("{table._meta.tablename}")')
    present = {row["name"] for row in rows}
    if not present:
        return False
    missing = [c for c in table._meta.columns if c._meta.db_column_name not in present]
    for column in missing:
        await table.raw(f'ALTER TABLE "{table._meta.tablename}" ADD COLUMN {column.ddl}')
    return bool(missing)


async def adopt_orphans() -> None:
    """Give rows and keys recorded before courses existed to the default course."""
    default = await ensure_default_course()
    for table in OWNED_TABLES:
        await table.update({table.course: default}).where(table.course.is_null())
    with_course = KeyCourse.select(KeyCourse.api_key)
    orphans = await ApiKey.select(ApiKey.id).where(
        (ApiKey.role != "admin") & ApiKey.id.not_in(with_course)
    )
    if orphans:
        await KeyCourse.insert(*(KeyCourse(api_key=row["id"], course=default) for row in orphans))
