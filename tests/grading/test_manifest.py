"""The manifest: tests and points fixed by the reference run, the suite winning over the code."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from grading.errors import SuiteError
from grading.junit import Report, ReportedTest, TestStatus, parse_report
from grading.manifest import build_manifest, rule_for
from grading.unit import ManifestGroup, PointsRule, UnitSuite

REPORTS = Path(__file__).parent / "reports"


def suite(**fields: object) -> UnitSuite:
    """A pytest suite for primes.py, changed by `fields`."""
    document: dict[str, object] = {
        "name": "primes",
        "framework": "pytest",
        "tests": {"tests/test_primes.py": ""},
        "submit": ["primes.py"],
        "reference": {"primes.py": ""},
    }
    return msgspec.convert({**document, **fields}, UnitSuite)


def passed(test_id: str, **fields: object) -> ReportedTest:
    return msgspec.convert(
        {"id": test_id, "name": test_id.rpartition("::")[2], "status": "passed", **fields},
        ReportedTest,
    )


def reference(*tests: ReportedTest) -> Report:
    return Report(framework="pytest", tests=list(tests))


def test_every_test_is_worth_one_visible_point_in_main_by_default() -> None:
    manifest = build_manifest(suite(), reference(passed("t.py::a"), passed("t.py::b")))
    assert [(t.id, t.name, t.points, t.group, t.visibility) for t in manifest.tests] == [
        ("t.py::a", "a", 1, "main", "visible"),
        ("t.py::b", "b", 1, "main", "visible"),
    ]
    assert manifest.groups == [ManifestGroup(name="main")]
    assert manifest.max_score == 2


def test_the_code_declares_points_group_and_visibility_through_properties() -> None:
    test = passed("t.py::a", points=3, group="big", visibility="hidden", score=3)
    (built,) = build_manifest(suite(), reference(test)).tests
    assert (built.points, built.group, built.visibility, built.partial) == (
        3,
        "big",
        "hidden",
        True,
    )


def test_the_suite_wins_over_the_code_field_by_field() -> None:
    rules = [{"match": "t.py::a", "points": 5}]
    test = passed("t.py::a", points=3, group="big", visibility="hidden")
    (built,) = build_manifest(suite(points=rules), reference(test)).tests
    assert (built.points, built.group, built.visibility) == (5, "big", "hidden")


def test_the_first_matching_rule_wins() -> None:
    rules = [
        {"match": "t.py::TestBig::*", "points": 4},
        {"match": "*", "points": 2},
    ]
    tests = reference(passed("t.py::TestBig::test_x"), passed("t.py::test_y"))
    built = build_manifest(suite(points=rules), tests)
    assert [t.points for t in built.tests] == [4, 2]


def test_a_rule_naming_a_parametrized_id_matches_it_exactly() -> None:
    rule = PointsRule(match="t.py::test_big[7]", points=9)
    assert rule_for([rule], "t.py::test_big[7]") == rule
    assert rule_for([rule], "t.py::test_big7") is None


def test_tests_are_ordered_main_then_declared_groups_then_the_codes_groups() -> None:
    rules = [{"match": "*::b*", "group": "second"}, {"match": "*::c*", "group": "first"}]
    groups = [{"name": "first", "scoring": "all"}, {"name": "second", "points": 10}]
    tests = reference(
        passed("t.py::b1"),
        passed("t.py::z", group="extra"),
        passed("t.py::c1"),
        passed("t.py::a1"),
        passed("t.py::b2"),
    )
    manifest = build_manifest(suite(points=rules, groups=groups), tests)
    assert [t.id for t in manifest.tests] == [
        "t.py::a1",
        "t.py::c1",
        "t.py::b1",
        "t.py::b2",
        "t.py::z",
    ]
    assert [(g.name, g.scoring, g.points) for g in manifest.groups] == [
        ("main", "sum", None),
        ("first", "all", None),
        ("second", "sum", 10),
        ("extra", "sum", None),
    ]
    assert manifest.max_score == 1 + 1 + 10 + 1


def test_tests_skipped_on_the_reference_are_left_out() -> None:
    tests = reference(passed("t.py::a"), passed("t.py::b", status="skipped"))
    assert [t.id for t in build_manifest(suite(), tests).tests] == ["t.py::a"]


def test_a_real_pytest_report_gives_node_ids_and_the_codes_points() -> None:
    report = parse_report((REPORTS / "pytest.xml").read_bytes(), "pytest")
    passing = Report(
        framework="pytest",
        tests=[t for t in report.tests if t.status in (TestStatus.PASSED, TestStatus.SKIPPED)],
    )
    manifest = build_manifest(suite(groups=[{"name": "basics", "scoring": "all"}]), passing)
    assert [(t.id, t.points, t.group) for t in manifest.tests] == [
        ("tests/test_primes.py::TestBig::test_big[7919]", 3, "main"),
        ("tests/test_primes.py::test_two_is_prime", 2, "basics"),
    ]


@pytest.mark.parametrize(
    ("the_suite", "tests", "message"),
    [
        pytest.param(
            suite(),
            [passed("t.py::a"), passed("t.py::b", status="failed", message="assert 1 == 2")],
            'reference: test "t.py::b" failed on the reference solution: "assert 1 == 2"; '
            "a test must pass on it",
            id="failed-on-reference",
        ),
        pytest.param(
            suite(),
            [passed("t.py::a", status="error"), passed("t.py::b", status="error")],
            'test "t.py::a" errored on the reference solution (and 1 more)',
            id="errored-on-reference",
        ),
        pytest.param(
            suite(), [], "reference: its report has no test that ran (it lists no test)", id="empty"
        ),
        pytest.param(
            suite(),
            [passed("t.py::a", status="skipped")],
            "no test that ran (every test was skipped)",
            id="all-skipped",
        ),
        pytest.param(
            suite(),
            [passed("t.py::a"), passed("t.py::a")],
            'reference: two tests have the id "t.py::a"',
            id="duplicate-id",
        ),
        pytest.param(
            suite(points=[{"match": "*"}, {"match": "t.py::test_bigg", "points": 2}]),
            [passed("t.py::a")],
            'points[1].match: "t.py::test_bigg" matches no test of the reference run; '
            'test ids look like "t.py::a"',
            id="rule-matches-nothing",
        ),
        pytest.param(
            suite(groups=[{"name": "big"}]),
            [passed("t.py::a")],
            'groups[0]: no test of the reference run is in group "big"',
            id="empty-group",
        ),
    ],
)
def test_a_reference_run_that_cannot_fix_the_tests_is_refused(
    the_suite: UnitSuite, tests: list[ReportedTest], message: str
) -> None:
    with pytest.raises(SuiteError) as raised:
        build_manifest(the_suite, reference(*tests))
    assert message in str(raised.value)


def test_a_manifest_round_trips_as_json_for_storage() -> None:
    manifest = build_manifest(suite(), reference(passed("t.py::a", points=2)))
    assert msgspec.json.decode(msgspec.json.encode(manifest), type=type(manifest)) == manifest
