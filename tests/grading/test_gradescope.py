"""Gradescope results.json: read as Gradescope reads it, hostile files refused by field."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grading.errors import ReportError
from grading.gradescope import (
    MAX_NAME_CHARS,
    MAX_OUTPUT_CHARS,
    MAX_TESTS,
    GradescopeTest,
    number_of,
    parse_results,
    status_of,
)

FIXTURES = Path(__file__).parent / "gradescope"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_the_python_samples_results_are_read_with_every_field() -> None:
    results = parse_results(fixture("python-calculator.json"))
    assert results.score == 13.2
    assert results.execution_time == 0.14
    assert results.visibility == "visible"
    assert [test.number for test in results.tests[:3]] == ["2.1", "2.2", "2.3"]
    assert results.tests[0].visibility == "after_due_date"
    assert results.tests[4].tags == ["integration"]
    assert results.tests[6].score == 4.2
    assert [(entry.name, entry.order) for entry in results.leaderboard][-1] == ("time", "asc")
    assert results.leaderboard[2].value == "🌟🌟🌟"


def test_the_documented_example_keeps_its_formats_and_extra_data() -> None:
    results = parse_results(fixture("informational.json"))
    assert results.output_format == "simple_format"
    assert results.stdout_visibility == "visible"
    assert results.tests[1].output_format == "md"
    assert json.loads(bytes(results.extra_data)) == {"attempt": 3}
    assert results.execution_time == 136


def test_a_file_with_only_a_score_is_enough() -> None:
    results = parse_results(b'{"score": 7}')
    assert results.score == 7
    assert results.tests == []


def test_fields_gradescope_does_not_define_are_ignored() -> None:
    data = b'{"tests": [{"name": "a", "merge_subtests": "True"}], "banner": 1}'
    assert parse_results(data).tests[0].name == "a"


def test_null_stands_for_an_absent_field() -> None:
    results = parse_results(b'{"score": null, "tests": [{"output": null, "number": null}]}')
    assert results.score is None
    assert results.tests[0].output is None


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        pytest.param(GradescopeTest(score=2, max_score=2), "passed", id="full-marks-pass"),
        pytest.param(GradescopeTest(score=3, max_score=2), "passed", id="extra-credit-passes"),
        pytest.param(GradescopeTest(score=1.5, max_score=2), "failed", id="partial-fails"),
        pytest.param(GradescopeTest(max_score=2), "failed", id="no-score-is-zero"),
        pytest.param(GradescopeTest(score=1), "passed", id="no-maximum-passes"),
        pytest.param(GradescopeTest(), "passed", id="informational-passes"),
        pytest.param(GradescopeTest(score=0, max_score=2, status="passed"), "passed", id="said"),
        pytest.param(GradescopeTest(score=2, max_score=2, status="failed"), "failed", id="said-2"),
    ],
)
def test_a_status_left_out_is_derived_from_the_score(test: GradescopeTest, expected: str) -> None:
    assert status_of(test) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param("1.1", "1.1", id="text"),
        pytest.param(1.1, "1.1", id="json-number"),
        pytest.param(3, "3", id="json-integer"),
        pytest.param(None, "5", id="position-from-one"),
    ],
)
def test_a_tests_number_is_text_or_its_position(number: str | float | None, expected: str) -> None:
    assert number_of(GradescopeTest(number=number), 4) == expected


def test_execution_time_written_as_a_string_of_seconds_is_that_number() -> None:
    assert parse_results(b'{"execution_time": "0.52"}').execution_time == 0.52


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            b'{"tests": [{}, {}, {}, {"score": "2"}]}',
            "tests[3].score: expected a number, got a string",
            id="score-not-a-number",
        ),
        pytest.param(
            b'{"tests": [{"max_score": -1}]}',
            "tests[0].max_score: expected a number >= 0.0",
            id="negative-maximum",
        ),
        pytest.param(b'{"score": 1e999}', "score: the number is out of range", id="infinite-score"),
        pytest.param(
            b'{"score": 1e12}', "score: expected a number <= 1000000000.0", id="huge-score"
        ),
        pytest.param(
            b'{"score": NaN}', "results.json is not valid JSON: invalid character", id="nan"
        ),
        pytest.param(
            b'{"output_format": "pdf"}',
            'output_format: invalid enum value \'pdf\'; use "text" or "html"',
            id="unknown-format",
        ),
        pytest.param(
            b'{"tests": [{"visibility": "secret"}]}',
            "tests[0].visibility: invalid enum value 'secret'; use \"hidden\"",
            id="unknown-visibility",
        ),
        pytest.param(
            b'{"tests": [{"status": "ok"}]}',
            'tests[0].status: invalid enum value \'ok\'; use "passed" or "failed"',
            id="unknown-status",
        ),
        pytest.param(
            b'{"tests": [{"tags": "slow"}]}',
            "tests[0].tags: expected a list, got a string",
            id="tags-not-a-list",
        ),
        pytest.param(
            b'{"leaderboard": [{"value": 1}]}',
            'leaderboard[0]: missing required field "name"',
            id="entry-without-name",
        ),
        pytest.param(
            b'{"execution_time": "soon"}',
            'execution_time: expected a number of seconds, got "soon"',
            id="time-not-a-number",
        ),
        pytest.param(
            b'{"execution_time": "inf"}',
            'execution_time: expected a number of seconds, got "inf"',
            id="time-infinite",
        ),
        pytest.param(b"[]", "results.json: expected an object, got a list", id="not-an-object"),
        pytest.param(b"", "results.json is empty", id="empty"),
        pytest.param(
            b'{"score": 1} trailing',
            "results.json is not valid JSON: trailing characters",
            id="trailing-text",
        ),
        pytest.param(
            b'{"extra_data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "results.json is nested too deeply",
            id="deep-nesting",
        ),
    ],
)
def test_a_wrong_results_file_is_refused_naming_the_field(data: bytes, message: str) -> None:
    with pytest.raises(ReportError) as raised:
        parse_results(data)
    assert str(raised.value).startswith(message)


def test_a_results_file_over_the_size_cap_is_refused() -> None:
    with pytest.raises(ReportError, match="over the limit of 100"):
        parse_results(b'{"output": "' + b"x" * 200 + b'"}', max_bytes=100)


def test_more_tests_than_the_cap_are_refused() -> None:
    data = msgspec.json.encode({"tests": [{}] * (MAX_TESTS + 1)})
    with pytest.raises(ReportError, match=rf"tests: expected a list of length <= {MAX_TESTS}"):
        parse_results(data)


def test_long_texts_are_clipped_not_refused() -> None:
    data = msgspec.json.encode(
        {
            "output": "o" * (MAX_OUTPUT_CHARS + 10),
            "tests": [{"name": "n" * (MAX_NAME_CHARS + 10), "tags": ["t" * 5000]}],
            "leaderboard": [{"name": "l" * 5000, "value": "v" * 5000}],
        }
    )
    results = parse_results(data)
    assert results.output is not None
    assert len(results.output) <= MAX_OUTPUT_CHARS
    assert results.output.endswith("more characters cut]")
    assert results.tests[0].name == "n" * (MAX_NAME_CHARS - 1) + "…"
    assert results.tests[0].tags == ["t" * (MAX_NAME_CHARS - 1) + "…"]
    assert len(results.leaderboard[0].name) == MAX_NAME_CHARS


@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_with_a_report_error(data: bytes) -> None:
    with contextlib.suppress(ReportError):
        parse_results(data)


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=4,
)
FIELDS = st.sampled_from(["score", "max_score", "status", "name", "number", "tags", "output"])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(FIELDS, JSON), st.dictionaries(st.sampled_from(["score", "output"]), JSON))
def test_any_json_shaped_like_results_is_read_or_refused_with_a_report_error(
    test: dict[str, object], top: dict[str, object]
) -> None:
    with contextlib.suppress(ReportError):
        parse_results(msgspec.json.encode({**top, "tests": [test]}))
