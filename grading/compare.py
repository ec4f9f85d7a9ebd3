"""Comparing a program's output with the expected output, the way users' old judges did.

- `exact`: the two texts are equal, character for character.
- `lines` (Judge0's rule): each line right-trimmed (so `\\r\\n` reads as `\\n`), trailing blank
  lines ignored, then exact. Leading whitespace and blank lines before the output still count.
- `tokens`: the Kattis default output validator (problemtools' `default_validator`).
  Tokens are runs of characters other than C `isspace` ones (space, \\t, \\n, \\v, \\f, \\r),
  compared with ASCII-only case folding as `strcasecmp` does. With a float tolerance, an answer
  token that is a finite float (decimal like `1e3`, `.5`, `-2.` or C hexadecimal like `0x1p3`)
  needs an output token that is also one, within the absolute or the relative tolerance of it.
  `nan` and `inf` are not floats there, as in Kattis: they compare as words. When both
  `float_tolerance` and a specific tolerance are set, the specific one wins.
- `checker`: judged by running the suite's checker, so not here (see `grading.judge`).

A failed comparison names the first difference in one line, like DOMjudge does.
"""

from __future__ import annotations

import itertools
import math
import re
import string
from typing import NamedTuple

import msgspec

from grading.feedback import quote
from grading.suite import Compare

_SPACE = " \t\n\v\f\r"
_TOKEN = re.compile(r"[^ \t\n\v\f\r]+")
# ASCII only: Python's `\d` and float() also take other scripts' digits, C's strtod does not.
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_HEXADECIMAL = re.compile(
    r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?", re.ASCII
)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


class Comparison(msgspec.Struct, frozen=True):
    """Whether the output passed and, if not, one line naming the first difference."""

    passed: bool
    message: str | None = None


PASSED = Comparison(passed=True)


def compare(expected: str, actual: str, spec: Compare) -> Comparison:
    """Judge `actual` against `expected` under `spec.mode`; `checker` mode is not judged here."""
    if spec.mode == "exact":
        return _compare_lines(_raw_lines(expected), _raw_lines(actual))
    if spec.mode == "lines":
        return _compare_lines(_trimmed_lines(expected), _trimmed_lines(actual))
    if spec.mode == "tokens":
        return _compare_tokens(expected, actual, spec)
    raise ValueError(f"compare mode {spec.mode!r} is judged by running the checker")


def _failed(message: str) -> Comparison:
    """A failed comparison with its one-line message."""
    return Comparison(passed=False, message=message)


def _raw_lines(text: str) -> list[str]:
    """The lines of `text`, each keeping its `\\n`, so that `exact` sees every character."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _trimmed_lines(text: str) -> list[str]:
    """The lines of `text` right-trimmed, without trailing blank lines (Judge0's rule)."""
    lines = [line.rstrip(_SPACE) for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _compare_lines(expected: list[str], actual: list[str]) -> Comparison:
    """Compare line by line, naming the first line (and column) that differs."""
    for number, (want, got) in enumerate(zip(expected, actual, strict=False), start=1):
        if want != got:
            return _failed(_line_difference(number, want, got))
    shared = min(len(expected), len(actual))
    if len(expected) > shared:
        number, line = _first_filled(expected, shared)
        return _failed(f"line {number}: expected {quote(line)}, but the output ended")
    if len(actual) > shared:
        number, line = _first_filled(actual, shared)
        return _failed(f"line {number}: extra output {quote(line)}")
    return PASSED


def _first_filled(lines: list[str], start: int) -> tuple[int, str]:
    """The number and text of the first non-empty line from `start` (the last one never is)."""
    index = next(i for i in range(start, len(lines)) if lines[i])
    return index + 1, lines[index]


def _line_difference(number: int, want: str, got: str) -> str:
    """Where two lines part, quoted from the start of the word that differs."""
    column = _common_prefix(want, got)
    while column > 0 and want[column - 1] not in _SPACE:
        column -= 1
    return (
        f"line {number}, column {column + 1}: "
        f"expected {quote(want[column:])}, got {quote(got[column:])}"
    )


def _common_prefix(first: str, second: str) -> int:
    """The length of the longest common prefix of two strings."""
    pairs = zip(first, second, strict=False)
    return next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(first), len(second)))


class _Tolerance(NamedTuple):
    """The float tolerances of a `tokens` comparison; None leaves one out."""

    absolute: float | None
    relative: float | None


