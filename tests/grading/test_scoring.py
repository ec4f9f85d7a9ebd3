"""Plan order, break groups and submission scores."""

from __future__ import annotations

from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.outcome import Verdict
from grading.results import CaseResult
from grading.scoring import plan, score_submission, skipped_after_reject
from grading.suite import Case, Group, GroupScoring, Suite

PASS, WA, TLE = Verdict.PASSED, Verdict.WRONG_ANSWER, Verdict.TIMEOUT


def judged(name: str, verdict: Verdict, points: float, max_points: float = 1.0) -> CaseResult:
    return CaseResult(name=name, verdict=verdict, points=points, max_points=max_points)


def group(
    name: str,
    points: list[float],
    scoring: GroupScoring = "sum",
    worth: float | None = None,
    on_reject: Literal["continue", "break"] = "continue",
) -> Group:
    cases = [Case(name=f"{name}{i}", points=p) for i, p in enumerate(points)]
    return Group(name=name, cases=cases, scoring=scoring, points=worth, on_reject=on_reject)


def test_plan_puts_top_level_cases_first_as_main_then_groups_in_order() -> None:
    suite = Suite(
        name="s",
        cases=[Case(name="t0"), Case(name="t1")],
        groups=[group("a", [1]), group("b", [1, 1])],
    )
    planned = [(p.group, p.case.name, p.index) for p in plan(suite)]
    assert planned == [
        ("main", "t0", 0),
        ("main", "t1", 1),
        ("a", "a0", 2),
        ("b", "b0", 3),
        ("b", "b1", 4),
    ]


@pytest.mark.parametrize(
    ("scoring", "group_points", "verdicts", "earned", "expected"),
    [
        pytest.param("sum", None, [PASS, WA, PASS], [2, 0, 1], 3, id="sum-adds-earned"),
        pytest.param("sum", 10, [PASS, WA, PASS], [2, 0, 1], 6, id="sum-scaled-to-points"),
        pytest.param("min", None, [PASS, PASS, PASS], [2, 1, 0.5], 2.5, id="min-smallest-fraction"),
        pytest.param("min", 30, [PASS, WA, PASS], [2, 0, 1], 0, id="min-one-failure-zero"),
        pytest.param("min", 30, [PASS] * 3, [2, 2, 1], 30, id="min-all-full"),
        pytest.param("all", None, [PASS] * 3, [2, 2, 1], 5, id="all-passed"),
        pytest.param("all", None, [PASS, TLE, PASS], [2, 0, 1], 0, id="all-one-timeout"),
    ],
)
def test_group_scoring(
    scoring: GroupScoring,
    group_points: float | None,
    verdicts: list[Verdict],
    earned: list[float],
    expected: float,
) -> None:
    g = group("g", [2, 2, 1], scoring=scoring, worth=group_points)
    results = [
        judged(c.name, v, e, c.points) for c, v, e in zip(g.cases, verdicts, earned, strict=True)
    ]
    assert score_submission(Suite(name="s", groups=[g]), "ada", results).score == expected


def test_zero_point_case_counts_as_full_or_nothing_in_a_min_group() -> None:
    g = group("g", [0, 0], scoring="min", worth=4)
    suite = Suite(name="s", groups=[g])
    passed = [judged("g0", PASS, 0, 0), judged("g1", PASS, 0, 0)]
    failed = [judged("g0", PASS, 0, 0), judged("g1", WA, 0, 0)]
    assert score_submission(suite, "ada", passed).score == 4
    assert score_submission(suite, "ada", failed).score == 0


def test_max_score_adds_group_maxima() -> None:
    suite = Suite(
        name="s",
        cases=[Case(name="t", points=0.5)],
        groups=[group("a", [1, 1], scoring="min", worth=30), group("b", [2, 3])],
    )
    assert score_submission(suite, "ada", []).max_score == 35.5


