"""What one caller may see: its courses, its student, its own runs, as conditions on queries.

Every query that reads or writes a course's rows on a caller's behalf takes a `Scope` and adds
its conditions to the query itself, so a row outside the scope is never read: another course's
id answers exactly as a missing id does (None, hence 404). The API builds a scope from the
key's principal (`Scope.of`); the operator's own commands (`oops grade`, `oops export`) and the
workers see everything (`Scope.everything`).

    admin        every course
    instructor   its courses; of single runs, only those its key asked for
    student      its one course; of submissions, only its student's; of runs, only its own
"""

from __future__ import annotations

from uuid import UUID

import msgspec
from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from runners.access.principal import Principal

ALWAYS = "1 = 1"
NEVER = "1 = 0"


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """The rows a caller may see. `None` in a field means no restriction on it."""

    courses: frozenset[UUID] | None
    student: str | None = None
    owner: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Scope:
        """The scope of an authenticated key."""
        if principal.role == "admin":
            return cls(courses=None)
        return cls(
            courses=frozenset(principal.courses),
            student=principal.student if principal.role == "student" else None,
            owner=str(principal.key_id),
        )

    @classmethod
    def everything(cls) -> Scope:
        """The operator's scope: every course, every student, every run."""
        return cls(courses=None)

    @property
    def for_a_student(self) -> bool:
        """Whether the caller is a student, who sees hidden cases without their data."""
        return self.student is not None

    def includes(self, course_id: UUID) -> bool:
        """Whether a row of `course_id` is within the scope."""
        return self.courses is None or course_id in self.courses

    def in_courses(self, course: Column) -> Combinable:
        """A condition keeping rows whose `course` column is one of the caller's courses."""
        if self.courses is None:
            return WhereRaw(ALWAYS)
        if not self.courses:
            return WhereRaw(NEVER)
        return course.is_in(sorted(self.courses, key=str))

    def of_student(self, student: Column) -> Combinable:
        """A condition keeping a student key to its own student's rows."""
        return WhereRaw(ALWAYS) if self.student is None else student == self.student

    def of_owner(self, owner: Column) -> Combinable:
        """A condition keeping a key other than an admin's to the rows it created."""
        return WhereRaw(ALWAYS) if self.owner is None else owner == self.owner
