"""Grading a student's unit-test report: one result per manifest test, the total never moving."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.junit import Report, ReportedTest, TestStatus, parse_report
from grading.manifest import build_manifest
from grading.outcome import Verdict
from grading.redact import student_view
from grading.unit import Manifest, ManifestGroup, ManifestTest, UnitSuite
from grading.unitjudge import NOT_REPORTED, RunFailure, judge_report

REPORTS = Path(__file__).parent / "reports"
PASS, WA, RTE, TLE = Verdict.PASSED, Verdict.WRONG_ANSWER, Verdict.RUNTIME_ERROR, Verdict.TIMEOUT


def manifest(*tests: ManifestTest, groups: list[ManifestGroup] | None = None) -> Manifest:
    groups = groups or [ManifestGroup(name="main")]
    total = sum(test.points for test in tests)
    return Manifest(
        suite="s", framework="pytest", tests=list(tests), groups=groups, max_score=total
    )


def mtest(test_id: str, points: float = 1, **fields: object) -> ManifestTest:
    return msgspec.convert(
        {"id": test_id, "name": test_id, "points": points, **fields}, ManifestTest
    )


def reported(test_id: str, status: str = "passed", **fields: object) -> ReportedTest:
    return msgspec.convert(
        {"id": test_id, "name": test_id, "status": status, **fields}, ReportedTest
    )


def report(*tests: ReportedTest) -> Report:
    return Report(framework="pytest", tests=list(tests))


def test_passed_tests_earn_their_points_and_failed_ones_nothing() -> None:
    graded = judge_report(
        manifest(mtest("a", 2), mtest("b", 3)),
        "ada",
        report(reported("a"), reported("b", "failed", message="assert 3 == 4")),
    )
    assert [(c.name, c.verdict, c.points, c.max_points) for c in graded.cases] == [
        ("a", PASS, 2, 2),
        ("b", WA, 0, 3),
    ]
    assert (graded.student, graded.verdict, graded.score, graded.max_score) == ("ada", WA, 2, 5)


@pytest.mark.parametrize(
    ("test", "verdict", "message"),
    [
        pytest.param(
            reported("a", "failed", message="assert 3 == 4"), WA, "assert 3 == 4", id="failed"
        ),
        pytest.param(
            reported("a", "error", message="NameError: name 'x' is not defined"),
            RTE,
            "NameError: name 'x' is not defined",
            id="error",
        ),
        pytest.param(
            reported("a", "failed", message="Failed: Timeout >1.0s", timed_out=True),
            TLE,
            "Failed: Timeout >1.0s",
            id="per-test-timeout",
        ),
        pytest.param(
            reported("a", "skipped", message="needs numpy"),
            WA,
            "skipped: needs numpy",
            id="skipped",
        ),
    ],
)
def test_each_outcome_maps_to_a_verdict_with_the_frameworks_message(
    test: ReportedTest, verdict: Verdict, message: str
) -> None:
    (case,) = judge_report(manifest(mtest("a")), "ada", report(test)).cases
    assert (case.verdict, case.points, case.message) == (verdict, 0, message)


@pytest.mark.parametrize(
    ("message", "verdict"),
    [
        pytest.param("assert [2, 3] == [2, 3, 5]\n  Right contains one more item", WA, id="assert"),
        pytest.param("AssertionError: the list is short\nassert False", WA, id="assert-message"),
        pytest.param("Failed: DID NOT RAISE <class 'ValueError'>", WA, id="pytest-raises"),
        pytest.param("Failed: the answer is 4", WA, id="pytest-fail"),
        pytest.param("RecursionError: maximum recursion depth exceeded", RTE, id="recursion"),
        pytest.param("SystemExit: 0", RTE, id="sys-exit"),
        pytest.param("StopIteration", RTE, id="bare-exception-name"),
        pytest.param("numpy.linalg.LinAlgError: Singular matrix", RTE, id="dotted-name"),
        pytest.param("KeyError: 'x'", RTE, id="key-error"),
    ],
)
def test_a_pytest_failure_that_raised_something_else_than_an_assertion_is_a_runtime_error(
    message: str, verdict: Verdict
) -> None:
    failing = reported("a", "failed", message=message)
    (case,) = judge_report(manifest(mtest("a")), "ada", report(failing)).cases
    assert (case.verdict, case.points) == (verdict, 0)


def test_other_frameworks_keep_their_failures_as_wrong_answers() -> None:
    junit5 = msgspec.structs.replace(manifest(mtest("a")), framework="junit5")
    failing = reported("a", "failed", message="org.opentest4j.AssertionFailedError: no")
    (case,) = judge_report(junit5, "ada", Report(framework="junit5", tests=[failing])).cases
    assert case.verdict == WA


def test_the_message_carries_the_details_and_a_diff_of_the_values() -> None:
    failing = reported(
        "a",
        "failed",
        message="expected: <4> but was: <3>",
        details="org.opentest4j.AssertionFailedError: expected: <4> but was: <3>\n\tat T.a()",
    )
    (case,) = judge_report(manifest(mtest("a")), "ada", report(failing)).cases
    assert case.message is not None
    assert case.message.startswith("expected: <4> but was: <3>\n\norg.opentest4j")
    assert case.diff == "--- expected\n+++ actual\n@@ -1 +1 @@\n-4\n+3"


def test_partial_credit_earns_the_reported_score_clamped_to_the_points() -> None:
    tests = [
        mtest("half", 4, partial=True),
        mtest("over", 4, partial=True),
        mtest("none", 4, partial=True),
    ]
    graded = judge_report(
        manifest(*tests),
        "ada",
        report(reported("half", score=2), reported("over", score=40), reported("none")),
    )
    assert [case.points for case in graded.cases] == [2, 4, 4]


def test_a_score_is_ignored_unless_the_reference_declared_partial_credit() -> None:
    (case,) = judge_report(manifest(mtest("a", 4)), "ada", report(reported("a", score=1))).cases
    assert case.points == 4


def test_a_test_missing_from_the_report_failed_because_the_run_ended() -> None:
    graded = judge_report(manifest(mtest("a"), mtest("b")), "ada", report(reported("a")))
    assert [(c.verdict, c.message) for c in graded.cases] == [(PASS, None), (RTE, NOT_REPORTED)]
    assert NOT_REPORTED == "not reported: the test run ended before this test finished"


def test_an_error_outside_the_manifests_tests_is_given_as_the_reason() -> None:
    collection = parse_report((REPORTS / "pytest-collection-error.xml").read_bytes(), "pytest")
    (case,) = judge_report(
        manifest(mtest("tests/test_primes.py::test_two")), "ada", collection
    ).cases
    assert case.verdict == RTE
    assert case.message is not None
    assert case.message.startswith("not reported: the tests could not run: collection failure")
    assert "cannot import name 'is_prime'" in case.message


def test_the_runs_failure_explains_the_tests_it_did_not_reach() -> None:
    timeout = RunFailure(verdict=TLE, message="killed after 60.0 s")
    graded = judge_report(manifest(mtest("a"), mtest("b")), "ada", report(reported("a")), timeout)
    assert [(c.verdict, c.message) for c in graded.cases] == [
        (PASS, None),
        (TLE, "killed after 60.0 s"),
    ]


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(
            RunFailure(verdict=Verdict.COMPILE_ERROR, message="did not compile"), id="compile"
        ),
        pytest.param(
            RunFailure(verdict=RTE, message="ModuleNotFoundError: No module named 'primes'"),
            id="import",
        ),
        pytest.param(RunFailure(verdict=TLE, message="killed after 60.0 s"), id="timeout"),
        pytest.param(
            RunFailure(verdict=Verdict.MEMORY_LIMIT, message="exceeded 512 MiB"), id="memory"
        ),
    ],
)
def test_without_a_report_every_test_fails_with_the_runs_verdict(failure: RunFailure) -> None:
    graded = judge_report(manifest(mtest("a", 2), mtest("b", 3)), "ada", None, failure)
    assert [(c.verdict, c.message, c.points) for c in graded.cases] == [
        (failure.verdict, failure.message, 0),
        (failure.verdict, failure.message, 0),
    ]
    assert (graded.verdict, graded.score, graded.max_score) == (failure.verdict, 0, 5)


def test_a_missing_test_never_passes_whatever_verdict_the_run_was_given() -> None:
    passed = RunFailure(verdict=PASS, message="?")
    (case,) = judge_report(manifest(mtest("a")), "ada", None, passed).cases
    assert case.verdict == RTE


def test_tests_the_manifest_does_not_list_are_ignored() -> None:
    graded = judge_report(
        manifest(mtest("a")), "ada", report(reported("a"), reported("planted", points=100))
    )
    assert ([c.name for c in graded.cases], graded.score, graded.max_score) == (["a"], 1, 1)


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(["failed", "passed"], id="copy-after"),
        pytest.param(["passed", "failed"], id="copy-before"),
    ],
)
def test_a_passing_copy_of_a_failed_test_does_not_count(order: list[str]) -> None:
    tests = [reported("a", status) for status in order]
    (case,) = judge_report(manifest(mtest("a")), "ada", report(*tests)).cases
    assert (case.verdict, case.points) == (WA, 0)


def test_results_follow_the_manifests_order_not_the_reports() -> None:
    graded = judge_report(
        manifest(mtest("a"), mtest("b"), mtest("c")),
        "ada",
        report(reported("c"), reported("b", "failed"), reported("a")),
    )
    assert [case.name for case in graded.cases] == ["a", "b", "c"]
    assert graded.verdict == WA


def test_groups_score_as_io_groups_do() -> None:
    tests = [mtest("a", group="main"), mtest("b", 2, group="all"), mtest("c", 2, group="all")]
    groups = [ManifestGroup(name="main"), ManifestGroup(name="all", scoring="all", points=10)]
    graded = judge_report(
        Manifest(suite="s", framework="pytest", tests=tests, groups=groups, max_score=11),
        "ada",
        report(reported("a"), reported("b"), reported("c", "failed")),
    )
    assert (graded.score, graded.max_score) == (1, 11)
    assert [case.group for case in graded.cases] == ["main", "all", "all"]


def test_hidden_tests_keep_their_verdict_and_lose_their_message_for_students() -> None:
    graded = judge_report(
        manifest(mtest("a", visibility="hidden")),
        "ada",
        report(reported("a", "failed", message="expected: <secret> but was: <guess>")),
    )
    (case,) = student_view(graded).cases
    assert (case.verdict, case.message, case.diff, case.visibility) == (WA, None, None, "hidden")


def test_a_real_junit5_run_graded_against_its_reference() -> None:
    student = parse_report((REPORTS / "junit5.xml").read_bytes(), "junit5")
    reference = Report(
        framework="junit5",
        tests=[msgspec.structs.replace(t, status=TestStatus.PASSED) for t in student.tests],
    )
    suite = msgspec.convert(
        {
            "kind": "unit",
            "name": "primes",
            "language": "java",
            "framework": "junit5",
            "tests": {"PrimesTest.java": ""},
            "submit": ["Primes.java"],
            "reference": {"Primes.java": ""},
            "points": [{"match": "PrimesTest::isPrime(int)[*]", "points": 2}],
        },
        UnitSuite,
    )
    graded = judge_report(build_manifest(suite, reference), "ada", student)
    assert [(c.name, c.verdict, c.points, c.max_points) for c in graded.cases] == [
        ("PrimesTest::twoIsPrime()", PASS, 1, 1),
        ("PrimesTest::sevenIsPrime()", WA, 0, 1),
        ("PrimesTest::isPrime(int)[1]", RTE, 0, 2),
        ("PrimesTest::slowSieve()", TLE, 0, 1),
        ("PrimesTest::negatives()", WA, 0, 1),
    ]
    assert (graded.score, graded.max_score) == (1, 6)


statuses = st.sampled_from(list(TestStatus))


@given(
    points=st.lists(st.floats(0, 100), min_size=1, max_size=6),
    outcomes=st.lists(
        st.tuples(st.integers(0, 8), statuses, st.none() | st.floats(-1e6, 1e6)), max_size=12
    ),
    no_report=st.booleans(),
)
def test_the_score_stays_within_zero_and_the_manifests_maximum(
    points: list[float],
    outcomes: list[tuple[int, TestStatus, float | None]],
    no_report: bool,
) -> None:
    tests = [mtest(f"t{i}", p, partial=i % 2 == 0) for i, p in enumerate(points)]
    the_manifest = manifest(*tests)
    the_report = report(*(reported(f"t{i}", s, score=score) for i, s, score in outcomes))
    graded = judge_report(the_manifest, "ada", None if no_report else the_report)
    assert 0 <= graded.score <= graded.max_score
    assert graded.max_score == round(sum(points), 6)
    assert [case.name for case in graded.cases] == [test.id for test in tests]
