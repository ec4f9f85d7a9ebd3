"""Courses: one per class, owning its assignments, batches, submissions, runs and keys.

A deployment with one class never names a course: everything goes to the default course, made
on first need (and by the migration that introduced courses, for rows recorded before them).
Its id is fixed (`runners.store.upgrade.DEFAULT_COURSE_ID`), so every process, and `oops grade`
run again, finds the same one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec

from runners.access.scope import Scope
from runners.errors import RequestError, RunnerError
from runners.store.tables import Course
from runners.store.upgrade import ensure_default_course

MAX_QUOTA = 2**31 - 1
"""The largest quota the `submissions_per_hour` column (a 32-bit integer in Postgres) holds."""


class CourseError(RunnerError, ValueError):
    """A course that cannot be created as asked, or a name or id that names no course."""


class CourseExists(CourseError):
    """A course of that name exists already: names are unique, so people can type them."""


class CourseView(msgspec.Struct, frozen=True, kw_only=True):
    """A course as `oops courses list` and `GET /v1/courses` show it."""

    id: uuid.UUID
    name: str
    submissions_per_hour: int | None = None


async def ensure_default() -> uuid.UUID:
    """The default course's id, creating the course if this database has none yet."""
    return await ensure_default_course()


async def create(name: str, submissions_per_hour: int | None = None) -> CourseView:
    """Record a new course; its name must be new, and its quota positive if it has one."""
    name = name.strip()
    if not name:
        raise CourseError("a course needs a name")
    _check_quota(submissions_per_hour)
    if await Course.exists().where(Course.name == name):
        raise CourseExists(f"a course named {name!r} exists already; choose another name")
    row = Course(id=uuid.uuid4(), name=name, submissions_per_hour=submissions_per_hour)
    await row.save()
    return CourseView(id=row.id, name=name, submissions_per_hour=submissions_per_hour)


def _check_quota(submissions_per_hour: int | None) -> None:
    if submissions_per_hour is not None and not 1 <= submissions_per_hour <= MAX_QUOTA:
        raise RequestError(
            "submissions_per_hour", f"must be from 1 to {MAX_QUOTA}, or null for no quota"
        )


async def listing(scope: Scope) -> list[CourseView]:
    """The courses within the scope, by name."""
    rows = (
        await Course.select(Course.id, Course.name, Course.submissions_per_hour)
        .where(scope.in_courses(Course.id))
        .order_by(Course.name)
    )
    return [CourseView(**row) for row in rows]


async def find(course_id: uuid.UUID, scope: Scope) -> CourseView | None:
    """The course, or None when there is no such course within the scope."""
    row = (
        await Course.select(Course.id, Course.name, Course.submissions_per_hour)
        .where((Course.id == course_id) & scope.in_courses(Course.id))
        .first()
    )
    return None if row is None else CourseView(**row)


async def set_quota(
    course_id: uuid.UUID, submissions_per_hour: int | None, scope: Scope
) -> CourseView | None:
    """Set (or lift, with None) the course's submissions-per-hour quota."""
    _check_quota(submissions_per_hour)
    updated = (
        await Course.update({Course.submissions_per_hour: submissions_per_hour})
        .where((Course.id == course_id) & scope.in_courses(Course.id))
        .returning(Course.id)
    )
    return await find(course_id, scope) if updated else None


async def resolve(reference: str) -> uuid.UUID:
    """The id of the course `reference` names, by id or by name (the operator's commands)."""
    try:
        as_id: uuid.UUID | None = uuid.UUID(reference)
    except ValueError:
        as_id = None
    by_name = Course.name == reference
    condition = by_name if as_id is None else by_name | (Course.id == as_id)
    row = await Course.select(Course.id).where(condition).first()
    if row is None:
        raise CourseError(f"no course with id or name {reference!r}; see `oops courses list`")
    return uuid.UUID(str(row["id"]))


async def existing(course_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Those of `course_ids` that name a course."""
    if not course_ids:
        return []
    rows = await Course.select(Course.id).where(Course.id.is_in(list(course_ids)))
    return [uuid.UUID(str(row["id"])) for row in rows]


async def course_for(scope: Scope, asked: uuid.UUID | None, strict: bool = True) -> uuid.UUID:
    """The course new work goes to: `asked` if it is the caller's, else the caller's only one.

    Refused (naming `course_id`) when `asked` is not one of the caller's courses, or when the
    caller has several and named none; an admin spans every course, so it must name one as soon
    as the deployment has more than one. Not `strict` (single runs, which only the key that
    asked reads back): a key of several courses gets the first, an admin the default course.
    """
    if asked is not None:
        if not scope.includes(asked) or not await existing([asked]):
            raise RequestError("course_id", f"{asked} is not one of this key's courses")
        return asked
    if scope.courses is None:
        everything = [c.id for c in await listing(scope)]
        mine = everything if strict and everything else [await ensure_default()]
    else:
        mine = sorted(scope.courses, key=str)
    if not mine:
        raise RequestError("course_id", "this key belongs to no course")
    if strict and len(mine) > 1:
        names = ", ".join(str(c) for c in mine)
        raise RequestError(
            "course_id", f"this key belongs to several courses; name one of them: {names}"
        )
    return mine[0]
