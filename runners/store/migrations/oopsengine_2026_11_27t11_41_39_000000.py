"""Give everything recorded before courses existed to the default course.

The previous migration added the `course` columns and the `course` and `key_course` tables;
this one (run after it, in its own transaction) creates the default course, points every row
that has no course at it, and puts every instructor and student key in it. Nothing is deleted
or rewritten besides the new columns. The default course's id is fixed
(`runners.courses.DEFAULT_COURSE_ID`) so the embedded database and `oops grade` find it again.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-27T11:41:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "Existing rows and keys go to the default course"

DEFAULT_COURSE_ID = "00000000-0000-4000-8000-000000000001"
OWNED_TABLES = ("assignment", "batch", "submission", "run", "delivery")


class Course(Table, tablename="course", schema=None):
    pass


async def adopt_into_default_course():
    await Course.raw(
        "INSERT INTO course (id, name, submissions_per_hour, created_at) "
        "VALUES ({}::uuid, 'default', NULL, now()) ON CONFLICT DO NOTHING",
        DEFAULT_COURSE_ID,
    )
    for table in OWNED_TABLES:
        await Course.raw(
            f"UPDATE {table} SET course = {{}}::uuid WHERE course IS NULL",
            DEFAULT_COURSE_ID,
        )
    await Course.raw(
        "INSERT INTO key_course (api_key, course) "
        "SELECT k.id, {}::uuid FROM api_key k WHERE k.role <> 'admin' "
        "AND NOT EXISTS (SELECT 1 FROM key_course c WHERE c.api_key = k.id)",
        DEFAULT_COURSE_ID,
    )


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="oopsengine", description=DESCRIPTION
    )
    manager.add_raw(adopt_into_default_course)
    return manager
