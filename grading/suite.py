"""The test suite: cases, groups, limits and how output is compared.

The same schema is the JSON document the HTTP API takes and what the CLI reads from JSON, TOML
or YAML files. Limits left unset fall back to the suite's, then to the operator's defaults.
"""

from __future__ import annotations

from typing import Literal

import msgspec

CompareMode = Literal["exact", "lines", "tokens", "checker"]
Visibility = Literal["visible", "hidden"]
GroupScoring = Literal["sum", "min", "all"]
Isolation = Literal["case", "submission"]


class Compare(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How a case's output is judged against its expected output.

    `lines` (the default) right-trims each line and ignores trailing blank lines, as Judge0 does.
    `tokens` is the Kattis default output validator with its flags. `checker` runs `checker`
    (source in `checker_language`, with `checker_files` beside it, such as a header) in a
    sandbox under the Kattis output-validator protocol; a compiled checker compiles once.
    """

    mode: CompareMode = "lines"
    case_sensitive: bool = False
    space_change_sensitive: bool = False
    float_absolute_tolerance: float | None = None
    float_relative_tolerance: float | None = None
    float_tolerance: float | None = None
    checker: str | None = None
    checker_language: str = "python"
    checker_files: dict[str, str] = msgspec.field(default_factory=dict)
    checker_flags: list[str] = msgspec.field(default_factory=list)


class Case(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One run of the program: its input, the expected output and what passing is worth."""

    name: str
    expected_output: str = ""
    stdin: str = ""
    args: list[str] = msgspec.field(default_factory=list)
    points: float = 1.0
    visibility: Visibility = "visible"
    compare: Compare | None = None
    time_limit: float | None = None
    memory_limit: int | None = None


class Group(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Cases scored together.

    `sum` adds each case's earned points; `min` gives `points` (default: the cases' total) times
    the smallest fraction any case earned; `all` gives the total only when every case passed.
    `on_reject="break"` stops running the group's remaining cases at its first failure.
    """

    name: str
    cases: list[Case]
    scoring: GroupScoring = "sum"
    points: float | None = None
    on_reject: Literal["continue", "break"] = "continue"


class Suite(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A whole test suite. Top-level `cases` form an implicit group scored by `sum`.

    `language` is the submissions' language unless a submission names its own.
    `isolation` is what a container serves: one `case` (the default), or every case of one
    `submission`, each case still a fresh process in a fresh, empty directory with its own
    limits (see docs/sandbox.md for what each protects against). Verdicts are the same.
    """

    name: str
    language: str = "python"
    isolation: Isolation = "case"
    time_limit: float | None = None
    memory_limit: int | None = None
    compare: Compare = msgspec.field(default_factory=Compare)
    cases: list[Case] = msgspec.field(default_factory=list)
    groups: list[Group] = msgspec.field(default_factory=list)
