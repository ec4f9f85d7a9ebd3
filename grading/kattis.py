"""Kattis problem packages (the public `legacy` format) read into suites.

The caller reads a directory or a zip into a mapping of relative POSIX paths to bytes; a single
top-level directory around `problem.yaml`, as in a `.kpp` or `.zip`, is looked through.

How the package maps onto a suite:
- `data/sample/*.in|.ans` is the visible group `sample`; every directory below `data/secret`
  that holds cases is a hidden group named by its path (`secret`, `secret/group1`, ...), in
  lexicographic order. Case names are the spec's base names (`secret/group1/01`).
- `testdata.yaml` applies to its directory and to those below without one of their own (the spec
  takes the closest file whole; keys are not merged). Its `on_reject` (default `break`) applies
  within each group: a suite cannot stop one group because another failed.
- Pass-fail problems: every case is worth 1 point, sample included.
- Scoring problems: a case is worth `accept_score`; `sum` groups add their cases, `min` and `avg`
  groups are worth `accept_score` (Group(scoring="min") and a `sum` group scaled to that).
  A finite `range` upper bound below that worth caps it by scaling the group to the bound; the
  lower bound is ignored since scores are never negative. `ignore_sample` on `data/` makes the
  sample cases worth 0 points, still run and shown; unlike Kattis, a failed sample case still
  decides the verdict.
- Verdicts follow `first_error` (see `scoring.py`); `worst_error` is taken as that, and
  `accept_if_any_accepted` is ignored. `max` scoring, `always_accept`, custom graders, a
  `reject_score` other than 0 and interactive validation are refused.
- `validation: default` gives Compare(mode="tokens") with `validator_flags`; `custom` gives
  Compare(mode="checker") with the single output validator program: its language from its
  files' extensions (as for submissions), its entry point the one source file or the one named
  `validate.*` or `main.*`, every other file of the program (headers, more sources) beside it.
  A compiled validator is compiled once per suite by the runner.
- Submissions are the files directly in `submissions/<verdict>/` whose extension names a
  language (`.c`, `.cc`/`.cpp`, `.java`, `.js`, `.py`); `compile_error/` expects that verdict.
- With `custom score` the judge reads `score.txt` as the fraction in [0, 1] of `accept_score`
  a case earns, where Kattis reads an absolute score. A group's `output_validator_flags` are
  appended to the problem's flags for its cases.
- The time limit is `limits.time_limit` (2023-07) or DEFAULT_TIME_LIMIT seconds: legacy
  `time_multiplier` scales the slowest accepted run, which takes running them, not reading.
  `limits.memory` is in MiB, as `Suite.memory_limit` is.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar

import msgspec
import yaml

from grading.errors import PackageError
from grading.outcome import Verdict
from grading.suite import Case, Compare, Group, Suite, Visibility

DEFAULT_TIME_LIMIT = 2.0
EXPECTED_VERDICTS = {
    "accepted": Verdict.PASSED,
    "wrong_answer": Verdict.WRONG_ANSWER,
    "time_limit_exceeded": Verdict.TIMEOUT,
    "run_time_error": Verdict.RUNTIME_ERROR,
    "compile_error": Verdict.COMPILE_ERROR,
}
"""The verdict each `submissions/` directory promises its programs get."""

_TOGGLES = ("case_sensitive", "space_change_sensitive")
_TOLERANCES = ("float_tolerance", "float_absolute_tolerance", "float_relative_tolerance")
_VALIDATOR_STEMS = ("validate", "main", "__main__")
_DOCS = (".md", ".txt", "README")
_HEADERS = (".h", ".hpp", ".hh")
PYTHON_ONLY: Mapping[str, str] = {".py": "python"}
"""The default extension-to-language map; callers pass the runner's table of languages."""

ScoreMode = Literal["sum", "min", "avg"]
_SCORE_MODES: dict[str, ScoreMode] = {"sum": "sum", "min": "min", "avg": "avg"}
_VERDICT_FLAGS = ("first_error", "worst_error", "ignore_sample", "accept_if_any_accepted")
T = TypeVar("T")


class _Limits(msgspec.Struct, frozen=True):
    time_limit: float | None = None
    memory: int | None = None


class _Problem(msgspec.Struct, frozen=True):
    name: str | dict[str, str] | None = None
    type: str | list[str] | None = None
    problem_type: str | None = None
    limits: _Limits = msgspec.field(default_factory=_Limits)
    validation: str = "default"
    validator_flags: str = ""


