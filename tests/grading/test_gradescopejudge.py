"""Grading from a Gradescope results.json: one case per test, the total as Gradescope has it,
and an autograder that failed told apart from a wrong answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.gradescope import GradescopeTest, Results, parse_results
from grading.gradescopejudge import (
    AUTOGRADER_CASE,
    AutograderResult,
    failed_run,
    judge_file,
    judge_results,
)
from grading.outcome import Verdict
from grading.unitjudge import RunFailure

FIXTURES = Path(__file__).parent / "gradescope"


def judged(data: bytes, total_points: float | None = 30.0) -> AutograderResult:
    return judge_file(data, "ada", total_points)


def test_each_test_of_the_python_sample_is_one_case_named_by_number_and_name() -> None:
    graded = judged((FIXTURES / "python-calculator.json").read_bytes())
    cases = graded.submission.cases
    assert [case.name for case in cases[:3]] == [
        "2.1) Evaluate (1 + 1) * 4",
        "2.2) Evaluate 1 + 1 * 8",
        "2.3) Evaluate 8 / 4 * 2",
    ]
    assert cases[4].name == "Evaluate 1 + 1 in the REPL"
    assert (cases[0].verdict, cases[0].points, cases[0].max_points) == (
        Verdict.WRONG_ANSWER,
        0.0,
        2.0,
    )
    assert cases[0].message == "Test Failed: 2 != 8\n"
    assert (cases[2].verdict, cases[2].points) == (Verdict.PASSED, 2.0)
    assert (cases[6].verdict, cases[6].points, cases[6].max_points) == (
        Verdict.WRONG_ANSWER,
        4.2,
        10.0,
    )


def test_the_python_samples_total_is_its_score_out_of_the_assignments_points() -> None:
    graded = judged((FIXTURES / "python-calculator.json").read_bytes())
    assert (graded.score, graded.max_score) == (13.2, 30.0)
    assert graded.verdict == Verdict.WRONG_ANSWER
    assert graded.execution_time == 0.14
    assert [entry.name for entry in graded.leaderboard] == [
        "high score",
        "accuracy",
        "stars",
        "time",
    ]


def test_a_tests_release_rule_is_kept_and_its_case_is_hidden_unless_always_visible() -> None:
    graded = judged((FIXTURES / "python-calculator.json").read_bytes())
    assert [
        (t.visibility, t.case.visibility) for t in graded.tests if t.case.name.startswith("2.")
    ] == [
        ("after_due_date", "hidden"),
        ("after_due_date", "hidden"),
        ("visible", "visible"),
        ("visible", "visible"),
    ]
    assert graded.tests[-1].visibility == "after_published"
    assert graded.tests[-1].case.visibility == "hidden"


def test_a_test_without_visibility_takes_the_top_levels() -> None:
    graded = judged((FIXTURES / "informational.json").read_bytes())
    assert [test.visibility for test in graded.tests] == [
        "visible",
        "after_due_date",
        "after_due_date",
    ]
    assert graded.visibility == "after_due_date"
    assert graded.stdout_visibility == "visible"


def test_formats_fall_back_to_the_top_levels_then_to_gradescopes_defaults() -> None:
    graded = judged((FIXTURES / "informational.json").read_bytes())
    assert [test.output_format for test in graded.tests] == ["text", "md", "text"]
    assert graded.output_format == "simple_format"
    assert judged(b'{"output": "hi"}').output_format == "simple_format"
    bare = judged(b'{"tests": [{"name": "a", "score": 1}]}').tests[0]
    assert (bare.name_format, bare.output_format) == ("text", "text")


def test_informational_checks_pass_or_fail_by_status_worth_nothing() -> None:
    graded = judged((FIXTURES / "informational.json").read_bytes())
    checks = graded.submission.cases[:2]
    assert [(c.name, c.verdict, c.points, c.max_points) for c in checks] == [
        ("Compilation check", Verdict.PASSED, 0.0, 0.0),
        ("Style check", Verdict.WRONG_ANSWER, 0.0, 0.0),
    ]


def test_a_top_level_score_overrides_the_sum_of_the_tests() -> None:
    data = b'{"score": 3, "tests": [{"score": 5, "max_score": 5}, {"score": 5, "max_score": 5}]}'
    assert judged(data, 10).score == 3


def test_without_a_top_level_score_the_tests_scores_add_up() -> None:
    data = b'{"tests": [{"score": 2, "max_score": 5}, {"score": 1.5, "max_score": 5}]}'
    graded = judged(data, 10)
    assert (graded.score, graded.max_score) == (3.5, 10)


def test_a_score_alone_is_graded_out_of_the_assignments_points() -> None:
    graded = judged(b'{"score": 8}', 10)
    assert (graded.score, graded.max_score, graded.tests) == (8, 10, [])
    assert graded.verdict == Verdict.WRONG_ANSWER
    assert judged(b'{"score": 10}', 10).verdict == Verdict.PASSED


def test_without_the_assignments_points_the_tests_maxima_add_up() -> None:
    data = b'{"tests": [{"score": 2, "max_score": 2}, {"score": 0, "max_score": 3}]}'
    assert judged(data, None).max_score == 5


def test_extra_credit_above_the_maximum_is_kept() -> None:
    graded = judged(b'{"score": 12}', 10)
    assert (graded.score, graded.verdict) == (12, Verdict.PASSED)


def test_every_test_passed_with_full_marks_passes_the_submission() -> None:
    data = b'{"tests": [{"score": 5, "max_score": 5}, {"score": 5, "max_score": 5}]}'
    assert judged(data, 10).verdict == Verdict.PASSED


def test_a_test_without_a_name_is_called_by_its_position() -> None:
    graded = judged(b'{"tests": [{"score": 1}, {"score": 1, "number": 2.5}]}', 2)
    assert [case.name for case in graded.submission.cases] == ["Test 1", "2.5) Test 2"]


def test_the_top_level_output_is_kept_for_the_submission() -> None:
    graded = judged((FIXTURES / "informational.json").read_bytes())
    assert graded.output == "Text relevant to the entire submission"


@pytest.mark.parametrize(
    ("data", "failure", "verdict", "message"),
    [
        pytest.param(
            None,
            None,
            Verdict.INTERNAL_ERROR,
            "the autograder failed to execute correctly: it wrote no results/results.json",
            id="no-results-file",
        ),
        pytest.param(
            b'{"tests": [ {"score": 1}',
            None,
            Verdict.INTERNAL_ERROR,
            "the autograder failed to execute correctly: results.json is not valid JSON",
            id="invalid-json",
        ),
        pytest.param(
            b'{"tests": [{"score": "one"}]}',
            None,
            Verdict.INTERNAL_ERROR,
            "the autograder failed to execute correctly: tests[0].score: expected a number",
            id="wrong-type",
        ),
        pytest.param(
            b'{"score": 10}',
            RunFailure(verdict=Verdict.TIMEOUT, message="killed after 600 s"),
            Verdict.TIMEOUT,
            "killed after 600 s",
            id="timeout-wins-over-a-file",
        ),
    ],
)
def test_an_autograder_that_failed_gives_one_case_saying_why(
    data: bytes | None, failure: RunFailure | None, verdict: Verdict, message: str
) -> None:
    graded = judge_file(data, "ada", 30.0, failure)
    (case,) = graded.submission.cases
    assert (case.name, case.verdict, case.points, case.max_points) == (
        AUTOGRADER_CASE,
        verdict,
        0.0,
        30.0,
    )
    assert case.message is not None
    assert case.message.startswith(message)
    assert (graded.verdict, graded.score, graded.max_score) == (verdict, 0.0, 30.0)
    assert graded.tests[0].visibility == "visible"


def test_a_failure_said_to_have_passed_still_fails() -> None:
    graded = failed_run("ada", RunFailure(verdict=Verdict.PASSED, message="?"), 5.0)
    assert graded.verdict == Verdict.INTERNAL_ERROR


SCORES = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(st.lists(st.tuples(SCORES, SCORES), max_size=20), st.none() | SCORES)
def test_the_submissions_cases_are_the_tests_in_order_and_its_score_is_gradescopes(
    pairs: list[tuple[float, float]], top: float | None
) -> None:
    tests = [GradescopeTest(score=score, max_score=most) for score, most in pairs]
    graded = judge_results(Results(score=top, tests=tests), "ada", 50.0)
    assert [case.points for case in graded.submission.cases] == [score for score, _ in pairs]
    expected = top if top is not None else sum(score for score, _ in pairs)
    assert graded.score == pytest.approx(expected)
    assert graded.max_score == 50.0


def test_a_parsed_file_and_its_bytes_grade_the_same() -> None:
    data = (FIXTURES / "python-calculator.json").read_bytes()
    assert judge_results(parse_results(data), "ada", 30.0) == judged(data)
