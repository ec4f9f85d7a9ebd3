"""The life of a graded submission in the database, from accepted to settled.

    accept   one transaction writes the submissions (and their batch) and a `queued` CaseRun per
             case: from then on the database knows everything that remains to be done
    claim    a worker takes a case: `queued`, or `running` past its deadline (its worker died);
             in `submission` isolation it takes every such case of one submission at once. It
             writes its own name as the claimant, so the reconciler can hand the case back as
             soon as that worker's heartbeat stops (see `runners.queue.reconciler`)
    record   the case's result is written once; a second delivery finds it `done` and stops
    settle   when a submission's last case lands it is scored, and when a batch's last
             submission settles the batch is `completed`; conditional updates make each
             transition happen exactly once however many workers race for it

Every step is idempotent, because the queue delivers at least once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import msgspec

from grading.documents import decode_stored
from grading.kinds import AnySuite, grouping, plan, score
from grading.results import CaseResult, SubmissionResult
from grading.scoring import PlannedCase
from grading.suite import Case, Isolation
from runners.access.scope import Scope
from runners.monitor.backlog import check_room
from runners.sandbox.limits import check_program
from runners.settings import Settings
from runners.store.clock import now
from runners.store.database import bound
from runners.store.lease import take, take_where
from runners.store.states import CaseState, WorkState
from runners.store.tables import Assignment, Batch, CaseRun, Submission
from runners.suites import kind_of

INSERT_CHUNK = 500


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """One student's code as it arrives, before it is recorded."""

    student: str
    code: str
    language: str | None = None
    """None: the suite's language."""


class Work(msgspec.Struct, frozen=True, kw_only=True):
    """What to put on the queue: cases graded one per task, submissions graded whole."""

    cases: list[uuid.UUID] = msgspec.field(default_factory=list)
    submissions: list[uuid.UUID] = msgspec.field(default_factory=list)


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    """What `accept` wrote: the batch (if any), the submissions, their cases, the work to queue."""

    batch: uuid.UUID | None
    submissions: list[uuid.UUID]
    cases: list[uuid.UUID]
    work: Work


class Target(msgspec.Struct, frozen=True, kw_only=True):
    """An assignment submissions go to: its current suite and the course it belongs to."""

    assignment: uuid.UUID
    course: uuid.UUID
    suite: AnySuite


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """A case a worker now owns until its deadline: everything needed to grade it."""

    case_run: uuid.UUID
    submission: uuid.UUID
    suite: AnySuite
    case: Case
    group: str
    code: str
    language: str
    attempt: int
    position: int = 0


class Settled(msgspec.Struct, frozen=True, kw_only=True):
    """What settling a submission changed: its result, and the batch it completed, if any."""

    submission: SubmissionResult | None = None
    completed_batch: uuid.UUID | None = None


def digest(text: str) -> str:
    """A stable fingerprint of a suite document or of submitted code."""
    return hashlib.sha256(text.encode()).hexdigest()


async def load_target(assignment_id: uuid.UUID, scope: Scope) -> Target | None:
    """The assignment's suite and course, or None when there is no such one within the scope."""
    row = (
        await Assignment.select(Assignment.suite, Assignment.course)
        .where((Assignment.id == assignment_id) & scope.in_courses(Assignment.course))
        .first()
    )
    if row is None:
        return None
    return Target(
        assignment=assignment_id,
        course=row["course"],
        suite=decode_stored(row["suite"]),
    )


async def accept(
    config: Settings,
    target: Target,
    entries: Sequence[Entry],
    batch: bool = False,
    callback_url: str | None = None,
    owner: str | None = None,
    isolation: Isolation | None = None,
) -> Accepted:
    """Write submissions (in a batch when asked) and their queued cases in one transaction.

    Every entry is checked first, so a refused request writes nothing; nothing is accepted
    while the queue is at the operator's cap (`runners.monitor.backlog`). `callback_url` is the
    batch's webhook, or the single submission's when there is no batch. `isolation` overrides
    the suite's for these submissions.
    """
    entries = [
        msgspec.structs.replace(e, language=e.language or target.suite.language) for e in entries
    ]
    for index, entry in enumerate(entries):
        prefix = f"submissions[{index}]." if batch else ""
        check_program(config, entry.code, entry.language or target.suite.language, prefix)
    await check_room(config)
    cases = plan(target.suite)
    batch_id = uuid.uuid4() if batch else None
    own_callback = None if batch else callback_url
    mode = grouping(target.suite, isolation)
    submissions = [
        _submission_row(target, batch_id, entry, owner, own_callback, mode) for entry in entries
    ]
    case_rows = [
        _case_row(row, planned.case.name, planned.index) for row in submissions for planned in cases
    ]
    async with bound().transaction():
        if batch_id is not None:
            await Batch.insert(
                Batch(
                    id=batch_id,
                    assignment=target.assignment,
                    course=target.course,
                    total=len(submissions),
                    callback_url=callback_url,
                    owner=owner,
                )
            )
        await _insert_chunked(Submission, submissions)
        await _insert_chunked(CaseRun, case_rows)
    submission_ids = [uuid.UUID(str(row.id)) for row in submissions]
    case_ids = [uuid.UUID(str(row.id)) for row in case_rows]
    work = Work(submissions=submission_ids) if mode == "submission" else Work(cases=case_ids)
    return Accepted(batch=batch_id, submissions=submission_ids, cases=case_ids, work=work)


