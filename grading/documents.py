"""Suite documents: reading a suite from JSON, TOML or YAML, checking it, writing it as JSON.

msgspec checks the shape; `validate_suite` checks what a schema cannot (unique names, limits
above zero, a checker only in `checker` mode). Every problem becomes a `SuiteError` whose
message names the field to fix, like `cases[2].points: expected a number, got a string`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import Any, Literal, get_args

import msgspec

from grading.errors import SuiteError
from grading.feedback import quote
from grading.suite import (
    Case,
    Compare,
    CompareMode,
    Group,
    GroupScoring,
    Isolation,
    Suite,
    Visibility,
)

Format = Literal["json", "toml", "yaml"]

_FORMATS: dict[str, Format] = {".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
_DECODERS: dict[Format, Callable[..., Any]] = {
    "json": msgspec.json.decode,
    "toml": msgspec.toml.decode,
    "yaml": msgspec.yaml.decode,
}
# msgspec names types in backticks: `float`, `str | null`; say them as a person would.
_TYPE_WORDS = {
    "float": "a number",
    "int": "an integer",
    "str": "a string",
    "bool": "true or false",
    "array": "a list",
    "object": "a table of fields",
    "null": "nothing",
}
_BACKTICKED = re.compile(r"`([^`]*)`")
# What each field that takes one of a few words accepts, to say so when it gets another.
_CHOICES: dict[str, tuple[str, ...]] = {
    "isolation": get_args(Isolation),
    "mode": get_args(CompareMode),
    "visibility": get_args(Visibility),
    "scoring": get_args(GroupScoring),
    "on_reject": ("continue", "break"),
}


def suite_format(filename: str) -> Format:
    """The document format a suite file is written in, judged by its extension."""
    extension = PurePath(filename).suffix.lower()
    if extension not in _FORMATS:
        allowed = ", ".join(_FORMATS)
        raise SuiteError(f"{filename}: a suite file must end in one of {allowed}")
    return _FORMATS[extension]


def decode_suite(data: bytes, fmt: Format) -> Suite:
    """Read and validate a suite document; any problem raises `SuiteError` naming the field."""
    try:
        suite: Suite = _DECODERS[fmt](data, type=Suite)
    except msgspec.ValidationError as error:
        raise SuiteError(_readable(str(error))) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        detail = " ".join(str(error).split())
        raise SuiteError(f"not a valid {fmt.upper()} document: {detail}") from None
    return validate_suite(suite)


def encode_suite(suite: Suite) -> bytes:
    """The suite as a JSON document, the form the HTTP API takes."""
    return msgspec.json.encode(suite)


def _readable(message: str) -> str:
    """A msgspec validation message with its `$.a[0].b` path turned into `a[0].b: ...`."""
    text, _, path = message.partition(" - at `$")
    text = _BACKTICKED.sub(_words_for, text)
    text = text.replace("Object missing required field", "missing required field")
    text = text.replace("Object contains unknown field", "unknown field")
    text = text[:1].lower() + text[1:]
    where = path.rstrip("`").removeprefix(".")
    choices = _CHOICES.get(where.rpartition(".")[2])
    if text.startswith("invalid enum value") and choices:
        text += "; use " + " or ".join(f'"{choice}"' for choice in choices)
    return f"{where}: {text}" if where else text


def _words_for(match: re.Match[str]) -> str:
    """A backticked msgspec type (`float | null`) in words, or a backticked field name quoted."""
    names = match.group(1).split(" | ")
    if all(name in _TYPE_WORDS for name in names):
        return " or ".join(_TYPE_WORDS[name] for name in names)
    return f'"{match.group(1)}"'


def validate_suite(suite: Suite) -> Suite:
    """Return `suite` if it makes sense; else raise `SuiteError` listing every problem."""
    problems = list(_problems(suite))
    if problems:
        raise SuiteError("; ".join(problems))
    return suite


def _problems(suite: Suite) -> Iterator[str]:
    """Everything wrong with a suite that its schema cannot say."""
    if not suite.name.strip():
        yield "name: must not be empty"
    yield from _positive("time_limit", suite.time_limit)
    yield from _positive("memory_limit", suite.memory_limit)
    yield from _compare_problems("compare", suite.compare)
    for index, group in enumerate(suite.groups):
        yield from _group_problems(f"groups[{index}]", group)
    cases = list(_located_cases(suite))
    if not cases:
        yield "cases: the suite has no cases; add one under cases or under a group"
    for path, case in cases:
        yield from _case_problems(path, case)
    yield from _duplicates([(path, case.name) for path, case in cases], "case")
    yield from _duplicates([(f"groups[{i}]", g.name) for i, g in enumerate(suite.groups)], "group")


def _located_cases(suite: Suite) -> Iterator[tuple[str, Case]]:
    """Every case in the suite with its path in the document."""
    for index, case in enumerate(suite.cases):
        yield f"cases[{index}]", case
    for group_index, group in enumerate(suite.groups):
        for index, case in enumerate(group.cases):
            yield f"groups[{group_index}].cases[{index}]", case


def _group_problems(path: str, group: Group) -> Iterator[str]:
    """What is wrong with a group itself (its cases are checked with the others)."""
    if not group.name.strip():
        yield f"{path}.name: must not be empty"
    if not group.cases:
        yield f"{path}.cases: a group needs at least one case"
    if group.points is not None:
        yield from _not_negative(f"{path}.points", group.points)


def _case_problems(path: str, case: Case) -> Iterator[str]:
    """What is wrong with one case."""
    if not case.name.strip():
        yield f"{path}.name: must not be empty"
    yield from _not_negative(f"{path}.points", case.points)
    yield from _positive(f"{path}.time_limit", case.time_limit)
    yield from _positive(f"{path}.memory_limit", case.memory_limit)
    if case.compare is not None:
        yield from _compare_problems(f"{path}.compare", case.compare)


def _compare_problems(path: str, spec: Compare) -> Iterator[str]:
    """What is wrong with how output is compared: tolerances, and a checker in the right mode."""
    for field in ("float_absolute_tolerance", "float_relative_tolerance", "float_tolerance"):
        value = getattr(spec, field)
        if value is not None:
            yield from _not_negative(f"{path}.{field}", value)
            if spec.mode != "tokens":
                yield f'{path}.{field}: float tolerances apply only in mode "tokens"'
    if spec.mode == "checker" and not (spec.checker or "").strip():
        yield f'{path}.checker: mode "checker" needs the checker\'s Python source'
    if spec.mode != "checker" and spec.checker is not None:
        yield f'{path}.checker: a checker runs only in mode "checker", not "{spec.mode}"'
    if spec.mode != "checker" and spec.checker_flags:
        yield f'{path}.checker_flags: checker flags apply only in mode "checker"'


def _not_negative(path: str, value: float) -> Iterator[str]:
    """A problem if `value` is negative or not a finite number."""
    if not (math.isfinite(value) and value >= 0):
        yield f"{path}: must be a number >= 0, got {value:g}"


def _positive(path: str, value: float | None) -> Iterator[str]:
    """A problem if a limit is set but is not a finite number above zero."""
    if value is not None and not (math.isfinite(value) and value > 0):
        yield f"{path}: must be a number > 0, got {value:g}"


def _duplicates(named: list[tuple[str, str]], kind: str) -> Iterator[str]:
    """A problem for each name already used by an earlier item of the same kind."""
    first_seen: dict[str, str] = {}
    for path, name in named:
        if name in first_seen:
            yield f"{path}.name: {kind} name {quote(name)} is already used at {first_seen[name]}"
        first_seen.setdefault(name, path)
