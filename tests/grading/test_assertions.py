"""Expected and actual values read from each framework's failed-equality message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.assertions import DIFF_CHARS, assertion_diff, expected_and_actual


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param("assert 3 == 4\n +  where 3 = add(1, 2)", ("4", "3"), id="pytest"),
        pytest.param(
            "AssertionError: sums differ\nassert [1, 2] == [1, 3]",
            ("[1, 3]", "[1, 2]"),
            id="pytest-with-message",
        ),
        pytest.param("expected: <4> but was: <3>", ("4", "3"), id="junit5"),
        pytest.param(
            "sum of [1, 2] ==> expected: <hello\nworld> but was: <hello\nword>",
            ("hello\nworld", "hello\nword"),
            id="junit5-multiline-with-message",
        ),
        pytest.param(
            "Expected values to be strictly equal:\n\nfalse !== true\n",
            ("true", "false"),
            id="node",
        ),
        pytest.param(
            "primes_test.cc:10\nExpected equality of these values:\n  is_prime(7)\n"
            "    Which is: false\n  true",
            ("true", "false"),
            id="gtest-expression-and-literal",
        ),
        pytest.param(
            "Expected equality of these values:\n  count(v)\n    Which is: 3\n  expected\n"
            "    Which is: 4\n",
            ("4", "3"),
            id="gtest-two-expressions",
        ),
        pytest.param("1 assertion(s) failed.", None, id="criterion-says-nothing"),
        pytest.param("Failed: Timeout >1.0s", None, id="no-equality"),
    ],
)
def test_failed_equalities_name_what_was_expected_and_what_came(
    message: str, expected: tuple[str, str] | None
) -> None:
    assert expected_and_actual(message) == expected


def test_the_diff_goes_from_expected_to_actual() -> None:
    diff = assertion_diff("expected: <4> but was: <3>")
    assert diff == "--- expected\n+++ actual\n@@ -1 +1 @@\n-4\n+3"


def test_no_diff_when_the_message_names_no_values() -> None:
    assert assertion_diff("The test crashed.") is None


def test_the_diff_is_bounded() -> None:
    expected = "\n".join(str(i) for i in range(300))
    actual = "\n".join(str(i) for i in range(300, 600))
    diff = assertion_diff(f"expected: <{expected}> but was: <{actual}>")
    assert diff is not None
    assert len(diff) <= DIFF_CHARS


@given(st.text(max_size=3000))
def test_any_message_gives_a_diff_or_none(message: str) -> None:
    diff = assertion_diff(message)
    assert diff is None or len(diff) <= DIFF_CHARS