def _compare_tokens(expected: str, actual: str, spec: Compare) -> Comparison:
    """Compare token by token as the Kattis default output validator does."""
    answer, output = _TOKEN.findall(expected), _TOKEN.findall(actual)
    # The whitespace before each token and after the last, checked only when it must match.
    answer_gaps = _TOKEN.split(expected) if spec.space_change_sensitive else []
    output_gaps = _TOKEN.split(actual) if spec.space_change_sensitive else []
    tolerance = _tolerance(spec)
    for index, (want, got) in enumerate(zip(answer, output, strict=False)):
        problem = _gap_difference(answer_gaps, output_gaps, index, "before it")
        if problem is None and want != got:
            problem = _token_difference(want, got, spec, tolerance)
        if problem:
            return _failed(f"token {index + 1} (line {_line_of(actual, index)}): {problem}")
    return _count_difference(answer, output, actual) or _trailing_difference(
        answer_gaps, output_gaps
    )


def _count_difference(answer: list[str], output: list[str], actual: str) -> Comparison | None:
    """A failure when the output has fewer or more tokens than the answer."""
    shared = min(len(answer), len(output))
    if len(answer) > shared:
        missing = quote(answer[shared])
        return _failed(f"token {shared + 1}: expected {missing}, but the output ended")
    if len(output) > shared:
        where = f"token {shared + 1} (line {_line_of(actual, shared)})"
        return _failed(f"{where}: extra output {quote(output[shared])}")
    return None


def _trailing_difference(answer_gaps: list[str], output_gaps: list[str]) -> Comparison:
    """The verdict on the whitespace after the last token, once all tokens matched."""
    problem = _gap_difference(answer_gaps, output_gaps, -1, "after the last token")
    return _failed(problem) if problem else PASSED


def _gap_difference(answer: list[str], output: list[str], index: int, where: str) -> str | None:
    """A whitespace mismatch at one gap, when whitespace must match (`space_change_sensitive`)."""
    if not answer or answer[index] == output[index]:
        return None
    want, got = quote(answer[index]), quote(output[index])
    return f"whitespace {where} differs: expected {want}, got {got}"


def _line_of(text: str, index: int) -> int:
    """The line token `index` (from 0) of `text` sits on; counted only for a message."""
    match = next(itertools.islice(_TOKEN.finditer(text), index, None))
    return text.count("\n", 0, match.start()) + 1


def _tolerance(spec: Compare) -> _Tolerance | None:
    """The float tolerances `spec` sets, or None when floats compare as words."""
    absolute = _first_set(spec.float_absolute_tolerance, spec.float_tolerance)
    relative = _first_set(spec.float_relative_tolerance, spec.float_tolerance)
    if absolute is None and relative is None:
        return None
    return _Tolerance(absolute, relative)


def _first_set(specific: float | None, general: float | None) -> float | None:
    """A specific tolerance, else the general one."""
    return general if specific is None else specific


def _token_difference(
    want: str, got: str, spec: Compare, tolerance: _Tolerance | None
) -> str | None:
    """What is wrong with one output token, or None when it matches the answer's."""
    if tolerance and (value := _float(want)) is not None:
        return _float_difference(value, want, got, tolerance)
    if _same_word(want, got, spec.case_sensitive):
        return None
    return f"expected {quote(want)}, got {quote(got)}"


def _same_word(want: str, got: str, case_sensitive: bool) -> bool:
    """Whether two tokens are equal, ignoring ASCII case unless `case_sensitive` (`strcasecmp`)."""
    if case_sensitive:
        return want == got
    return want.translate(_ASCII_LOWER) == got.translate(_ASCII_LOWER)


def _float(token: str) -> float | None:
    """The value of a token that is a finite float in C notation, else None."""
    try:
        if _DECIMAL.fullmatch(token):
            value = float(token)
        elif _HEXADECIMAL.fullmatch(token):
            value = float.fromhex(token)
        else:
            return None
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def _float_difference(answer: float, want: str, got: str, tolerance: _Tolerance) -> str | None:
    """Why an output token is not within tolerance of the answer's float, or None if it is."""
    value = _float(got)
    if value is None:
        return f"expected a number close to {quote(want)}, got {quote(got)}"
    error = abs(answer - value)
    absolute, relative = tolerance
    if absolute is not None and error <= absolute:
        return None
    if relative is not None and error <= relative * abs(answer):
        return None
    return f"expected {quote(want)}, got {quote(got)} (off by {error:.3g}; {_describe(tolerance)})"


def _describe(tolerance: _Tolerance) -> str:
    """The tolerances in words, for a message."""
    named = zip(("absolute", "relative"), tolerance, strict=True)
    return ", ".join(f"{name} tolerance {value:g}" for name, value in named if value is not None)
