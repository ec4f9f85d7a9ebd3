"""Gradebook CSV: choosing a submission per student, and what Canvas and Moodle import."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.errors import GradingError
from grading.gradebook import GradebookRow, Policy, canvas, moodle, plain, select, summary
from grading.outcome import Verdict
from grading.results import CaseResult, SubmissionResult
from grading.suite import Visibility

SECRETS = ("SECRET-STDIN", "SECRET-EXPECTED", "SECRET-ACTUAL", "SECRET-DIFF", "SECRET-MESSAGE")


def case(
    name: str, verdict: Verdict, points: float, visibility: Visibility = "visible"
) -> CaseResult:
    stdin, expected, actual, diff, message = SECRETS
    return CaseResult(
        name=name,
        verdict=verdict,
        points=points,
        max_points=1,
        visibility=visibility,
        stdin=stdin,
        expected_output=expected,
        actual_output=actual,
        diff=diff,
        message=message,
    )


def row(
    student: str,
    score: float,
    submitted_at: str | None = None,
    name: str | None = None,
    max_score: float = 4,
) -> GradebookRow:
    cases = [
        case("sample/1", Verdict.PASSED, 1),
        case("secret/1", Verdict.WRONG_ANSWER, 0, "hidden"),
    ]
    verdict = Verdict.PASSED if score == max_score else Verdict.WRONG_ANSWER
    result = SubmissionResult(
        student=student, verdict=verdict, score=score, max_score=max_score, cases=cases
    )
    return GradebookRow(student=student, name=name, submitted_at=submitted_at, result=result)


ROWS = [
    row("bob", 3, "2024-03-01T10:00:00Z", name="Bob Builder"),
    row("ada", 2.5, "2024-03-01T09:00:00+00:00", name="Ada Lovelace"),
]


def chosen(rows: list[GradebookRow], policy: Policy) -> list[tuple[str, float]]:
    return [(r.student, r.result.score) for r in select(rows, policy)]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param("latest", [("ada", 1), ("bob", 2)], id="latest"),
        pytest.param("best", [("ada", 3), ("bob", 2)], id="best"),
    ],
)
def test_select_one_row_per_student(policy: Policy, expected: list[tuple[str, float]]) -> None:
    rows = [
        row("ada", 3, "2024-03-01T10:00:00+02:00"),
        row("ada", 1, "2024-03-01T09:00:00Z"),
        row("bob", 2, "2024-03-02T00:00:00"),
        row("bob", 0, None),
    ]
    assert chosen(rows, policy) == expected


def test_best_ties_go_to_the_latest() -> None:
    rows = [row("ada", 2, "2024-03-02T00:00:00Z", name="new"), row("ada", 2, "2024-03-01")]
    assert [r.name for r in select(rows, "best")] == ["new"]


def test_a_bad_timestamp_is_a_grading_error() -> None:
    with pytest.raises(GradingError, match="not an ISO 8601 time"):
        select([row("ada", 1, "yesterday")], "latest")


submissions = st.lists(
    st.builds(
        row,
        st.sampled_from(["ada", "bob", "cy"]),
        st.integers(min_value=0, max_value=4),
        st.none() | st.datetimes().map(lambda moment: moment.isoformat()),
    ),
    max_size=12,
)


@given(submissions, st.sampled_from(["latest", "best"]))
def test_select_keeps_exactly_one_input_row_per_student(
    rows: list[GradebookRow], policy: Policy
) -> None:
    kept = select(rows, policy)
    assert [r.student for r in kept] == sorted({r.student for r in rows})
    assert all(r in rows for r in kept)
    if policy == "best":
        students = {r.student for r in rows}
        best = {s: max(r.result.score for r in rows if r.student == s) for s in students}
        assert all(r.result.score == best[r.student] for r in kept)


def test_plain_has_totals_percent_and_points_per_case() -> None:
    assert plain(ROWS) == (
        "student,score,max_score,percent,sample/1,secret/1\r\n"
        "ada,2.5,4,62.5,1,0\r\n"
        "bob,3,4,75,1,0\r\n"
    )


def test_canvas_csv_imports_as_one_new_assignment() -> None:
    text = canvas("Lab 1", ROWS, points_possible=10)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 1"]
    points, *students = list(reader)
    assert points == {
        "Student": "Points Possible",
        "ID": "",
        "SIS User ID": "",
        "SIS Login ID": "",
        "Section": "",
        "Lab 1": "10",
    }
    assert all(None not in r and len(r) == 6 for r in students)
    assert [(r["Student"], r["ID"], r["SIS Login ID"], float(r["Lab 1"])) for r in students] == [
        ("Ada Lovelace", "", "ada", 6.25),
        ("Bob Builder", "", "bob", 7.5),
    ]


def test_canvas_can_match_on_sis_user_id_instead() -> None:
    text = canvas("Lab 1", ROWS[:1], 4, identifier="SIS User ID")
    student = list(csv.DictReader(io.StringIO(text, newline="")))[1]
    assert (student["SIS User ID"], student["SIS Login ID"], student["Lab 1"]) == ("bob", "", "3")


def test_canvas_refuses_an_assignment_named_like_its_columns() -> None:
    with pytest.raises(GradingError, match="clashes with a Canvas column"):
        canvas("Section", ROWS, 10)


def test_moodle_has_identifier_grade_and_feedback_columns() -> None:
    text = moodle("Lab 1", ROWS, points_possible=100)
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["username", "Lab 1", "feedback_Lab 1"],
        ["ada", "62.5", "1/2 cases passed; first failure: hidden case secret/1 (wrong_answer)"],
        ["bob", "75", "1/2 cases passed; first failure: hidden case secret/1 (wrong_answer)"],
    ]


def test_moodle_identifier_column_is_configurable_and_scores_unscaled_by_default() -> None:
    text = moodle("Lab 1", ROWS[1:], identifier="email")
    assert text.splitlines()[:2] == [
        "email,Lab 1,feedback_Lab 1",
        "ada,2.5,1/2 cases passed; first failure: hidden case secret/1 (wrong_answer)",
    ]


def test_summary_of_a_fully_passed_submission() -> None:
    result = SubmissionResult(
        student="ada",
        verdict=Verdict.PASSED,
        score=1,
        max_score=1,
        cases=[case("sample/1", Verdict.PASSED, 1)],
    )
    assert summary(result) == "1/1 cases passed"


def render_all(rows: list[GradebookRow]) -> dict[str, str]:
    return {
        "plain": plain(rows),
        "canvas": canvas("Lab", rows, 10),
        "moodle": moodle("Lab", rows),
    }


@pytest.mark.parametrize("renderer", ["plain", "canvas", "moodle"])
def test_no_case_data_reaches_any_gradebook(renderer: str) -> None:
    text = render_all(ROWS)[renderer]
    assert not [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize(
    "student",
    [
        pytest.param('=HYPERLINK("http://x")', id="equals"),
        pytest.param("+1+1", id="plus"),
        pytest.param("-1+1", id="minus"),
        pytest.param("@SUM(A1)", id="at"),
        pytest.param("\t=1", id="tab"),
    ],
)
@pytest.mark.parametrize("renderer", ["plain", "canvas", "moodle"])
def test_formula_like_ids_and_names_are_quoted_as_text(student: str, renderer: str) -> None:
    text = render_all([row(student, 1, name=student)])[renderer]
    cells = [cell for line in csv.reader(io.StringIO(text, newline="")) for cell in line]
    assert f"'{student}" in cells
    assert student not in cells


@pytest.mark.parametrize("renderer", ["plain", "canvas", "moodle"])
def test_rows_end_in_crlf_without_a_byte_order_mark(renderer: str) -> None:
    text = render_all(ROWS)[renderer]
    assert not text.startswith("\ufeff")
    assert text.endswith("\r\n")
    assert text.count("\r\n") == text.count("\n")
