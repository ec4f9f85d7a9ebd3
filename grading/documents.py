"""Suite documents: reading a suite from JSON, TOML or YAML, checking it, writing it as JSON.

A document's `kind` says which suite it is: absent (or `"io"`), an I/O suite of cases
(`grading/suite.py`); `"unit"`, a unit-test suite (`grading/unit.py`). A new kind is one more
entry in `_KINDS` and its own checks. msgspec checks the shape; `validate_suite` and
`validate_unit_suite` check what a schema cannot (unique names, limits above zero, a checker
only in `checker` mode, file names that stay inside the sandbox's folder). Every problem becomes
a `SuiteError` whose message names the field to fix, like
`cases[2].points: expected a number, got a string`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePath
from typing import Any, Literal, get_args

import msgspec

from grading.errors import SuiteError
from grading.feedback import quote
from grading.junit import Framework
from grading.kinds import AnySuite
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
from grading.unit import (
    FRAMEWORK_LANGUAGES,
    REPORT_PLACEHOLDER,
    SOURCE_EXTENSIONS,
    UnitIsolation,
    UnitSuite,
)

Format = Literal["json", "toml", "yaml"]

_KINDS: dict[str, type[Suite] | type[UnitSuite]] = {"io": Suite, "unit": UnitSuite}

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
    "isolation": get_args(Isolation) + get_args(UnitIsolation),
    "framework": get_args(Framework),
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


def decode_document(data: bytes, fmt: Format) -> AnySuite:
    """Read and validate a suite document of any kind; a problem raises `SuiteError`."""
    try:
        document = _DECODERS[fmt](data)
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        detail = " ".join(str(error).split())
        raise SuiteError(f"not a valid {fmt.upper()} document: {detail}") from None
    kind = document.get("kind", "io") if isinstance(document, dict) else "io"
    if not isinstance(kind, str) or kind not in _KINDS:
        kinds = " or ".join(f'"{name}"' for name in _KINDS)
        raise SuiteError(f"kind: {quote(str(kind))} is not a kind of suite; use {kinds}")
    if kind == "io" and isinstance(document, dict):
        document = {key: value for key, value in document.items() if key != "kind"}
    try:
        suite: AnySuite = msgspec.convert(document, type=_KINDS[kind])
    except msgspec.ValidationError as error:
        raise SuiteError(_readable(str(error))) from None
    if isinstance(suite, UnitSuite):
        return validate_unit_suite(suite)
    return validate_suite(suite)


LISTED_FILES = {"tests": False, "support": False, "reference": True}
"""A unit suite's fields that may list files (paths relative to the suite document) instead of
holding them; True: a file keeps only its name (the reference stands where a student's files
do)."""


def decode_listing(data: bytes, fmt: Format, read: Callable[[str], str]) -> AnySuite:
    """A suite document of any kind whose unit-suite fields may list files beside it:
    `read(path)` gives each listed file's text (raising `SuiteError` when there is none)."""
    try:
        document = _DECODERS[fmt](data)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return decode_document(data, fmt)  # which says what is wrong with it
    if not isinstance(document, dict) or document.get("kind") != "unit":
        return decode_document(data, fmt)
    for field, by_name in LISTED_FILES.items():
        listed = document.get(field)
        if isinstance(listed, list):
            document[field] = {
                (PurePath(name).name if by_name else name): read(name)
                for name in listed
                if isinstance(name, str)
            }
    return decode_document(msgspec.json.encode(document), "json")


LISTING_DOCUMENTS = ("suite.toml", "suite.json", "suite.yaml", "suite.yml")
"""A package (a zip) holding one of these at its top is a suite with the files it lists beside
it; without one, it is something else (a Kattis problem package)."""


def listed_suite(files: Mapping[str, bytes]) -> AnySuite | None:
    """The suite a package's suite document describes, with the files it lists read from the
    package; None when the package has no suite document at its top."""
    found = next((name for name in LISTING_DOCUMENTS if name in files), None)
    if found is None:
        return None

    def read(path: str) -> str:
        if path not in files:
            raise SuiteError(f"{found} lists {quote(path)}, which the package does not hold")
        return files[path].decode("utf-8", errors="replace")

    return decode_listing(files[found], suite_format(found), read)


def decode_suite(data: bytes, fmt: Format) -> Suite:
    """Read and validate an I/O suite document; any problem raises `SuiteError` naming the field."""
    suite = decode_document(data, fmt)
    if not isinstance(suite, Suite):
        raise SuiteError(f'kind: a suite of cases is needed here, not a "{suite.kind}" suite')
    return suite


def decode_stored(data: bytes | str) -> AnySuite:
    """A suite as OopsEngine stored it (JSON, checked when it was stored), of its kind."""
    document = msgspec.json.decode(data)
    kind = document.get("kind", "io") if isinstance(document, dict) else "io"
    if kind == "io":
        return msgspec.json.decode(data, type=Suite)
    return msgspec.json.decode(data, type=_KINDS[kind])


def encode_suite(suite: AnySuite) -> bytes:
    """The suite as a JSON document, the form the HTTP API takes; a unit suite says its kind."""
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


