"""The pipeline on the real Postgres and Docker: idempotent recording and settling."""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import pytest

from grading.suite import Case, Isolation, Suite
from runners import assignments, pipeline
from runners.access import courses
from runners.pipeline import Entry, Target
from runners.queue import tasks
from runners.settings import Settings
from runners.store import clock
from runners.store.tables import Batch, Build, CaseRun, Submission
from runners.suites.compile_cache import build_key

pytestmark = [pytest.mark.docker, pytest.mark.services]

SUITE = Suite(
    name="double",
    cases=[
        Case(name="one", stdin="1\n", expected_output="2\n"),
        Case(name="two", stdin="2\n", expected_output="4\n", visibility="hidden", points=3),
    ],
)
RIGHT = "print(2 * int(input()))"
WRONG = "print(int(input()) + 2)"


async def c_target(settings: Settings) -> Target:
    """A fresh assignment of the doubling suite in C, in the default course."""
    course = await courses.ensure_default()
    suite = msgspec.structs.replace(SUITE, name=f"double-c-{uuid.uuid4()}", language="c")
    assignment = (await assignments.create(settings, suite.name, suite, course)).id
    return Target(assignment=assignment, course=course, suite=suite)


async def accepted_batch(
    settings: Settings, codes: dict[str, str], isolation: Isolation | None = None
) -> pipeline.Accepted:
    course = await courses.ensure_default()
    name = f"double-{uuid.uuid4()}"
    assignment = (await assignments.create(settings, name, SUITE, course)).id
    target = Target(assignment=assignment, course=course, suite=SUITE)
    entries = [Entry(student=student, code=code) for student, code in codes.items()]
    return await pipeline.accept(settings, target, entries, batch=True, isolation=isolation)


async def grade_all(accepted: pipeline.Accepted) -> list[pipeline.Settled]:
    """Run every task the accepted work needs, all at once, as racing workers would."""
    work = accepted.work
    return await asyncio.gather(
        *(tasks.process(case) for case in work.cases),
        *(tasks.process_submission(submission) for submission in work.submissions),
    )


async def verdicts(batch: uuid.UUID | None) -> dict[str, tuple[str, float]]:
    rows = await Submission.select(Submission.student, Submission.verdict, Submission.score).where(
        Submission.batch == batch
    )
    return {r["student"]: (r["verdict"], r["score"]) for r in rows}


async def test_accept_records_every_case_before_anything_runs(
    database: None, settings: Settings
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT, "bob": WRONG})
    assert len(accepted.cases) == 4
    statuses = await CaseRun.select(CaseRun.status).where(CaseRun.id.is_in(accepted.cases))
    assert {row["status"] for row in statuses} == {"queued"}
    batch = await Batch.select().where(Batch.id == accepted.batch).first()
    assert batch is not None
    assert (batch["status"], batch["total"]) == ("queued", 2)


async def test_a_case_delivered_twice_is_recorded_once(
    database: None, settings: Settings, docker_engine: object
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT})
    case = accepted.cases[0]
    await asyncio.gather(tasks.process(case), tasks.process(case))
    await tasks.process(case)
    row = await CaseRun.select(CaseRun.attempts, CaseRun.status).where(CaseRun.id == case).first()
    assert row == {"attempts": 1, "status": "done"}


async def test_last_case_settles_submission_and_batch_exactly_once(
    database: None, settings: Settings, docker_engine: object
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT, "bob": WRONG})
    outcomes = await asyncio.gather(*(tasks.process(case) for case in accepted.cases))
    completed = [o.completed_batch for o in outcomes if o.completed_batch is not None]
    assert completed == [accepted.batch]
    rows = await Submission.select(Submission.student, Submission.verdict, Submission.score).where(
        Submission.batch == accepted.batch
    )
    assert {r["student"]: (r["verdict"], r["score"]) for r in rows} == {
        "ann": ("passed", 4.0),
        "bob": ("wrong_answer", 3.0),  # n + 2 is right for 2 only
    }
    again = await asyncio.gather(*(tasks.process(case) for case in accepted.cases))
    assert all(o.completed_batch is None and o.submission is None for o in again)