class _TestData(msgspec.Struct, frozen=True):
    on_reject: Literal["break", "continue"] = "break"
    grading: Literal["default", "custom"] = "default"
    grader_flags: str = ""
    output_validator_flags: str = ""
    accept_score: float = 1.0
    reject_score: float = 0.0
    range: str = "-inf +inf"


class _Grader(msgspec.Struct, frozen=True):
    mode: ScoreMode = "sum"
    ignore_sample: bool = False


def suite_from_package(
    files: Mapping[str, bytes],
    name: str | None = None,
    extensions: Mapping[str, str] = PYTHON_ONLY,
) -> Suite:
    """The suite a Kattis problem package describes; `extensions` maps `.cc` to `cpp`."""
    files = _rooted(files)
    problem = _load(files, "problem.yaml", _Problem)
    scoring = "scoring" in _types(problem)
    validator = _validator(files, problem, extensions)
    compare = _compare(validator, problem, problem.validator_flags, "problem.yaml")
    dirs = _case_dirs(files)
    _check_parents(files, dirs, scoring)
    ignore_sample = scoring and _grader(files, "data").ignore_sample
    return Suite(
        name=name or _title(problem),
        time_limit=problem.limits.time_limit or DEFAULT_TIME_LIMIT,
        memory_limit=problem.limits.memory,
        compare=compare,
        groups=[_group(files, d, problem, scoring, ignore_sample, validator) for d in dirs],
    )


def package_submissions(
    files: Mapping[str, bytes], extensions: Mapping[str, str] = PYTHON_ONLY
) -> dict[str, list[str]]:
    """Example submissions by expected-verdict directory (`accepted`, `compile_error`...).

    A submission is a file directly in its directory whose extension names a language.
    """
    found: dict[str, list[str]] = {}
    for path in sorted(_rooted(files)):
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == "submissions" and _suffix(path) in extensions:
            found.setdefault(parts[1], []).append(path)
    return found


def _suffix(path: str) -> str:
    return posixpath.splitext(path)[1]