def _submission_row(
    target: Target,
    batch_id: uuid.UUID | None,
    entry: Entry,
    owner: str | None,
    callback_url: str | None,
    isolation: Isolation,
) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        assignment=target.assignment,
        course=target.course,
        batch=batch_id,
        student=entry.student,
        language=entry.language or "python",
        isolation=isolation,
        code=entry.code,
        code_digest=digest(entry.code),
        owner=owner,
        callback_url=callback_url,
    )


def _case_row(submission: Submission, name: str, position: int) -> CaseRun:
    return CaseRun(
        id=uuid.uuid4(),
        key=f"{submission.id}:{name}",
        submission=submission.id,
        case_name=name,
        position=position,
    )


async def _insert_chunked(table: type[Submission] | type[CaseRun], rows: Sequence[object]) -> None:
    for start in range(0, len(rows), INSERT_CHUNK):
        await table.insert(*rows[start : start + INSERT_CHUNK])  # type: ignore[arg-type]


async def claim(case_run_id: uuid.UUID, lease: timedelta, claimant: str) -> Claim | None:
    """Take a case to grade for `claimant`, or None when it is done or another worker holds it."""
    row = await take(
        CaseRun,
        case_run_id,
        lease,
        claimant,
        CaseRun.submission,
        CaseRun.case_name,
        CaseRun.attempts,
    )
    if row is None:
        return None
    return await _claim_of(case_run_id, row["submission"], row["case_name"], row["attempts"])


async def _claim_of(
    case_run_id: uuid.UUID, submission_id: object, case_name: str, attempt: int
) -> Claim | None:
    row = (
        await Submission.select(Submission.code, Submission.language, Submission.assignment.suite)
        .where(Submission.id == submission_id)
        .first()
    )
    if row is None:
        return None
    suite = decode_stored(row["assignment.suite"])
    planned = next((p for p in plan(suite) if p.case.name == case_name), None)
    if planned is None:
        await record(case_run_id, None)
        return None
    return _claim(case_run_id, uuid.UUID(str(submission_id)), suite, planned, row, attempt)


async def claim_submission(
    config: Settings, submission_id: uuid.UUID, lease: timedelta, claimant: str
) -> list[Claim]:
    """Take every free case of one submission to grade in one container, in plan order.

    Free means what `claim` means; cases another worker holds are left to it. The lease grows
    by the cases' time limits, since they run one after another.
    """
    row = (
        await Submission.select(Submission.code, Submission.language, Submission.assignment.suite)
        .where(Submission.id == submission_id)
        .first()
    )
    if row is None:
        return []
    suite = decode_stored(row["assignment.suite"])
    planned = {p.case.name: p for p in plan(suite)}
    running = kind_of(suite).seconds(config, list(planned.values()))
    taken = await take_where(
        CaseRun,
        CaseRun.submission == submission_id,
        lease + timedelta(seconds=running),
        claimant,
        CaseRun.id,
        CaseRun.case_name,
        CaseRun.attempts,
    )
    claims = []
    for case_run in taken:
        case_run_id = uuid.UUID(str(case_run["id"]))
        found = planned.get(case_run["case_name"])
        if found is None:
            await record(case_run_id, None)
            continue
        claims.append(_claim(case_run_id, submission_id, suite, found, row, case_run["attempts"]))
    return sorted(claims, key=lambda claim: claim.position)


def _claim(
    case_run_id: uuid.UUID,
    submission_id: uuid.UUID,
    suite: AnySuite,
    planned: PlannedCase,
    row: dict[str, Any],
    attempt: int,
) -> Claim:
    return Claim(
        case_run=case_run_id,
        submission=submission_id,
        suite=suite,
        case=planned.case,
        group=planned.group,
        position=planned.index,
        code=row["code"],
        language=row["language"],
        attempt=attempt,
    )


async def record(case_run_id: uuid.UUID, result: CaseResult | None) -> bool:
    """Write a case's result unless one is already there; True when this call wrote it.

    `None` records a case that the suite no longer has (it was replaced meanwhile).
    """
    written = (
        await CaseRun.update(
            {
                CaseRun.status: CaseState.DONE,
                CaseRun.claimant: None,
                CaseRun.verdict: result.verdict.value if result else None,
                CaseRun.points: result.points if result else None,
                CaseRun.result: msgspec.json.encode(result).decode() if result else None,
                CaseRun.updated_at: now(),
            }
        )
        .where((CaseRun.id == case_run_id) & (CaseRun.status != CaseState.DONE))
        .returning(CaseRun.id)
    )
    return bool(written)


