"""Gradescope autograder results: the `results.json` a `run_autograder` writes, read without
trusting it.

The format is Gradescope's (gradescope/autograder_samples, docs/specs.md), and so are the
defaults for what a file leaves out, since Gradescope is lenient about missing fields:

- `score` at the top overrides the sum of the tests' scores; absent, the sum counts.
- `output_format` is `simple_format` unless set; `test_output_format` and `test_name_format`
  (the defaults of each test's `output_format` and `name_format`) are `text`.
- `visibility` is `visible` unless set, and a test without its own takes the top level's;
  `stdout_visibility` is `hidden` unless set (standard output is for instructors).
- A test's `status`, when absent, is `passed` if its `score` reaches its `max_score`, else
  `failed`; a test with neither score nor maximum is an informational check and passes
  (`status_of`). A test's `number` is its position (from 1) when absent.
- A leaderboard entry's `order` is `desc` (higher ranks higher) unless set.
- `null` stands for an absent field, and fields Gradescope does not define are ignored: the
  gradescope-utils `JSONTestRunner` adds `merge_subtests`, and writes `execution_time` as a
  string of seconds (`"0.52"`), which is read as the number it spells. A test's `number` may
  be written as a JSON number (`1.1`); `number_of` gives it as text.

SAFETY: the file is written by a process that ran the student's code, so it is hostile until
read. Its size, its nesting, the number of tests, tags and leaderboard entries are capped, and
points are bounded so that no sum of them overflows; texts longer than their cap are clipped,
not refused. Anything else wrong raises `ReportError` naming the field as the autograder wrote
it (`tests[3].score: expected a number, got a string`), and nothing else escapes.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal, get_args

import msgspec

from grading.errors import ReportError
from grading.feedback import clip

OutputFormat = Literal["text", "html", "simple_format", "md", "ansi"]
ResultVisibility = Literal["hidden", "after_due_date", "after_published", "visible"]
TestOutcome = Literal["passed", "failed"]
SortOrder = Literal["asc", "desc"]

MAX_RESULTS_BYTES = 1024 * 1024
"""The largest results.json read, as PrairieLearn caps its own results file at 1 MB."""
MAX_TESTS = 2000
MAX_TAGS = 64
MAX_LEADERBOARD = 100
MAX_OUTPUT_CHARS = 64_000
MAX_NAME_CHARS = 1000
"""Caps: tests, tags per test, leaderboard entries; each output and each name kept, in chars."""
MAX_POINTS = 1e9
"""The largest magnitude a score may have, so that any sum of them stays finite."""

Points = Annotated[float, msgspec.Meta(ge=-MAX_POINTS, le=MAX_POINTS)]
MaxPoints = Annotated[float, msgspec.Meta(ge=0, le=MAX_POINTS)]
Number = str | int | float
NO_DATA = msgspec.Raw(b"null")
"""`extra_data` when the file has none: the JSON `null`."""


class GradescopeTest(msgspec.Struct, frozen=True, kw_only=True):
    """One test as results.json gives it; `None` where the file left a field out."""

    __test__ = False  # not a pytest test class, despite its name

    score: Points | None = None
    max_score: MaxPoints | None = None
    status: TestOutcome | None = None
    name: str | None = None
    name_format: OutputFormat | None = None
    number: Number | None = None
    output: str | None = None
    output_format: OutputFormat | None = None
    tags: Annotated[list[str], msgspec.Meta(max_length=MAX_TAGS)] | None = None
    visibility: ResultVisibility | None = None
    extra_data: msgspec.Raw = NO_DATA


class LeaderboardEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One quantity shown on the assignment's leaderboard; `desc` ranks higher values first."""

    name: str
    value: Points | str | None = None
    order: SortOrder | None = None


class Results(msgspec.Struct, frozen=True, kw_only=True):
    """A whole results.json. `execution_time` is in seconds; `number`s are texts."""

    score: Points | None = None
    execution_time: float | None = None
    output: str | None = None
    output_format: OutputFormat | None = None
    test_output_format: OutputFormat | None = None
    test_name_format: OutputFormat | None = None
    visibility: ResultVisibility | None = None
    stdout_visibility: ResultVisibility | None = None
    extra_data: msgspec.Raw = NO_DATA
    tests: Annotated[list[GradescopeTest], msgspec.Meta(max_length=MAX_TESTS)] = msgspec.field(
        default_factory=list
    )
    leaderboard: Annotated[list[LeaderboardEntry], msgspec.Meta(max_length=MAX_LEADERBOARD)] = (
        msgspec.field(default_factory=list)
    )


class _WireResults(Results, frozen=True, kw_only=True):
    """Results as written: `execution_time` may be a string of seconds, as gradescope-utils
    writes it."""

    execution_time: Points | str | None = None  # type: ignore[assignment]


