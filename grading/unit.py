"""Unit-test suites: the instructor's tests run against the functions and classes a student wrote.

A document with `kind = "unit"` is one of these; without `kind` it is an I/O suite
(`grading/suite.py`). The instructor's `tests` run with the student's `submit` files and the
`support` files beside them, under one `framework` that writes a JUnit XML report
(`grading/junit.py`). The `reference` solution runs first, through the same sandbox: its report
fixes which tests exist and what each is worth (`grading/manifest.py`), so that nothing a
student's run does can change the maximum score.

`framework` is one of `pytest` (python), `junit5` (java), `node` (javascript), `criterion` or
`gtest` (c or cpp: the images decide which C/C++ framework ships; both are read), or `command`
for any other language or runner: `command` is then a command line that writes the report to
`{report}`, a path the runner chooses and the student is never told.

Points: each test is worth 1 point in the `main` group, visible, unless its code declares
otherwise through report properties (`points`, `group`, `visibility` or `hidden`, `score` for
partial credit), or a `points` rule says so. The first rule whose `match` matches the test's
whole id (case-sensitive; `*` is any text, `?` any one character, everything else stands for
itself, so `tests/test_primes.py::test_big[7]` is an exact id) decides each field it sets; a
rule wins over the code. `groups` set how a group scores (`sum`, `min`, `all`, as in
`grading/scoring.py`); a group named by the code alone scores by `sum`.

`isolation` is `suite` (the default: one process runs every test) or `test` (each test in a
process of its own, so a crash or a hang costs one test). `test_time_limit` bounds one test,
`time_limit` the whole run (seconds), `memory_limit` the run's memory (MiB).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from grading.junit import Framework
from grading.scoring import MAIN_GROUP
from grading.suite import GroupScoring, Visibility

UnitIsolation = Literal["suite", "test"]
REPORT_PLACEHOLDER = "{report}"
"""What a `command` suite's command line writes instead of the report's path."""

FRAMEWORK_LANGUAGES: dict[Framework, tuple[str, ...]] = {
    "pytest": ("python",),
    "junit5": ("java",),
    "node": ("javascript",),
    "criterion": ("c", "cpp"),
    "gtest": ("c", "cpp"),
}
"""The languages each framework tests; `command` tests any."""

SOURCE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "python": (".py",),
    "java": (".java",),
    "javascript": (".js", ".mjs", ".cjs"),
    "c": (".c", ".h"),
    "cpp": (".cpp", ".cc", ".cxx", ".h", ".hpp", ".hh"),
}
"""What a submitted file of each language may be called."""


class PointsRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the tests whose id `match` names (exactly, or as a glob) are worth, and where."""

    match: str
    points: float | None = None
    group: str | None = None
    visibility: Visibility | None = None


class UnitGroup(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the tests of one group score together; `points` defaults to their total."""

    name: str
    scoring: GroupScoring = "sum"
    points: float | None = None


class ManifestTest(msgspec.Struct, frozen=True, kw_only=True):
    """One test every submission is graded on; `name` is what a person calls it."""

    id: str
    name: str
    points: float
    group: str = MAIN_GROUP
    visibility: Visibility = "visible"
    partial: bool = False


class ManifestGroup(msgspec.Struct, frozen=True, kw_only=True):
    """A group of the manifest's tests and how it scores; `points` defaults to their total."""

    name: str
    scoring: GroupScoring = "sum"
    points: float | None = None


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    """Every test of a unit suite in grading order, its groups, and the maximum score."""

    suite: str
    framework: Framework
    tests: list[ManifestTest]
    groups: list[ManifestGroup]
    max_score: float


class UnitSuite(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A unit-test suite. Every mapping is path -> file content; `submit` is plain file names.

    `tests` and `reference` are the instructor's and never reach a student.
    """

    kind: Literal["unit"] = "unit"
    name: str
    language: str = "python"
    framework: Framework
    tests: dict[str, str]
    submit: list[str]
    reference: dict[str, str]
    support: dict[str, str] = msgspec.field(default_factory=dict)
    command: str | None = None
    points: list[PointsRule] = msgspec.field(default_factory=list)
    groups: list[UnitGroup] = msgspec.field(default_factory=list)
    isolation: UnitIsolation = "suite"
    time_limit: float | None = None
    test_time_limit: float | None = None
    memory_limit: int | None = None
    manifest: Manifest | None = None
    """Set by OopsEngine from the reference solution's run when the suite is stored; a
    document's own is replaced, never trusted."""
