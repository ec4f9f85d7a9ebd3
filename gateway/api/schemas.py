"""Request and answer bodies of the HTTP API, and the checks a body needs before any write.

The structs check shapes (Litestar answers 400 naming the field); the functions below check what
depends on the operator's settings (sizes, languages, callback URLs) and answer 422.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar.datastructures import UploadFile
from msgspec import Meta

from gateway.api.problems import invalid
from grading.suite import Isolation
from runners.runs import RunSpec

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Student = Annotated[str, Meta(min_length=1, max_length=200)]
Language = Annotated[str, Meta(min_length=1, max_length=32)]


class RunCreate(RunSpec, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /v1/runs`: a program to run once, where to announce its result, and the course
    it counts for (needed only from a key of several courses)."""

    callback_url: str | None = None
    course_id: uuid.UUID | None = None

    def spec(self) -> RunSpec:
        """The run itself, without the callback and the course."""
        fields = msgspec.structs.asdict(self)
        del fields["callback_url"], fields["course_id"]
        return RunSpec(**fields)


class Created(msgspec.Struct, frozen=True):
    """What accepting work answers at once: its id, and `queued`."""

    id: uuid.UUID
    status: str


class AssignmentCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /v1/assignments`: a name and a suite document (the JSON form of a suite file), in
    the key's only course or in `course_id` when the key has several."""

    name: Name
    suite: dict[str, Any]
    course_id: uuid.UUID | None = None


class CourseCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /v1/courses` (admins): a new course, and its submissions-per-hour quota if any."""

    name: Name
    submissions_per_hour: int | None = None


class QuotaUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`PUT /v1/courses/{id}/quota` (admins): the new quota, or null to lift it."""

    submissions_per_hour: int | None


class SubmissionCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /v1/assignments/{id}/submissions`; a student key may leave `student` out."""

    code: str
    student: Student | None = None
    language: Language | None = None
    """The submission's language; by default the assignment suite's."""
    callback_url: str | None = None


class BatchEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One student's code in a batch."""

    student: Student
    code: str
    language: Language | None = None
    """The submission's language; by default the assignment suite's."""


class BatchCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /v1/batches`: many students' code for one assignment, graded together.

    `isolation` overrides the suite's for this batch: `case` or `submission`.
    """

    assignment_id: uuid.UUID
    submissions: Annotated[list[BatchEntry], Meta(min_length=1)]
    callback_url: str | None = None
    isolation: Isolation | None = None


class Regrade(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /v1/assignments/{id}/regrade`: where to announce the new batch, if anywhere."""

    callback_url: str | None = None


@dataclass
class PackageUpload:
    """`POST /v1/assignments/package`: a zipped Kattis problem package, and optionally a name
    and the course (as for `POST /v1/assignments`)."""

    package: UploadFile
    name: str | None = None
    course_id: str | None = None

    def course(self) -> uuid.UUID | None:
        """The `course_id` form field as an id, or a 422 naming it."""
        if not self.course_id:
            return None
        try:
            return uuid.UUID(self.course_id)
        except ValueError:
            raise invalid("course_id", f"{self.course_id!r} is not a course id") from None