async def test_a_case_held_past_its_deadline_goes_to_another_worker(
    database: None, settings: Settings
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT})
    case = accepted.cases[0]
    from datetime import timedelta

    assert await pipeline.claim(case, timedelta(seconds=60), "test:1") is not None
    assert await pipeline.claim(case, timedelta(seconds=60), "test:1") is None
    await CaseRun.update({CaseRun.deadline: clock.now() - timedelta(seconds=1)}).where(
        CaseRun.id == case
    )
    assert await pipeline.claim(case, timedelta(seconds=60), "test:1") is not None


async def test_limits_above_the_maxima_are_refused_when_the_suite_arrives(
    database: None, settings: Settings
) -> None:
    from runners.errors import LimitError

    greedy = Suite(name="greedy", time_limit=settings.max_time_limit + 1, cases=SUITE.cases)
    with pytest.raises(LimitError, match="time_limit"):
        await assignments.create(settings, "greedy", greedy, await courses.ensure_default())


async def test_a_case_whose_attempts_all_died_is_recorded_as_an_internal_error(
    database: None, settings: Settings
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT})
    await CaseRun.update({CaseRun.attempts: settings.max_attempts}).where(
        CaseRun.submission.is_in(accepted.submissions)
    )
    outcomes = [await tasks.process(case) for case in accepted.cases]
    assert outcomes[-1].completed_batch == accepted.batch
    rows = await CaseRun.select(CaseRun.verdict).where(CaseRun.id.is_in(accepted.cases))
    assert {row["verdict"] for row in rows} == {"internal_error"}
    submission = (
        await Submission.select(Submission.verdict)
        .where(Submission.id == accepted.submissions[0])
        .first()
    )
    assert submission == {"verdict": "internal_error"}


async def test_a_finished_run_queues_its_signed_webhook(
    database: None, settings: Settings, docker_engine: object
) -> None:
    from runners import runs
    from runners.access.keys import create_key
    from runners.access.scope import Scope
    from runners.store.tables import Delivery

    key = await create_key("instructor")
    run_id = await runs.create(
        settings,
        runs.RunSpec(code="print(6 * 7)"),
        key.courses[0],
        owner=str(key.id),
        callback_url="http://127.0.0.1:9/hook",
    )
    await tasks.execute(run_id)
    await tasks.execute(run_id)
    view = await runs.view(run_id, Scope.everything())
    assert view is not None
    assert (view.status, view.stdout) == ("ok", "42\n")
    deliveries = await Delivery.select(Delivery.event_type, Delivery.url, Delivery.course).where(
        Delivery.subject == str(run_id)
    )
    hook = "http://127.0.0.1:9/hook"
    assert deliveries == [{"event_type": "run.completed", "url": hook, "course": key.courses[0]}]


DOUBLE_C = (
    '#include <stdio.h>\nint main(void) { int n; scanf("%d", &n); printf("%d\\n", 2 * n); }\n'
)


async def test_a_compiled_submission_compiles_once_for_all_its_cases(
    database: None, settings: Settings, docker_engine: object
) -> None:
    target = await c_target(settings)
    entries = [Entry(student="ann", code=DOUBLE_C), Entry(student="bob", code=DOUBLE_C + " ")]
    accepted = await pipeline.accept(settings, target, entries, batch=True)
    await asyncio.gather(*(tasks.process(case) for case in accepted.cases))
    rows = await Submission.select(Submission.verdict).where(Submission.batch == accepted.batch)
    assert [row["verdict"] for row in rows] == ["passed", "passed"]
    keys = {build_key("c", code, {}) for code in (DOUBLE_C, DOUBLE_C + " ")}
    builds = await Build.select(Build.key, Build.status).where(Build.key.is_in(list(keys)))
    assert sorted(row["status"] for row in builds) == ["done", "done"]  # one per program


