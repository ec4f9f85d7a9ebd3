"""Courses: every key lists its own; admins create them and set their hourly quotas."""

from __future__ import annotations

import uuid

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from gateway.api.auth import allow
from gateway.api.problems import not_found
from gateway.api.schemas import CourseCreate, QuotaUpdate
from runners.access import courses
from runners.access.courses import CourseView
from runners.access.scope import Scope


@get("/courses", guards=[allow("instructor", "student")])
async def list_courses(access: NamedDependency[Scope]) -> list[CourseView]:
    """The caller's courses (every course, for an admin), by name."""
    return await courses.listing(access)


@post("/courses", guards=[allow()], status_code=HTTP_201_CREATED)
async def create_course(data: JSONBody[CourseCreate]) -> CourseView:
    """Create a course; keys join it when they are created (`oops keys create --course`)."""
    return await courses.create(data.name, data.submissions_per_hour)


@put("/courses/{course_id:uuid}/quota", guards=[allow()])
async def set_quota(
    course_id: FromPath[uuid.UUID], data: JSONBody[QuotaUpdate], access: NamedDependency[Scope]
) -> CourseView:
    """Set the course's submissions-per-hour quota, or lift it with `null`."""
    found = await courses.set_quota(course_id, data.submissions_per_hour, access)
    if found is None:
        raise not_found("course", course_id)
    return found