def parse_results(data: bytes, max_bytes: int = MAX_RESULTS_BYTES) -> Results:
    """Read a results.json; anything wrong with it raises `ReportError` naming the field."""
    if len(data) > max_bytes:
        raise ReportError(f"results.json is {len(data)} bytes, over the limit of {max_bytes}")
    if not data.strip():
        raise ReportError("results.json is empty")
    try:
        wire = msgspec.json.decode(data, type=_WireResults)
    except msgspec.ValidationError as error:
        raise ReportError(_readable(str(error))) from None
    except msgspec.DecodeError as error:
        reason = str(error).removeprefix("JSON is malformed: ")
        raise ReportError(f"results.json is not valid JSON: {reason}") from None
    except RecursionError:
        raise ReportError("results.json is nested too deeply") from None
    return _clipped(wire)


def status_of(test: GradescopeTest) -> TestOutcome:
    """The test's status, or Gradescope's default: passed when its score reaches its maximum."""
    if test.status is not None:
        return test.status
    if test.max_score is None:
        return "passed"
    return "passed" if (test.score or 0.0) >= test.max_score else "failed"


def number_of(test: GradescopeTest, index: int) -> str:
    """The test's number as text; its position from 1 when it has none, as Gradescope numbers."""
    if test.number is None:
        return str(index + 1)
    if isinstance(test.number, str):
        return test.number
    return msgspec.json.encode(test.number).decode()


def _clipped(wire: _WireResults) -> Results:
    """The results with every text within its cap and `execution_time` as a number."""
    return Results(
        score=wire.score,
        execution_time=_seconds(wire.execution_time),
        output=_clip(wire.output, MAX_OUTPUT_CHARS),
        output_format=wire.output_format,
        test_output_format=wire.test_output_format,
        test_name_format=wire.test_name_format,
        visibility=wire.visibility,
        stdout_visibility=wire.stdout_visibility,
        extra_data=wire.extra_data,
        tests=[_clipped_test(test) for test in wire.tests],
        leaderboard=[_clipped_entry(entry) for entry in wire.leaderboard],
    )


def _clipped_test(test: GradescopeTest) -> GradescopeTest:
    number = test.number
    return msgspec.structs.replace(
        test,
        name=None if test.name is None else _cut(test.name),
        number=_cut(number) if isinstance(number, str) else number,
        output=_clip(test.output, MAX_OUTPUT_CHARS),
        tags=None if test.tags is None else [_cut(tag) for tag in test.tags],
    )


def _clipped_entry(entry: LeaderboardEntry) -> LeaderboardEntry:
    value = entry.value
    return msgspec.structs.replace(
        entry,
        name=_cut(entry.name),
        value=_cut(value) if isinstance(value, str) else value,
    )


def _clip(text: str | None, limit: int) -> str | None:
    """A long text cut with a line saying how much was cut."""
    return None if text is None else clip(text, limit)


def _cut(name: str) -> str:
    """A one-line text cut to `MAX_NAME_CHARS`, ending with an ellipsis when it was cut."""
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"


def _seconds(value: float | str | None) -> float | None:
    """`execution_time` in seconds, from a number or from the string gradescope-utils writes."""
    if not isinstance(value, str):
        return value
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_POINTS:
        shown = value[:40]
        raise ReportError(f'execution_time: expected a number of seconds, got "{shown}"')
    return seconds


def _readable(message: str) -> str:
    """A msgspec validation message in the autograder's terms: `tests[3].score: expected ...`."""
    text, _, path = message.partition(" - at `$")
    where = path.rstrip("`").removeprefix(".")
    text = _BACKTICKED.sub(_words_for, text)
    text = text.replace("Object missing required field", "missing required field")
    text = text.replace("Number out of range", "the number is out of range")
    text = text[:1].lower() + text[1:]
    choices = _CHOICES.get(re.sub(r"\[\d+\]$", "", where.rpartition(".")[2]))
    if text.startswith("invalid enum value") and choices:
        text += "; use " + " or ".join(f'"{choice}"' for choice in choices)
    return f"{where}: {text}" if where else f"results.json: {text}"


def _words_for(match: re.Match[str]) -> str:
    """A backticked msgspec type (`float | null`) in words, or a backticked field name quoted."""
    names = [name for name in match.group(1).split(" | ") if name != "null"]
    if names and all(name in _TYPE_WORDS for name in names):
        return " or ".join(dict.fromkeys(_TYPE_WORDS[name] for name in names))
    return f'"{match.group(1)}"'


_BACKTICKED = re.compile(r"`([^`]*)`")
_TYPE_WORDS = {
    "float": "a number",
    "int": "a number",
    "str": "a string",
    "bool": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "output_format": get_args(OutputFormat),
    "test_output_format": get_args(OutputFormat),
    "test_name_format": get_args(OutputFormat),
    "name_format": get_args(OutputFormat),
    "visibility": get_args(ResultVisibility),
    "stdout_visibility": get_args(ResultVisibility),
    "status": get_args(TestOutcome),
    "order": get_args(SortOrder),
}
