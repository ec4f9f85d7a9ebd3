"""What a student sees of a Gradescope result before and after the due date and publication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.gradescope import ResultVisibility
from grading.gradescopejudge import AutograderResult, judge_file
from grading.release import released, student_view

DUE = datetime(2025, 3, 1, 23, 59, tzinfo=UTC)
BEFORE = DUE - timedelta(hours=1)
AFTER = DUE + timedelta(seconds=1)


def graded(*visibilities: ResultVisibility, top: str = "", stdout: str = "") -> AutograderResult:
    tests = ",".join(
        f'{{"name": "{v}", "score": 1, "max_score": 1, "visibility": "{v}", "output": "o"}}'
        for v in visibilities
    )
    extra = (f', "visibility": "{top}"' if top else "") + (
        f', "stdout_visibility": "{stdout}"' if stdout else ""
    )
    data = f'{{"output": "all", "tests": [{tests}]{extra}}}'.encode()
    return judge_file(data, "ada", float(len(visibilities)))


@pytest.mark.parametrize(
    ("visibility", "due", "published", "now", "shown"),
    [
        pytest.param("visible", DUE, False, BEFORE, True, id="visible-before-due"),
        pytest.param("visible", None, False, BEFORE, True, id="visible-without-due-date"),
        pytest.param("hidden", DUE, True, AFTER, False, id="hidden-after-due-and-published"),
        pytest.param("after_due_date", DUE, False, BEFORE, False, id="due-not-yet"),
        pytest.param("after_due_date", DUE, False, DUE, False, id="due-at-the-deadline"),
        pytest.param("after_due_date", DUE, False, AFTER, True, id="due-passed"),
        pytest.param("after_due_date", DUE, True, BEFORE, False, id="due-not-yet-but-published"),
        pytest.param("after_due_date", None, True, AFTER, False, id="due-date-never-set"),
        pytest.param("after_published", DUE, False, AFTER, False, id="unpublished-after-due"),
        pytest.param("after_published", DUE, True, BEFORE, True, id="published-before-due"),
        pytest.param("after_published", None, True, BEFORE, True, id="published-no-due-date"),
    ],
)
def test_a_visibility_is_released_by_due_date_or_publication(
    visibility: ResultVisibility,
    due: datetime | None,
    published: bool,
    now: datetime,
    shown: bool,
) -> None:
    assert released(visibility, due, published, now) is shown


def test_before_the_due_date_delayed_tests_are_left_out_and_the_total_withheld() -> None:
    view = student_view(graded("visible", "after_due_date"), DUE, False, BEFORE)
    assert [test.case.name for test in view.tests] == ["visible"]
    assert (view.score, view.max_score, view.verdict) == (None, None, None)


def test_after_the_due_date_every_delayed_test_and_the_total_show() -> None:
    view = student_view(graded("visible", "after_due_date"), DUE, False, AFTER)
    assert [test.case.name for test in view.tests] == ["visible", "after_due_date"]
    assert (view.score, view.max_score) == (2.0, 2.0)
    assert view.verdict is not None


def test_a_released_test_shows_its_output_and_is_no_longer_marked_hidden() -> None:
    view = student_view(graded("after_published"), DUE, True, BEFORE)
    (test,) = view.tests
    assert (test.case.visibility, test.case.message) == ("visible", "o")


def test_a_published_assignment_shows_published_tests_but_never_hidden_ones() -> None:
    view = student_view(graded("after_published", "hidden"), DUE, True, AFTER)
    assert [test.case.name for test in view.tests] == ["after_published"]
    assert view.score is None


def test_the_top_level_visibility_sets_the_tests_without_one_and_the_output() -> None:
    result = judge_file(
        b'{"visibility": "after_due_date", "output": "hi",'
        b' "tests": [{"name": "a", "score": 1}, {"name": "b", "visibility": "visible"}]}',
        "ada",
        1.0,
    )
    before = student_view(result, DUE, False, BEFORE)
    assert [test.case.name for test in before.tests] == ["b"]
    assert before.output is None
    after = student_view(result, DUE, False, AFTER)
    assert after.output == "hi"
    assert len(after.tests) == 2


def test_standard_output_is_for_instructors_unless_the_autograder_releases_it() -> None:
    assert not student_view(graded("visible"), DUE, True, AFTER).stdout_shown
    delayed = graded("visible", stdout="after_due_date")
    assert not student_view(delayed, DUE, False, BEFORE).stdout_shown
    assert student_view(delayed, DUE, False, AFTER).stdout_shown


def test_a_failed_autograder_is_always_shown_with_its_reason_and_total() -> None:
    view = student_view(judge_file(None, "ada", 10.0), DUE, False, BEFORE)
    assert [test.case.name for test in view.tests] == ["autograder"]
    assert (view.score, view.max_score) == (0.0, 10.0)
    assert view.tests[0].case.message is not None


VISIBILITIES = st.sampled_from(["hidden", "after_due_date", "after_published", "visible"])


@given(
    st.lists(VISIBILITIES, min_size=1, max_size=6),
    st.booleans(),
    st.datetimes(timezones=st.just(UTC)),
)
def test_a_total_shows_only_when_every_test_does(
    visibilities: list[ResultVisibility], published: bool, now: datetime
) -> None:
    view = student_view(graded(*visibilities), DUE, published, now)
    every_test = len(view.tests) == len(visibilities)
    assert (view.score is not None) is every_test
    assert all(test.visibility != "hidden" for test in view.tests)