async def record_all(results: Sequence[tuple[uuid.UUID, CaseResult | None]]) -> int:
    """`record` each case of one submission in one transaction (one commit, not one a case);
    how many this call wrote."""
    async with bound().transaction():
        return sum([await record(case_run_id, result) for case_run_id, result in results])


async def settle(submission_id: uuid.UUID) -> Settled:
    """Score the submission once its last case is done, then complete its batch if it can."""
    if await CaseRun.exists().where(
        (CaseRun.submission == submission_id) & (CaseRun.status != CaseState.DONE)
    ):
        return Settled()
    row = (
        await Submission.select(Submission.student, Submission.batch, Submission.assignment.suite)
        .where(Submission.id == submission_id)
        .first()
    )
    if row is None:
        return Settled()
    suite = decode_stored(row["assignment.suite"])
    result = score(suite, row["student"], await case_results(submission_id))
    flipped = await _complete_submission(submission_id, result)
    batch_id = row["batch"]
    if not flipped or batch_id is None:
        return Settled(submission=result if flipped else None)
    completed = await _complete_batch(uuid.UUID(str(batch_id)))
    return Settled(submission=result, completed_batch=completed)


async def case_results(submission_id: uuid.UUID) -> list[CaseResult]:
    """The recorded results of a submission's cases, in plan order."""
    rows = (
        await CaseRun.select(CaseRun.result)
        .where((CaseRun.submission == submission_id) & CaseRun.result.is_not_null())
        .order_by(CaseRun.position)
    )
    return [msgspec.json.decode(row["result"], type=CaseResult) for row in rows]


async def _complete_submission(submission_id: uuid.UUID, result: SubmissionResult) -> bool:
    done = (
        await Submission.update(
            {
                Submission.status: WorkState.COMPLETED,
                Submission.verdict: result.verdict.value,
                Submission.score: result.score,
                Submission.max_score: result.max_score,
                Submission.result: msgspec.json.encode(result).decode(),
                Submission.completed_at: now(),
            }
        )
        .where((Submission.id == submission_id) & (Submission.status != WorkState.COMPLETED))
        .returning(Submission.id)
    )
    return bool(done)


async def _complete_batch(batch_id: uuid.UUID) -> uuid.UUID | None:
    """Mark the batch completed if every submission is; its id when this call did it."""
    if await Submission.exists().where(
        (Submission.batch == batch_id) & (Submission.status != WorkState.COMPLETED)
    ):
        return None
    done = (
        await Batch.update({Batch.status: WorkState.COMPLETED, Batch.completed_at: now()})
        .where((Batch.id == batch_id) & (Batch.status != WorkState.COMPLETED))
        .returning(Batch.id)
    )
    return batch_id if done else None


async def mark_running(case_run_id: uuid.UUID) -> None:
    """Move the submission and batch of a claimed case from `queued` to `running`."""
    row = (
        await CaseRun.select(CaseRun.submission, CaseRun.submission.batch)
        .where(CaseRun.id == case_run_id)
        .first()
    )
    if row is None:
        return
    await Submission.update({Submission.status: WorkState.RUNNING}).where(
        (Submission.id == row["submission"]) & (Submission.status == WorkState.QUEUED)
    )
    if row["submission.batch"] is not None:
        await Batch.update({Batch.status: WorkState.RUNNING}).where(
            (Batch.id == row["submission.batch"]) & (Batch.status == WorkState.QUEUED)
        )


async def unfinished(submission_ids: Sequence[uuid.UUID]) -> Work:
    """What is not done of these submissions, as queue work, for resuming after an interruption."""
    rows = await CaseRun.select(CaseRun.id, CaseRun.submission, CaseRun.submission.isolation).where(
        CaseRun.submission.is_in(list(submission_ids)) & (CaseRun.status != CaseState.DONE)
    )
    whole = {str(r["submission"]) for r in rows if r["submission.isolation"] == "submission"}
    return Work(
        cases=[uuid.UUID(str(r["id"])) for r in rows if str(r["submission"]) not in whole],
        submissions=[uuid.UUID(submission) for submission in sorted(whole)],
    )


async def release(submission_ids: Sequence[uuid.UUID]) -> None:
    """Put the cases of these submissions held by a process that is gone back to `queued`.

    Single-process mode only. Their attempts start again: the process was interrupted, the case
    did not fail.
    """
    if submission_ids:
        await CaseRun.update(
            {
                CaseRun.status: CaseState.QUEUED,
                CaseRun.deadline: None,
                CaseRun.claimant: None,
                CaseRun.attempts: 0,
            }
        ).where(
            CaseRun.submission.is_in(list(submission_ids)) & (CaseRun.status == CaseState.RUNNING)
        )