async def test_code_that_does_not_compile_fails_every_case_with_the_compilers_words(
    database: None, settings: Settings, docker_engine: object
) -> None:
    target = await c_target(settings)
    broken = DOUBLE_C.replace(";", "", 1) + f"// {uuid.uuid4()}\n"
    accepted = await pipeline.accept(settings, target, [Entry(student="cy", code=broken)])
    await asyncio.gather(*(tasks.process(case) for case in accepted.cases))
    results = await pipeline.case_results(accepted.submissions[0])
    assert [r.verdict for r in results] == ["compile_error", "compile_error"]
    assert results[0].message is not None
    assert "error:" in results[0].message


async def test_a_compiled_submission_in_submission_isolation_runs_its_artefact_for_every_case(
    database: None, settings: Settings, docker_engine: object
) -> None:
    target = await c_target(settings)
    code = DOUBLE_C + f"// {uuid.uuid4()}\n"
    entries = [Entry(student="dee", code=code)]
    accepted = await pipeline.accept(settings, target, entries, isolation="submission")
    assert accepted.work.submissions == accepted.submissions
    await tasks.process_submission(accepted.submissions[0])
    results = await pipeline.case_results(accepted.submissions[0])
    assert [r.verdict for r in results] == ["passed", "passed"]
    built = await Build.select(Build.status).where(Build.key == build_key("c", code, {}))
    assert built == [{"status": "done"}]


async def test_submission_isolation_queues_one_task_per_submission(
    database: None, settings: Settings
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT, "bob": WRONG}, "submission")
    assert accepted.work == pipeline.Work(submissions=accepted.submissions)
    by_default = await accepted_batch(settings, {"ann": RIGHT})
    assert by_default.work == pipeline.Work(cases=by_default.cases)


@pytest.mark.parametrize("isolation", ["case", "submission"])
async def test_both_isolations_give_the_same_verdicts_and_settle_once(
    database: None, settings: Settings, docker_engine: object, isolation: Isolation
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT, "bob": WRONG}, isolation)
    outcomes = await grade_all(accepted)
    assert [o.completed_batch for o in outcomes if o.completed_batch] == [accepted.batch]
    assert await verdicts(accepted.batch) == {
        "ann": ("passed", 4.0),
        "bob": ("wrong_answer", 3.0),
    }


async def test_a_submission_delivered_twice_records_each_case_once(
    database: None, settings: Settings, docker_engine: object
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT}, "submission")
    submission = accepted.submissions[0]
    first, second = await asyncio.gather(
        tasks.process_submission(submission), tasks.process_submission(submission)
    )
    again = await tasks.process_submission(submission)
    rows = await CaseRun.select(CaseRun.attempts, CaseRun.status).where(
        CaseRun.submission == submission
    )
    assert rows == [{"attempts": 1, "status": "done"}] * 2
    assert [first.submission is None, second.submission is None].count(False) == 1
    assert again == pipeline.Settled()


async def test_a_submission_whose_worker_died_is_taken_over_and_recorded_once(
    database: None, settings: Settings, docker_engine: object
) -> None:
    from datetime import timedelta

    accepted = await accepted_batch(settings, {"ann": RIGHT, "bob": WRONG}, "submission")
    dead = accepted.submissions[0]
    held = await pipeline.claim_submission(settings, dead, timedelta(seconds=60), "test:1")
    assert [claim.case.name for claim in held] == ["one", "two"]
    assert await pipeline.claim_submission(settings, dead, timedelta(seconds=60), "test:1") == []
    await CaseRun.update({CaseRun.deadline: clock.now() - timedelta(seconds=1)}).where(
        CaseRun.submission == dead
    )
    await grade_all(accepted)
    rows = await CaseRun.select(CaseRun.attempts, CaseRun.verdict).where(CaseRun.submission == dead)
    assert rows == [{"attempts": 2, "verdict": "passed"}] * 2
    assert await verdicts(accepted.batch) == {
        "ann": ("passed", 4.0),
        "bob": ("wrong_answer", 3.0),
    }


async def test_unfinished_work_of_a_whole_submission_is_the_submission_not_its_cases(
    database: None, settings: Settings
) -> None:
    accepted = await accepted_batch(settings, {"ann": RIGHT}, "submission")
    assert await pipeline.unfinished(accepted.submissions) == pipeline.Work(
        submissions=accepted.submissions
    )
