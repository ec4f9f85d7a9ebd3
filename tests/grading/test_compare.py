"""Each comparison mode held to its definition: Judge0's lines, exact, and Kattis tokens."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from grading.compare import compare
from grading.suite import Compare

LINES = Compare(mode="lines")
EXACT = Compare(mode="exact")
TOKENS = Compare(mode="tokens")
CASE_SENSITIVE = Compare(mode="tokens", case_sensitive=True)
SPACE_SENSITIVE = Compare(mode="tokens", space_change_sensitive=True)

WHITESPACE = " \t\n\v\f\r"
words = st.text(alphabet=string.ascii_letters + string.digits + string.punctuation, min_size=1)
separators = st.text(alphabet=WHITESPACE, min_size=1, max_size=4)
plain_lines = st.lists(st.text(alphabet=string.printable.replace("\n", "").replace("\r", "")))


def joined(tokens: list[str], gaps: list[str]) -> str:
    """Tokens with the given whitespace before each of them."""
    return "".join(gap + token for gap, token in zip(gaps, tokens, strict=False))


@st.composite
def spaced_twice(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    """Tokens with two independent choices of the whitespace around them."""
    tokens = draw(st.lists(words, min_size=1, max_size=8))
    first = draw(st.lists(separators, min_size=len(tokens) + 1, max_size=len(tokens) + 1))
    second = draw(st.lists(separators, min_size=len(tokens) + 1, max_size=len(tokens) + 1))
    return tokens, first, second


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(EXACT, id="exact"),
        pytest.param(LINES, id="lines"),
        pytest.param(TOKENS, id="tokens"),
        pytest.param(CASE_SENSITIVE, id="tokens-case-sensitive"),
        pytest.param(SPACE_SENSITIVE, id="tokens-space-sensitive"),
        pytest.param(Compare(mode="tokens", float_tolerance=1e-6), id="tokens-float"),
    ],
)
@given(text=st.text())
def test_output_equal_to_the_answer_always_passes(spec: Compare, text: str) -> None:
    result = compare(text, text, spec)
    assert result.passed
    assert result.message is None


@given(case=spaced_twice())
def test_tokens_ignore_any_change_of_whitespace(
    case: tuple[list[str], list[str], list[str]],
) -> None:
    tokens, first, second = case
    expected = joined(tokens, first) + first[-1]
    actual = joined(tokens, second) + second[-1]
    assert compare(expected, actual, TOKENS).passed


@given(case=spaced_twice())
def test_tokens_space_change_sensitive_fails_on_any_change_of_whitespace(
    case: tuple[list[str], list[str], list[str]],
) -> None:
    tokens, first, second = case
    assume(first != second)
    expected = joined(tokens, first) + first[-1]
    actual = joined(tokens, second) + second[-1]
    result = compare(expected, actual, SPACE_SENSITIVE)
    assert not result.passed
    assert result.message is not None
    assert "whitespace" in result.message


@given(tokens=st.lists(words, min_size=1, max_size=8), data=st.data())
def test_tokens_any_changed_token_fails(tokens: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(tokens) - 1))
    replacement = data.draw(words.filter(lambda w: w.lower() != tokens[index].lower()))
    changed = [*tokens[:index], replacement, *tokens[index + 1 :]]
    result = compare(" ".join(tokens), " ".join(changed), TOKENS)
    assert not result.passed
    assert result.message is not None
    assert result.message.startswith(f"token {index + 1} (line 1): ")


@given(text=st.text(alphabet=string.ascii_letters + WHITESPACE + string.digits))
def test_tokens_ignore_case_unless_case_sensitive(text: str) -> None:
    swapped = text.swapcase()
    assert compare(text, swapped, TOKENS).passed
    assert compare(text, swapped, CASE_SENSITIVE).passed == (swapped == text)


def test_tokens_fold_only_ascii_case_as_strcasecmp_does() -> None:
    assert not compare("ÉTÉ", "été", TOKENS).passed


answers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
magnitudes = st.floats(min_value=1.0, max_value=1e6)
signs = st.sampled_from([1.0, -1.0])
TOLERANCE = 1e-3


@given(answer=answers, sign=signs)
def test_float_absolute_tolerance_edge(answer: float, sign: float) -> None:
    spec = Compare(mode="tokens", float_absolute_tolerance=TOLERANCE)
    inside = answer + sign * 0.9 * TOLERANCE
    outside = answer + sign * 1.1 * TOLERANCE
    assert compare(repr(answer), repr(inside), spec).passed
    assert not compare(repr(answer), repr(outside), spec).passed


@given(magnitude=magnitudes, answer_sign=signs, sign=signs)
def test_float_relative_tolerance_edge(magnitude: float, answer_sign: float, sign: float) -> None:
    spec = Compare(mode="tokens", float_relative_tolerance=TOLERANCE)
    answer = answer_sign * magnitude
    inside = answer + sign * 0.9 * TOLERANCE * magnitude
    outside = answer + sign * 1.1 * TOLERANCE * magnitude
    assert compare(repr(answer), repr(inside), spec).passed
    assert not compare(repr(answer), repr(outside), spec).passed


@given(answer=answers, sign=signs)
def test_float_tolerance_sets_both_tolerances(answer: float, sign: float) -> None:
    spec = Compare(mode="tokens", float_tolerance=TOLERANCE)
    widest = TOLERANCE * max(1.0, abs(answer))
    assert compare(repr(answer), repr(answer + sign * 0.9 * widest), spec).passed
    assert not compare(repr(answer), repr(answer + sign * 1.1 * widest), spec).passed


@pytest.mark.parametrize(
    ("absolute", "relative", "output", "passed"),
    [
        pytest.param(1e-3, None, "100.0009", True, id="absolute-alone-inside"),
        pytest.param(1e-3, None, "100.5", False, id="absolute-alone-outside"),
        pytest.param(1e-3, 1e-2, "100.5", True, id="relative-saves-it"),
        pytest.param(1.0, 1e-3, "100.5", True, id="absolute-saves-it"),
        pytest.param(1e-3, 1e-3, "100.5", False, id="neither-saves-it"),
    ],
)
def test_float_passes_within_either_tolerance(
    absolute: float | None, relative: float | None, output: str, passed: bool
) -> None:
    spec = Compare(
        mode="tokens", float_absolute_tolerance=absolute, float_relative_tolerance=relative
    )
    assert compare("100", output, spec).passed is passed


def test_specific_tolerance_wins_over_float_tolerance() -> None:
    spec = Compare(mode="tokens", float_tolerance=1.0, float_absolute_tolerance=1e-6)
    assert not compare("0", "0.5", spec).passed


@given(value=st.floats(allow_nan=False, allow_infinity=False))
def test_any_notation_of_the_same_float_passes(value: float) -> None:
    spec = Compare(mode="tokens", float_absolute_tolerance=0.0)
    for notation in (repr(value), f"{value:.17e}", f"{value:.17g}", value.hex()):
        assert compare(repr(value), notation, spec).passed, notation


@pytest.mark.parametrize(
    ("answer", "output"),
    [
        pytest.param("1000", "1e3", id="exponent"),
        pytest.param("1000", "1000.0", id="trailing-decimals"),
        pytest.param("1000", "+1.000E+03", id="sign-and-capital-exponent"),
        pytest.param("0.5", ".5", id="no-leading-zero"),
        pytest.param("-2", "-2.", id="trailing-point"),
        pytest.param("0.25", "0x1p-2", id="c-hexadecimal"),
        pytest.param("0", "-0.0", id="negative-zero"),
    ],
)
def test_float_notation_examples_pass(answer: str, output: str) -> None:
    assert compare(answer, output, Compare(mode="tokens", float_tolerance=1e-9)).passed


@pytest.mark.parametrize(
    "output",
    [
        pytest.param("nan", id="nan"),
        pytest.param("inf", id="inf"),
        pytest.param("1e999", id="overflows-to-inf"),
        pytest.param("1e", id="dangling-exponent"),
        pytest.param("1,5", id="decimal-comma"),
        pytest.param("1_5", id="python-underscore"),
        pytest.param("\u0661.\u0665", id="arabic-indic-digits"),
        pytest.param("abc", id="word"),
    ],
)
def test_float_answer_needs_a_finite_float(output: str) -> None:
    result = compare("1.5", output, Compare(mode="tokens", float_tolerance=1e9))
    assert not result.passed
    assert result.message == f'token 1 (line 1): expected a number close to "1.5", got "{output}"'


@pytest.mark.parametrize(
    ("answer", "output", "passed"),
    [
        pytest.param("inf", "INF", True, id="inf-is-a-word"),
        pytest.param("nan", "NaN", True, id="nan-is-a-word"),
        pytest.param("inf", "infinity", False, id="inf-spelled-otherwise"),
        pytest.param("nan", "0", False, id="nan-is-no-number"),
    ],
)
def test_nan_and_inf_compare_as_words(answer: str, output: str, passed: bool) -> None:
    assert compare(answer, output, Compare(mode="tokens", float_tolerance=1.0)).passed is passed


def test_without_tolerance_floats_compare_as_words() -> None:
    assert not compare("1.0", "1", TOKENS).passed


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        pytest.param(
            "1 2\n3.14\n",
            "1 2\n3.2\n",
            'token 3 (line 2): expected "3.14", got "3.2"',
            id="changed",
        ),
        pytest.param("1 2 3", "1 2", 'token 3: expected "3", but the output ended', id="missing"),
        pytest.param("1 2", "1 2\n\n9", 'token 3 (line 3): extra output "9"', id="extra"),
        pytest.param("1", "", 'token 1: expected "1", but the output ended', id="empty-output"),
    ],
)
def test_token_messages(expected: str, actual: str, message: str) -> None:
    assert compare(expected, actual, TOKENS).message == message


def test_float_message_names_both_values_and_tolerance() -> None:
    spec = Compare(mode="tokens", float_absolute_tolerance=1e-3)
    message = compare("3.14", "3.2", spec).message
    assert message == (
        'token 1 (line 1): expected "3.14", got "3.2" (off by 0.06; absolute tolerance 0.001)'
    )


def test_space_sensitive_also_compares_whitespace_after_the_last_token() -> None:
    result = compare("42\n", "42", SPACE_SENSITIVE)
    assert result.message == 'whitespace after the last token differs: expected "\\n", got ""'


@given(lines=plain_lines, pads=st.lists(st.text(alphabet=" \t\r")), blank=st.integers(0, 3))
def test_lines_ignore_trailing_whitespace_and_blank_lines(
    lines: list[str], pads: list[str], blank: int
) -> None:
    padded = [line + pad for line, pad in zip(lines, pads + [""] * len(lines), strict=False)]
    actual = "\n".join(padded) + "\n" * blank
    assert compare("\n".join(lines), actual, LINES).passed


@given(lines=plain_lines)
def test_lines_read_crlf_as_lf(lines: list[str]) -> None:
    assert compare("\n".join(lines) + "\n", "\r\n".join(lines) + "\r\n", LINES).passed


@given(lines=plain_lines, data=st.data())
def test_lines_leading_whitespace_fails(lines: list[str], data: st.DataObject) -> None:
    filled = [i for i, line in enumerate(lines) if line[:1].strip()]
    assume(filled)
    index = data.draw(st.sampled_from(filled))
    changed = [*lines[:index], " " + lines[index], *lines[index + 1 :]]
    result = compare("\n".join(lines), "\n".join(changed), LINES)
    assert not result.passed
    assert result.message is not None
    assert result.message.startswith(f"line {index + 1}, column 1: ")


@given(lines=plain_lines, data=st.data())
def test_lines_inner_change_fails(lines: list[str], data: st.DataObject) -> None:
    spots = [
        (row, column)
        for row, line in enumerate(lines)
        for column, char in enumerate(line)
        if char not in WHITESPACE
    ]
    assume(spots)
    row, column = data.draw(st.sampled_from(spots))
    line = lines[row]
    new_char = data.draw(st.sampled_from("ab").filter(lambda c: c != line[column]))
    changed = [*lines[:row], line[:column] + new_char + line[column + 1 :], *lines[row + 1 :]]
    result = compare("\n".join(lines), "\n".join(changed), LINES)
    assert not result.passed
    assert result.message is not None
    assert result.message.startswith(f"line {row + 1}, column ")


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        pytest.param("x = 42", "x = 41", 'line 1, column 5: expected "42", got "41"', id="word"),
        pytest.param(
            "a\nb\nc d e\n",
            "a\nb\nc d  e\n",
            'line 3, column 5: expected "e", got " e"',
            id="inner-space",
        ),
        pytest.param("a\nb\n", "a\n", 'line 2: expected "b", but the output ended', id="missing"),
        pytest.param(
            "a\n\nb\n", "a\n", 'line 3: expected "b", but the output ended', id="after-blank"
        ),
        pytest.param("a\n", "a\n\nz\n", 'line 3: extra output "z"', id="extra"),
        pytest.param("a\n", " a\n", 'line 1, column 1: expected "a", got " a"', id="leading"),
    ],
)
def test_lines_messages_name_line_and_column(expected: str, actual: str, message: str) -> None:
    assert compare(expected, actual, LINES).message == message


@given(text=st.text(min_size=1), data=st.data())
def test_exact_fails_on_any_changed_character(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text) - 1))
    new_char = data.draw(st.characters().filter(lambda c: c != text[index]))
    assert not compare(text, text[:index] + new_char + text[index + 1 :], EXACT).passed


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        pytest.param("42\n", "42", 'line 1, column 1: expected "42\\n", got "42"', id="newline"),
        pytest.param("a \n", "a\n", 'line 1, column 1: expected "a \\n", got "a\\n"', id="space"),
        pytest.param("a\n", "a\r\n", 'line 1, column 1: expected "a\\n", got "a\\r\\n"', id="crlf"),
        pytest.param("a\n", "a\n\n", 'line 2: extra output "\\n"', id="blank-line"),
    ],
)
def test_exact_counts_every_character(expected: str, actual: str, message: str) -> None:
    assert compare(expected, actual, EXACT).message == message


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(EXACT, id="exact"),
        pytest.param(LINES, id="lines"),
        pytest.param(TOKENS, id="tokens"),
        pytest.param(Compare(mode="tokens", float_tolerance=1e-3), id="tokens-float"),
    ],
)
@given(expected=st.text(), actual=st.text())
def test_messages_are_one_bounded_line(spec: Compare, expected: str, actual: str) -> None:
    message = compare(expected * 50, actual * 50, spec).message
    assert message is None or ("\n" not in message and len(message) <= 250)


def test_checker_mode_is_not_compared_here() -> None:
    with pytest.raises(ValueError, match="checker"):
        compare("a", "a", Compare(mode="checker", checker="print()"))