def _rooted(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files relative to the package root, looking through one wrapping directory."""
    if "problem.yaml" in files:
        return dict(files)
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) == 1 and f"{next(iter(tops))}/problem.yaml" in files:
        cut = len(next(iter(tops))) + 1
        return {path[cut:]: data for path, data in files.items() if len(path) > cut}
    raise PackageError("problem.yaml is missing: the package root must hold problem.yaml")


def _load(files: Mapping[str, bytes], path: str, kind: type[T]) -> T:
    """A YAML file read into `kind`; a missing optional file gives the defaults."""
    try:
        data = yaml.safe_load(files[path]) if path in files else None
    except yaml.YAMLError as error:
        raise PackageError(f"{path}: malformed YAML, fix the syntax: {error}") from None
    try:
        return msgspec.convert(data or {}, kind, strict=False)
    except msgspec.ValidationError as error:
        raise PackageError(f"{path}: {error}") from None


def _types(problem: _Problem) -> list[str]:
    """The problem's types, from the legacy/2023-07 `type` or the older `problem_type`."""
    declared = problem.type or problem.problem_type or "pass-fail"
    return [declared] if isinstance(declared, str) else declared


def _title(problem: _Problem) -> str:
    """The problem's name; an English one when names are given per language."""
    if isinstance(problem.name, dict) and problem.name:
        return problem.name.get("en") or next(iter(problem.name.values()))
    if isinstance(problem.name, str) and problem.name:
        return problem.name
    raise PackageError("problem.yaml: `name` is missing: add one or pass a suite name")


class _Validator(msgspec.Struct, frozen=True):
    """A custom output validator program: its language, entry point source and other files."""

    language: str
    source: str
    files: dict[str, str]


def _validator(
    files: Mapping[str, bytes], problem: _Problem, extensions: Mapping[str, str]
) -> _Validator | None:
    """The package's output validator when validation is custom, else None."""
    words = problem.validation.split()
    if not words or words[0] not in ("default", "custom") or "interactive" in words:
        raise PackageError(
            f"problem.yaml: validation {problem.validation!r} is not supported: "
            "use `default`, `custom` or `custom score`"
        )
    return _checker_program(files, extensions) if words[0] == "custom" else None


def _compare(validator: _Validator | None, problem: _Problem, flags: str, source: str) -> Compare:
    """How output is judged: the default validator with its flags, or the custom checker."""
    if validator is None:
        return _token_compare(flags.split(), source)
    return Compare(
        mode="checker",
        checker=validator.source,
        checker_language=validator.language,
        checker_files=validator.files,
        checker_flags=flags.split(),
    )


def _token_compare(flags: list[str], source: str) -> Compare:
    """The default output validator configured by its command-line flags."""
    settings: dict[str, Any] = {"mode": "tokens"}
    rest = iter(flags)
    for flag in rest:
        if flag in _TOGGLES:
            settings[flag] = True
        elif flag in _TOLERANCES:
            settings[flag] = _tolerance(flag, next(rest, ""), source)
        else:
            raise PackageError(
                f"{source}: unknown validator flag {flag!r}: use {', '.join(_TOGGLES)} "
                f"or {', '.join(_TOLERANCES)} followed by a number"
            )
    return msgspec.convert(settings, Compare)


def _tolerance(flag: str, value: str, source: str) -> float:
    """A tolerance flag's value, which must be a non-negative number."""
    try:
        tolerance = float(value)
    except ValueError:
        tolerance = math.nan
    if not tolerance >= 0:
        raise PackageError(f"{source}: {flag} needs a non-negative number, got {value!r}")
    return tolerance


def _checker_program(files: Mapping[str, bytes], extensions: Mapping[str, str]) -> _Validator:
    """The package's one output validator program, in any language the runner knows."""
    programs: dict[str, list[str]] = {}
    for path in sorted(files):
        parts = path.split("/")
        if parts[0] == "output_validators" and len(parts) > 1:
            programs.setdefault("/".join(parts[:2]), []).append(path)
    if len(programs) != 1:
        raise PackageError(
            f"output_validators/: validation is custom, so it must hold exactly one validator "
            f"program, found {len(programs)}"
        )
    [(where, paths)] = programs.items()
    code = [p for p in paths if not p.endswith(_DOCS)]
    sources = [p for p in code if _suffix(p) in extensions]
    languages = {extensions[_suffix(p)] for p in sources}
    if len(languages) != 1 or any(p not in sources and _suffix(p) not in _HEADERS for p in code):
        known = " ".join(sorted(extensions))
        raise PackageError(
            f"{where}: a validator is source files of one language ({known}) and headers"
        )
    entry = _entry_point(where, sources)
    beside = {p[len(where) + 1 :]: _text(files, p) for p in code if p != entry}
    return _Validator(language=languages.pop(), source=_text(files, entry), files=beside)


def _entry_point(where: str, sources: list[str]) -> str:
    """The source file that starts the validator: the only one, else `validate.*`/`main.*`."""
    if len(sources) == 1:
        return sources[0]
    for stem in _VALIDATOR_STEMS:
        named = [p for p in sources if posixpath.splitext(posixpath.basename(p))[0] == stem]
        if len(named) == 1:
            return named[0]
    raise PackageError(f"{where}: several source files: name the entry point validate.*")


def _case_dirs(files: Mapping[str, bytes]) -> list[str]:
    """Directories under data/sample and data/secret holding cases, in run order."""
    dirs = {
        posixpath.dirname(path)
        for path in files
        if path.endswith(".in") and path.startswith(("data/sample/", "data/secret/"))
    }
    if not dirs:
        raise PackageError("data/: no test data: add data/secret/*.in files with matching .ans")
    return sorted(dirs, key=lambda d: d.split("/"))


def _check_parents(files: Mapping[str, bytes], dirs: list[str], scoring: bool) -> None:
    """Refuse a parent group that would aggregate its subgroups other than by sum."""
    if not scoring:
        return
    parents = {a for d in dirs for a in _ancestors(posixpath.dirname(d))}
    for parent in sorted(parents):
        if _grader(files, parent).mode != "sum":
            raise PackageError(
                f"{_settings_path(files, parent)}: `min`/`avg` grading of a group with "
                "subgroups is not supported: give each subgroup its own testdata.yaml"
            )


def _group(
    files: Mapping[str, bytes],
    where: str,
    problem: _Problem,
    scoring: bool,
    ignore_sample: bool,
    validator: _Validator | None,
) -> Group:
    """One directory's cases as a group."""
    settings = _settings(files, where)
    sample = where == "data/sample" or where.startswith("data/sample/")
    visibility: Visibility = "visible" if sample else "hidden"
    worth = 1.0
    if scoring:
        _check_scores(files, where, settings)
        worth = 0.0 if ignore_sample and visibility == "visible" else settings.accept_score
    compare = None
    if settings.output_validator_flags:
        flags = f"{problem.validator_flags} {settings.output_validator_flags}"
        compare = _compare(validator, problem, flags, _settings_path(files, where))
    cases = [_case(files, path, worth, visibility, compare) for path in _inputs(files, where)]
    mode = _grader(files, where).mode if scoring else "sum"
    return Group(
        name=where.removeprefix("data/"),
        cases=cases,
        scoring="min" if mode == "min" else "sum",
        points=_group_points(
            mode, worth, len(cases), _upper(files, where) if scoring else math.inf
        ),
        on_reject=settings.on_reject,
    )


def _group_points(mode: ScoreMode, worth: float, count: int, upper: float) -> float | None:
    """A group's worth when it is not simply the sum of its cases' points."""
    total = worth * count if mode == "sum" else worth
    if mode == "sum" and total <= upper:
        return None
    return min(total, upper)


def _check_scores(files: Mapping[str, bytes], where: str, settings: _TestData) -> None:
    """Refuse scores the suite cannot express."""
    if settings.reject_score != 0:
        raise PackageError(
            f"{_settings_path(files, where)}: reject_score other than 0 is not supported"
        )
    if settings.accept_score < 0:
        raise PackageError(f"{_settings_path(files, where)}: accept_score must not be negative")


def _upper(files: Mapping[str, bytes], where: str) -> float:
    """The upper bound of the group's `range`."""
    bounds = _settings(files, where).range.split()
    try:
        _low, high = (float(bound) for bound in bounds)
    except ValueError:
        raise PackageError(
            f"{_settings_path(files, where)}: range must be two numbers such as `0 100`"
        ) from None
    if high < 0:
        raise PackageError(f"{_settings_path(files, where)}: range must allow a score of 0")
    return high


def _inputs(files: Mapping[str, bytes], where: str) -> list[str]:
    """The `.in` files directly in a directory, by name."""
    return sorted(p for p in files if p.endswith(".in") and posixpath.dirname(p) == where)


def _case(
    files: Mapping[str, bytes],
    path: str,
    points: float,
    visibility: Visibility,
    compare: Compare | None,
) -> Case:
    """One `.in`/`.ans` pair as a case named by its base name."""
    base = path.removesuffix(".in")
    answer = f"{base}.ans"
    if answer not in files:
        raise PackageError(f"{path} has no answer file: add {answer}")
    return Case(
        name=base.removeprefix("data/"),
        stdin=_text(files, path),
        expected_output=_text(files, answer),
        points=points,
        visibility=visibility,
        compare=compare,
    )


def _text(files: Mapping[str, bytes], path: str) -> str:
    """A package file as text, which the spec requires to be UTF-8."""
    try:
        return files[path].decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(f"{path} is not UTF-8: re-encode it as UTF-8") from None


def _settings_path(files: Mapping[str, bytes], where: str) -> str:
    """The testdata.yaml that applies to a directory: its own or its closest ancestor's."""
    for directory in _ancestors(where):
        if f"{directory}/testdata.yaml" in files:
            return f"{directory}/testdata.yaml"
    return "data/testdata.yaml"


def _ancestors(where: str) -> Iterable[str]:
    """The directory and its parents up to `data`."""
    parts = where.split("/")
    return ("/".join(parts[:n]) for n in range(len(parts), 0, -1))


def _settings(files: Mapping[str, bytes], where: str) -> _TestData:
    """The testdata.yaml settings in force for a directory."""
    return _load(files, _settings_path(files, where), _TestData)


def _grader(files: Mapping[str, bytes], where: str) -> _Grader:
    """The default grader's score mode and flags for a directory."""
    settings = _settings(files, where)
    path = _settings_path(files, where)
    if settings.grading == "custom":
        raise PackageError(f"{path}: custom graders are not supported: use grading: default")
    flags = settings.grader_flags.split()
    for flag in flags:
        if flag not in _SCORE_MODES and flag not in _VERDICT_FLAGS:
            raise PackageError(
                f"{path}: grader flag {flag!r} is not supported: use sum, min, avg, "
                "first_error, worst_error or ignore_sample"
            )
    modes = [_SCORE_MODES[flag] for flag in flags if flag in _SCORE_MODES]
    return _Grader(mode=modes[-1] if modes else "sum", ignore_sample="ignore_sample" in flags)
