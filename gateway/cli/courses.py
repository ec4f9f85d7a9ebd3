"""`oops courses`: the classes one deployment keeps apart, and their hourly quotas.

A deployment with one class needs none of this: keys, assignments and `oops grade` use the
default course. With several, create a course per class, then its keys with
`oops keys create --role instructor --course NAME`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import msgspec

from runners.access import courses
from runners.access.courses import CourseView
from runners.access.scope import Scope
from runners.backend import opened
from runners.settings import settings

T = TypeVar("T")


def with_storage(action: Callable[[], Awaitable[T]]) -> T:
    """Run `action` with the database open, and close it after."""

    async def run() -> T:
        async with opened(settings()):
            return await action()

    return anyio.run(run)


def create_command(args: argparse.Namespace) -> int:
    """Create a course and print it."""
    course = with_storage(lambda: courses.create(args.name, args.quota))
    if args.json:
        sys.stdout.write(msgspec.json.encode(course).decode() + "\n")
    else:
        print(f"course {course.name}: {course.id}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    """List every course with its id and quota."""
    found = with_storage(lambda: courses.listing(Scope.everything()))
    if args.json:
        sys.stdout.write(msgspec.json.encode(found).decode() + "\n")
        return 0
    width = max([len("course"), *(len(c.name) for c in found)])
    print(f"{'course':<{width}}  {'id':<36}  submissions/hour")
    for course in found:
        quota = "no quota" if course.submissions_per_hour is None else course.submissions_per_hour
        print(f"{course.name:<{width}}  {course.id!s:<36}  {quota}")
    return 0


def quota_command(args: argparse.Namespace) -> int:
    """Set the quota of the course named by id or name."""
    per_hour = None if args.per_hour.lower() == "none" else _count(args.per_hour)

    async def set_quota() -> CourseView | None:
        course = await courses.resolve(args.course)
        return await courses.set_quota(course, per_hour, Scope.everything())

    course = with_storage(set_quota)
    if course is None:
        raise courses.CourseError(f"no course with id or name {args.course!r}")
    quota = "no quota" if per_hour is None else f"{per_hour} submissions per hour"
    print(f"course {course.name}: {quota}")
    return 0


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise courses.CourseError(f"quota must be a whole number or `none`, not {text!r}") from None