def test_break_group_skips_cases_after_the_first_failure() -> None:
    suite = Suite(name="s", groups=[group("a", [1, 1, 1], on_reject="break"), group("b", [1])])
    results = [judged("a0", PASS, 1), judged("a1", WA, 0), judged("b0", WA, 0)]
    assert skipped_after_reject(suite, results) == {"a2"}


def test_continue_group_skips_nothing() -> None:
    suite = Suite(name="s", groups=[group("a", [1, 1, 1])])
    assert skipped_after_reject(suite, [judged("a0", WA, 0)]) == set()


def test_cases_never_run_earn_nothing_and_do_not_decide_the_verdict() -> None:
    suite = Suite(name="s", groups=[group("a", [1, 1, 1], on_reject="break")])
    result = score_submission(suite, "ada", [judged("a0", PASS, 1), judged("a1", TLE, 0)])
    assert (result.score, result.max_score, result.verdict) == (1, 3, TLE)
    assert [case.name for case in result.cases] == ["a0", "a1"]


def test_results_of_skipped_cases_are_ignored_even_if_run() -> None:
    suite = Suite(name="s", groups=[group("a", [1, 1], on_reject="break")])
    result = score_submission(suite, "ada", [judged("a0", WA, 0), judged("a1", PASS, 1)])
    assert (result.score, [c.name for c in result.cases]) == (0, ["a0"])


def test_verdict_is_the_first_failure_in_plan_order() -> None:
    suite = Suite(name="s", cases=[Case(name="t")], groups=[group("a", [1, 1])])
    results = [judged("a1", WA, 0), judged("a0", TLE, 0), judged("t", PASS, 1)]
    result = score_submission(suite, "ada", results)
    assert result.verdict == TLE
    assert [case.name for case in result.cases] == ["t", "a0", "a1"]


def test_all_passed_gives_passed_and_full_score() -> None:
    suite = Suite(name="s", cases=[Case(name="t", points=2)], groups=[group("a", [1])])
    results = [judged("t", PASS, 2, 2), judged("a0", PASS, 1)]
    result = score_submission(suite, "ada", results)
    assert (result.verdict, result.score, result.student) == (PASS, 3, "ada")


def test_score_is_rounded() -> None:
    suite = Suite(name="s", groups=[group("g", [1, 1, 1], worth=1)])
    results = [judged("g0", PASS, 1), judged("g1", WA, 0), judged("g2", WA, 0)]
    assert score_submission(suite, "ada", results).score == 0.333333


verdicts = st.sampled_from(list(Verdict))
case_points = st.floats(min_value=0, max_value=100, allow_nan=False)
groups = st.builds(
    lambda points, scoring, worth, on_reject: (points, scoring, worth, on_reject),
    st.lists(case_points, min_size=0, max_size=5),
    st.sampled_from(["sum", "min", "all"]),
    st.none() | case_points,
    st.sampled_from(["continue", "break"]),
)


@given(
    st.lists(groups, max_size=4),
    st.lists(st.tuples(verdicts, st.floats(min_value=-10, max_value=200)), max_size=20),
)
def test_score_stays_within_zero_and_max(
    specs: list[tuple[list[float], GroupScoring, float | None, Literal["continue", "break"]]],
    outcomes: list[tuple[Verdict, float]],
) -> None:
    suite = Suite(
        name="s",
        groups=[
            group(f"g{i}_", points, scoring, worth, on_reject)
            for i, (points, scoring, worth, on_reject) in enumerate(specs)
        ],
    )
    planned = plan(suite)
    results = [
        judged(p.case.name, verdict, earned, p.case.points)
        for p, (verdict, earned) in zip(planned, outcomes, strict=False)
    ]
    result = score_submission(suite, "ada", results)
    assert 0 <= result.score <= result.max_score
    if result.verdict == Verdict.PASSED:
        assert all(case.verdict == Verdict.PASSED for case in result.cases)