def validate_unit_suite(suite: UnitSuite) -> UnitSuite:
    """Return `suite` if it makes sense; else raise `SuiteError` listing every problem."""
    problems = list(_unit_problems(suite))
    if problems:
        raise SuiteError("; ".join(problems))
    return suite


def _unit_problems(suite: UnitSuite) -> Iterator[str]:
    """Everything wrong with a unit-test suite that its schema cannot say."""
    if not suite.name.strip():
        yield "name: must not be empty"
    yield from _framework_problems(suite)
    yield from _file_problems(suite)
    for index, rule in enumerate(suite.points):
        yield from _rule_problems(f"points[{index}]", rule.match, rule.points)
        if rule.group is not None and rule.group not in {group.name for group in suite.groups}:
            yield f"points[{index}].group: no group {quote(rule.group)} under groups; declare it"
    for index, group in enumerate(suite.groups):
        if not group.name.strip():
            yield f"groups[{index}].name: must not be empty"
        if group.points is not None:
            yield from _not_negative(f"groups[{index}].points", group.points)
    yield from _duplicates([(f"groups[{i}]", g.name) for i, g in enumerate(suite.groups)], "group")
    for field in ("time_limit", "test_time_limit", "memory_limit"):
        yield from _positive(field, getattr(suite, field))


def _framework_problems(suite: UnitSuite) -> Iterator[str]:
    """A framework that does not test the language, or a command where none belongs."""
    languages = FRAMEWORK_LANGUAGES.get(suite.framework)
    if languages is not None and suite.language not in languages:
        allowed = " or ".join(f'"{language}"' for language in languages)
        yield f"language: {suite.framework} tests {allowed}, not {quote(suite.language)}"
    if suite.framework == "command" and REPORT_PLACEHOLDER not in (suite.command or ""):
        yield f'command: framework "command" needs a command line that writes {REPORT_PLACEHOLDER}'
    if suite.framework != "command" and suite.command is not None:
        yield f'command: only framework "command" runs a command; {suite.framework} runs its own'


def _file_problems(suite: UnitSuite) -> Iterator[str]:
    """Files that are missing, clash, or would land outside the sandbox's folder."""
    if not suite.tests:
        yield "tests: at least one test file"
    if not suite.submit:
        yield "submit: at least one file name that submissions hand in"
    for index, name in enumerate(suite.submit):
        yield from _submitted_name_problems(f"submit[{index}]", name, suite.language)
    for index, name in enumerate(suite.submit):
        if name in suite.submit[:index]:
            yield f"submit[{index}]: {quote(name, 80)} is already named earlier in submit"
    for field in ("tests", "support", "reference"):
        for path in getattr(suite, field):
            yield from _path_problems(f"{field}[{quote(path, 80)}]", path)
    yield from _clashes(suite)
    yield from _reference_problems(suite)


def _submitted_name_problems(where: str, name: str, language: str) -> Iterator[str]:
    """A submitted file must be a plain file name with its language's extension."""
    if "/" in name or "\\" in name:
        yield f"{where}: {quote(name, 80)} must be a plain file name, without folders"
        return
    yield from _path_problems(where, name)
    extensions = SOURCE_EXTENSIONS.get(language)
    if extensions and not name.endswith(extensions):
        yield f"{where}: a {language} file ends in {' or '.join(extensions)}, not {quote(name)}"


def _path_problems(where: str, path: str) -> Iterator[str]:
    """A relative path that stays inside the folder: no `..`, `.`, empty parts or root."""
    parts = path.replace("\\", "/").split("/")
    if not path.strip():
        yield f"{where}: a file name must not be empty"
    elif path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        yield f"{where}: must be a relative path, not an absolute one"
    elif any(part in ("", ".", "..") for part in parts) or "\0" in path:
        yield f"{where}: must not contain '..', '.', empty parts or NUL"


def _clashes(suite: UnitSuite) -> Iterator[str]:
    """Instructor's files that a student's file of the same name would replace, or each other."""
    submitted = set(suite.submit)
    for path in suite.support:
        if path in submitted:
            yield f"support[{quote(path, 80)}]: is also a file submissions hand in"
        if path in suite.tests:
            yield f"support[{quote(path, 80)}]: is also a test file"
    for path in suite.tests:
        if path in submitted:
            yield f"tests[{quote(path, 80)}]: is also a file submissions hand in"


def _reference_problems(suite: UnitSuite) -> Iterator[str]:
    """The reference solution is a submission: exactly the files that `submit` names."""
    if not suite.reference:
        yield "reference: the instructor's solution is needed, to fix the tests and their points"
        return
    for name in suite.submit:
        if name not in suite.reference:
            yield f"reference: missing {quote(name, 80)}, which submissions hand in"
    for path in suite.reference:
        if path not in suite.submit:
            yield f"reference[{quote(path, 80)}]: not a file submissions hand in (see submit)"


def _rule_problems(where: str, match: str, points: float | None) -> Iterator[str]:
    """A rule must match something and be worth a number >= 0."""
    if not match.strip():
        yield f"{where}.match: must not be empty; give a test id or a glob such as *::test_*"
    if points is not None:
        yield from _not_negative(f"{where}.points", points)


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
