"""What students see: hidden cases without their data, and no total while any is hidden."""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from grading.gradebook import GradebookRow, moodle
from grading.outcome import Verdict
from grading.redact import for_student, student_view
from grading.results import CaseResult, SubmissionResult
from grading.suite import Visibility


def case(name: str, visibility: Visibility, marker: str = "") -> CaseResult:
    return CaseResult(
        name=name,
        verdict=Verdict.WRONG_ANSWER,
        points=0.5,
        max_points=2,
        time_ms=12,
        memory_kib=900,
        group="g",
        visibility=visibility,
        stdin=f"{marker}stdin",
        expected_output=f"{marker}expected",
        actual_output=f"{marker}actual",
        diff=f"{marker}diff",
        message=f"{marker}message",
    )


def submission(cases: list[CaseResult]) -> SubmissionResult:
    return SubmissionResult(
        student="ada", verdict=Verdict.WRONG_ANSWER, score=1.5, max_score=8, cases=cases
    )


def test_hidden_case_keeps_only_its_outline() -> None:
    redacted = for_student(submission([case("secret/1", "hidden")])).cases[0]
    assert redacted == CaseResult(
        name="secret/1",
        verdict=Verdict.WRONG_ANSWER,
        points=0.5,
        max_points=2,
        time_ms=12,
        memory_kib=900,
        group="g",
        visibility="hidden",
    )


def test_visible_case_is_shown_whole() -> None:
    visible = case("sample/1", "visible")
    assert for_student(submission([visible])).cases == [visible]


def test_total_is_withheld_while_any_case_is_hidden() -> None:
    view = student_view(submission([case("sample/1", "visible"), case("secret/1", "hidden")]))
    assert (view.score, view.max_score, view.verdict) == (None, None, Verdict.WRONG_ANSWER)
    assert [c.stdin for c in view.cases] == ["stdin", None]


def test_total_is_shown_when_every_case_is_visible() -> None:
    view = student_view(submission([case("sample/1", "visible")]))
    assert (view.score, view.max_score) == (1.5, 8)


@given(st.lists(st.sampled_from(["visible", "hidden"]), max_size=8))
def test_no_hidden_text_reaches_the_student_or_the_moodle_feedback(
    visibilities: list[Visibility],
) -> None:
    cases = [
        case(f"case{i}", visibility, "HIDDEN-" if visibility == "hidden" else "")
        for i, visibility in enumerate(visibilities)
    ]
    result = submission(cases)
    shown = [
        msgspec.json.encode(for_student(result)).decode(),
        msgspec.json.encode(student_view(result)).decode(),
        moodle("Lab", [GradebookRow(student="ada", result=result)]),
    ]
    assert not [text for text in shown if "HIDDEN-" in text]
