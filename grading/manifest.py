"""The manifest of a unit suite: which tests exist and what each is worth, fixed by a trusted run.

A student's run cannot be trusted to say which tests there are (it may end early, or write a
report of its own), so the tests and their points come from the REFERENCE solution's report,
run once through the same sandbox, and a student's report is only ever read against them
(`grading/unitjudge.py`). The maximum score is the manifest's and never depends on a student.

How each test is worth what it is worth, field by field (points, group, visibility): the first
of the suite's `points` rules that matches the test's id, else the property the test code
declared in the report, else 1 point in the `main` group, visible. The suite document wins over
the code when both say something about a test: the document is what the instructor reviews
and what regrading after a fix changes. A test that reported a `score` on the reference run
declared partial credit: a student's reported `score` then earns that many of its points.

Refused with a `SuiteError` that names the test, as the suite is what needs fixing: a test that
failed or errored on the reference solution, two tests with the same id, a report without any
test that ran, a `points` rule that matches no test, and a declared group left without tests.
Tests the reference skipped are left out of the manifest: a skipped test checks nothing, and
counting it would cost every student points nobody could earn.

Tests are ordered by group: `main` first, then the suite's `groups` in order, then any group
only the code names, in the order the report first names it; within a group, in report order.
"""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from grading.errors import SuiteError
from grading.feedback import quote
from grading.junit import Report, ReportedTest, TestStatus
from grading.scoring import MAIN_GROUP, Member, ScoredGroup, group_points
from grading.unit import Manifest, ManifestGroup, ManifestTest, PointsRule, UnitSuite

DEFAULT_POINTS = 1.0
_T = TypeVar("_T")


def build_manifest(suite: UnitSuite, reference: Report) -> Manifest:
    """The manifest of `suite` from its reference solution's report; refusals raise `SuiteError`."""
    ran = [test for test in reference.tests if test.status != TestStatus.SKIPPED]
    _check_reference(ran, len(reference.tests))
    tests = [_manifest_test(suite.points, test) for test in ran]
    _check_rules(suite.points, [test.id for test in tests])
    groups = _groups(suite, tests)
    order = {group.name: index for index, group in enumerate(groups)}
    tests.sort(key=lambda test: order[test.group])
    manifest = Manifest(
        suite=suite.name, framework=suite.framework, tests=tests, groups=groups, max_score=0.0
    )
    max_score = sum(group_points(group) for group in scored_groups(manifest))
    return msgspec.structs.replace(manifest, max_score=round(max_score, 6))


def scored_groups(manifest: Manifest) -> list[ScoredGroup]:
    """The manifest's groups as `grading/scoring.py` scores them."""
    return [
        ScoredGroup(
            name=group.name,
            members=[
                Member(name=t.id, points=t.points) for t in manifest.tests if t.group == group.name
            ],
            scoring=group.scoring,
            points=group.points,
        )
        for group in manifest.groups
    ]


def rule_for(rules: list[PointsRule], test_id: str) -> PointsRule | None:
    """The first rule whose `match` is `test_id` or a glob matching it."""
    return next((rule for rule in rules if _matches(rule.match, test_id)), None)


def _matches(pattern: str, test_id: str) -> bool:
    """Whether `pattern`, a glob of `*` and `?` only, matches the whole id, case-sensitively.

    Brackets stand for themselves, unlike in fnmatch: pytest's ids use them (`test_big[7]`),
    and `test_big[7]` must not match `test_big7`.
    """
    pieces = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch("".join(pieces), test_id, re.DOTALL) is not None


def _check_reference(ran: list[ReportedTest], reported: int) -> None:
    """Refuse a reference run that does not pass cleanly, or that ran nothing."""
    if not ran:
        what = "every test was skipped" if reported else "it lists no test"
        raise SuiteError(f"reference: its report has no test that ran ({what})")
    broken = [test for test in ran if test.status != TestStatus.PASSED]
    if broken:
        test = broken[0]
        said = f": {quote(test.message, 200)}" if test.message else ""
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        raise SuiteError(
            f"reference: test {quote(test.id, 200)} {_past(test.status)} on the reference "
            f"solution{said}{more}; a test must pass on it"
        )
    seen: set[str] = set()
    for test in ran:
        if test.id in seen:
            raise SuiteError(
                f"reference: two tests have the id {quote(test.id, 200)}; rename one, as points "
                "and results are kept by id"
            )
        seen.add(test.id)


def _past(status: TestStatus) -> str:
    return "errored" if status == TestStatus.ERROR else "failed"


def _manifest_test(rules: list[PointsRule], test: ReportedTest) -> ManifestTest:
    """A reported test with its points, group and visibility: the rule's, else the code's."""
    rule = rule_for(rules, test.id) or PointsRule(match=test.id)
    return ManifestTest(
        id=test.id,
        name=test.name,
        points=_first(rule.points, test.points, DEFAULT_POINTS),
        group=_first(rule.group, test.group, MAIN_GROUP),
        visibility=_first(rule.visibility, test.visibility, "visible"),
        partial=test.score is not None,
    )


def _first(*values: _T | None) -> _T:
    return next(value for value in values if value is not None)


def _check_rules(rules: list[PointsRule], test_ids: list[str]) -> None:
    """Refuse a rule that matches no test: it is almost always a misspelt id."""
    for index, rule in enumerate(rules):
        if not any(_matches(rule.match, test_id) for test_id in test_ids):
            raise SuiteError(
                f"points[{index}].match: {quote(rule.match, 200)} matches no test of the "
                "reference run; test ids look like "
                + ", ".join(quote(test_id, 80) for test_id in test_ids[:3])
            )


def _groups(suite: UnitSuite, tests: list[ManifestTest]) -> list[ManifestGroup]:
    """The groups the tests fall in, in grading order; a declared group must have a test."""
    used = list(dict.fromkeys(test.group for test in tests))
    for index, group in enumerate(suite.groups):
        if group.name not in used:
            raise SuiteError(
                f"groups[{index}]: no test of the reference run is in group {quote(group.name)}"
            )
    declared = {group.name: group for group in suite.groups}
    names = sorted(used, key=lambda name: _group_rank(name, list(declared), used))
    return [
        ManifestGroup(name=name, scoring=declared[name].scoring, points=declared[name].points)
        if name in declared
        else ManifestGroup(name=name)
        for name in names
    ]


def _group_rank(name: str, declared: list[str], used: list[str]) -> tuple[int, int]:
    """`main` first, then declared groups in order, then the code's groups as first named."""
    if name == MAIN_GROUP:
        return (0, 0)
    if name in declared:
        return (1, declared.index(name))
    return (2, used.index(name))
