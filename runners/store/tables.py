"""What OopsEngine records: courses, assignments and their suites, batches, submissions, runs.

The database, not the queue, is the record of what remains to be done: every case a submission
needs has a `CaseRun` row from the moment the submission is accepted, and a case is finished
only when its row says `done`. `CaseRun.key` (submission and case name) is unique, so a case
delivered twice is recorded once.

Every assignment, batch, submission, run and webhook delivery carries the course it belongs to
(`course`), so a query can keep to the caller's courses with one condition on its own table;
a batch's and a submission's course is their assignment's. Keys other than admin keys belong to
courses through `KeyCourse`. `course` is nullable only so that older databases can gain it in
place; every row written since has one (see `runners.access.courses`).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    ForeignKey,
    Integer,
    Real,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from runners.store.states import BuildState, CaseState, DeliveryState, Leased, WorkState


class Course(Table):
    """One class: it owns its assignments, batches, submissions, runs, deliveries and keys.

    `submissions_per_hour` caps the submissions the course may send in a clock hour (None: no
    cap), beside each key's own rate limit.
    """

    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    submissions_per_hour = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Assignment(Table):
    """A named suite that submissions are graded against; `version` grows when it is replaced."""

    id = UUID(primary_key=True)
    course = ForeignKey(references=Course, index=True)
    name = Varchar(length=200)
    suite = JSON()
    suite_digest = Varchar(length=64, index=True)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Batch(Table):
    """Many students' submissions graded together; `completed` once every one is."""

    id = UUID(primary_key=True)
    course = ForeignKey(references=Course, index=True)
    assignment = ForeignKey(references=Assignment)
    status = Varchar(length=16, default=WorkState.QUEUED.value, index=True)
    total = Integer(default=0)
    callback_url = Text(null=True, default=None)
    owner = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    completed_at = Timestamptz(null=True, default=None)


class Submission(Table):
    """One student's code for one assignment, and its graded result once every case is done.

    `isolation` says how its cases are queued: one task per case (`case`) or one task for all
    of them (`submission`); it is the suite's unless the batch or `oops grade` chose another.
    """

    id = UUID(primary_key=True)
    course = ForeignKey(references=Course, index=True)
    assignment = ForeignKey(references=Assignment, index=True)
    batch = ForeignKey(references=Batch, null=True, index=True)
    student = Varchar(length=200, index=True)
    language = Varchar(length=32, default="python")
    isolation = Varchar(length=16, default="case")
    code = Text()
    code_digest = Varchar(length=64, index=True)
    status = Varchar(length=16, default=WorkState.QUEUED.value, index=True)
    verdict = Varchar(length=32, null=True, default=None)
    score = Real(null=True, default=None)
    max_score = Real(null=True, default=None)
    result = JSON(null=True, default=None)
    callback_url = Text(null=True, default=None)
    owner = Varchar(length=64, null=True, default=None)
    submitted_at = Timestamptz(default=TimestamptzNow())
    completed_at = Timestamptz(null=True, default=None)


class CaseRun(Table):
    """One case of one submission: queued, running (until `deadline`) or done with a result.

    A running case names its `claimant`, the worker (`host:pid:nonce`) that holds it, so a
    worker whose heartbeat stopped can have its cases taken back at once. A queued case with a
    `deadline` is waiting to be retried after the infrastructure failed it.
    """

    id = UUID(primary_key=True)
    key = Varchar(length=300, unique=True)
    submission = ForeignKey(references=Submission, index=True)
    case_name = Varchar(length=200)
    position = Integer()
    status = Varchar(length=16, default=CaseState.QUEUED.value, index=True)
    attempts = Integer(default=0)
    deadline = Timestamptz(null=True, default=None)
    claimant = Varchar(length=128, null=True, default=None)
    verdict = Varchar(length=32, null=True, default=None)
    points = Real(null=True, default=None)
    result = JSON(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class Build(Table):
    """A program compiled once for every run of it: a submission's, or a suite's checker.

    `key` is a digest of the language, its compile command and the sources, so the same code
    compiles once however many cases, workers and identical submissions need it. `compiling`
    until `deadline` (the worker compiling it holds it), then `done` with the artefact (its
    files, bounded by `max_artefact_bytes`, or the compile error) as JSON.
    """

    id = UUID(primary_key=True)
    key = Varchar(length=64, unique=True)
    status = Varchar(length=16, default=BuildState.COMPILING.value)
    deadline = Timestamptz(null=True, default=None)
    artefact = JSON(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Run(Table):
    """A single run asked for over the API: its request, and its result once it ran.

    `api` is the API that asked for it (`v1`, `judge0`, `piston`): its callback takes that shape.
    """

    id = UUID(primary_key=True)
    course = ForeignKey(references=Course, index=True)
    owner = Varchar(length=64, null=True, default=None, index=True)
    api = Varchar(length=16, default="v1")
    status = Varchar(length=16, default=Leased.QUEUED.value, index=True)
    request = JSON()
    result = JSON(null=True, default=None)
    callback_url = Text(null=True, default=None)
    attempts = Integer(default=0)
    deadline = Timestamptz(null=True, default=None)
    claimant = Varchar(length=128, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    completed_at = Timestamptz(null=True, default=None)


class ApiKey(Table):
    """One API key: its hash, its role, the student it speaks for, and its webhook secret."""

    id = UUID(primary_key=True)
    prefix = Varchar(length=12)
    key_hash = Varchar(length=64, unique=True)
    role = Varchar(length=16)
    student = Varchar(length=200, null=True, default=None)
    webhook_secret = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class KeyCourse(Table):
    """A course a key belongs to: a student key has one, an instructor key one or more."""

    api_key = ForeignKey(references=ApiKey, index=True)
    course = ForeignKey(references=Course, index=True)


class Delivery(Table):
    """One event for one receiver: its exact body, the HTTP method, and where its retries stand."""

    id = UUID(primary_key=True)
    course = ForeignKey(references=Course, index=True)
    subject = Varchar(length=200, index=True)
    event_type = Varchar(length=64)
    url = Text()
    method = Varchar(length=8, default="POST")
    body = Text()
    api_key = ForeignKey(references=ApiKey)
    status = Varchar(length=16, default=DeliveryState.PENDING.value)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    delivered_at = Timestamptz(null=True, default=None)


class DeliveryAttempt(Table):
    """One try at sending a delivery, whatever came of it."""

    id = UUID(primary_key=True)
    delivery = ForeignKey(references=Delivery, index=True)
    attempted_at = Timestamptz(default=TimestamptzNow())
    status_code = Integer(null=True, default=None)
    error = Text(null=True, default=None)
    duration_ms = Integer()


TABLES: tuple[type[Table], ...] = (
    Course,
    Assignment,
    Batch,
    Submission,
    CaseRun,
    Build,
    Run,
    ApiKey,
    KeyCourse,
    Delivery,
    DeliveryAttempt,
)
