"""Feedback stays readable and bounded whatever a program prints."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.feedback import DIFF_LINES, clip, quote, unified_diff


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        pytest.param("42", '"42"', id="plain"),
        pytest.param("a\tb\r\n", '"a\\tb\\r\\n"', id="whitespace-escaped"),
        pytest.param('say "hi" \\o/', '"say \\"hi\\" \\\\o/"', id="quotes-and-backslash"),
        pytest.param("\x00\x1b[31m", '"\\x00\\x1b[31m"', id="control-characters"),
        pytest.param("abc\u202edef", '"abc\\u202edef"', id="bidi-override"),
        pytest.param("été ✓", '"été ✓"', id="printable-unicode-kept"),
        pytest.param("x" * 50, '"' + "x" * 40 + '"…', id="long-cut-with-ellipsis"),
    ],
)
def test_quote(text: str, quoted: str) -> None:
    assert quote(text) == quoted


@given(text=st.text(), limit=st.integers(1, 100))
def test_quote_is_one_bounded_line(text: str, limit: int) -> None:
    quoted = quote(text, limit)
    assert "\n" not in quoted
    assert len(quoted) <= limit + 3


@given(text=st.text(), limit=st.integers(60, 5000))
def test_clip_bounds_text_and_says_how_much_was_cut(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
    else:
        kept = clipped.rpartition("\n… [")[0]
        assert text.startswith(kept)
        assert clipped.endswith(f"[{len(text) - len(kept)} more characters cut]")


def test_diff_labels_expected_and_actual() -> None:
    assert unified_diff("1\n2\n3\n", "1\n5\n3\n").splitlines() == [
        "--- expected",
        "+++ actual",
        "@@ -1,4 +1,4 @@",
        " 1",
        "-2",
        "+5",
        " 3",
        " ",
    ]


def test_diff_of_equal_texts_is_empty() -> None:
    assert unified_diff("same\n", "same\n") == ""


@given(expected=st.text(), actual=st.text(), limit=st.integers(100, 2000))
def test_diff_is_bounded(expected: str, actual: str, limit: int) -> None:
    assert len(unified_diff(expected * 20, actual * 20, limit)) <= limit


def test_diff_of_a_flood_is_fast_bounded_and_says_it_was_cut() -> None:
    expected = "".join(f"{i}\n" for i in range(200_000))
    actual = "".join(f"{i * 7 % 1000}\n" for i in range(200_000))
    started = time.perf_counter()
    diff = unified_diff(expected, actual, limit=100_000_000)
    assert time.perf_counter() - started < 5
    assert diff.endswith(f"[only the first {DIFF_LINES} lines or 200000 characters compared]")
    assert diff.count("\n-") <= DIFF_LINES


def test_diff_of_one_huge_line_is_bounded() -> None:
    diff = unified_diff("a" * 10_000_000, "b" * 10_000_000, limit=4000)
    assert len(diff) <= 4000
    assert diff.endswith("more characters cut]")
