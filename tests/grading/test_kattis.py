"""Kattis problem packages read into suites."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading.errors import PackageError
from grading.kattis import EXPECTED_VERDICTS, package_submissions, suite_from_package
from grading.outcome import Verdict
from grading.results import CaseResult
from grading.scoring import score_submission
from grading.suite import Compare, Suite

PACKAGES = Path(__file__).parent / "packages"
PASS_FAIL = b"name: Tiny\n"
SCORING = b"name: Tiny\ntype: scoring\n"


def read_package(name: str) -> dict[str, bytes]:
    root = PACKAGES / name
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def tiny(problem: bytes = PASS_FAIL) -> dict[str, bytes]:
    return {"problem.yaml": problem, "data/secret/01.in": b"1\n", "data/secret/01.ans": b"1\n"}


def layout(suite: Suite) -> list[tuple[str, str, str, float | None, str, list[float]]]:
    return [
        (
            g.name,
            g.cases[0].visibility,
            g.scoring,
            g.points,
            g.on_reject,
            [c.points for c in g.cases],
        )
        for g in suite.groups
    ]


@pytest.mark.parametrize(
    ("package", "expected"),
    [
        pytest.param(
            "addition",
            [
                ("sample", "visible", "sum", None, "break", [1, 1]),
                ("secret", "hidden", "sum", None, "break", [1, 1, 1]),
            ],
            id="pass-fail-every-case-one-point",
        ),
        pytest.param(
            "factorize",
            [
                ("sample", "visible", "sum", None, "continue", [0, 0]),
                ("secret/group1", "hidden", "min", 30, "break", [30, 30, 30]),
                ("secret/group2", "hidden", "min", 70, "break", [70, 70, 70]),
            ],
            id="scoring-min-groups-ignore-sample",
        ),
    ],
)
def test_groups_visibility_and_points(package: str, expected: list[object]) -> None:
    assert layout(suite_from_package(read_package(package))) == expected


def test_cases_are_named_by_base_name_with_their_data() -> None:
    suite = suite_from_package(read_package("addition"))
    names = [c.name for g in suite.groups for c in g.cases]
    assert names == [
        "sample/01",
        "sample/02",
        "secret/01-large",
        "secret/02-negative",
        "secret/03-zero",
    ]
    first = suite.groups[1].cases[0]
    assert (first.stdin, first.expected_output) == ("1000000000 1000000000\n", "2000000000\n")


@pytest.mark.parametrize(
    ("package", "compare"),
    [
        pytest.param("addition", Compare(mode="tokens"), id="default-validator"),
        pytest.param(
            "circlearea",
            Compare(mode="tokens", float_absolute_tolerance=1e-6, float_relative_tolerance=1e-6),
            id="float-tolerances",
        ),
    ],
)
def test_default_validation_uses_tokens_with_flags(package: str, compare: Compare) -> None:
    assert suite_from_package(read_package(package)).compare == compare


def test_python_output_validator_becomes_the_checker() -> None:
    files = read_package("factorize")
    compare = suite_from_package(files).compare
    source = files["output_validators/factor_checker/validate.py"].decode()
    assert (compare.mode, compare.checker, compare.checker_flags) == (
        "checker",
        source,
        ["ordered"],
    )


@pytest.mark.parametrize(
    ("package", "memory"),
    [
        pytest.param("addition", 256, id="memory-mib"),
        pytest.param("circlearea", None, id="memory-unset"),
    ],
)
def test_limits(package: str, memory: int | None) -> None:
    suite = suite_from_package(read_package(package))
    assert (suite.time_limit, suite.memory_limit) == (2.0, memory)


def test_name_comes_from_problem_yaml_unless_given() -> None:
    files = read_package("circlearea")
    assert suite_from_package(files).name == "Circle Area"
    assert suite_from_package(files, name="circles").name == "circles"


def test_a_zip_wrapping_directory_is_looked_through() -> None:
    files = read_package("addition")
    wrapped = {f"addition/{path}": data for path, data in files.items()}
    assert suite_from_package(wrapped) == suite_from_package(files)


@pytest.mark.parametrize("package", ["addition", "circlearea", "factorize"])
def test_submissions_cover_every_expected_verdict(package: str) -> None:
    found = package_submissions(read_package(package))
    assert set(found) == set(EXPECTED_VERDICTS) - {"compile_error"}
    assert all(p.startswith(f"submissions/{v}/") for v, ps in found.items() for p in ps)


def test_factorize_small_divisor_submission_scores_only_group_one() -> None:
    suite = suite_from_package(read_package("factorize"))
    wrong = {"secret/group2/01"}
    results = [
        CaseResult(
            name=case.name,
            verdict=Verdict.WRONG_ANSWER if case.name in wrong else Verdict.PASSED,
            points=0 if case.name in wrong else case.points,
            max_points=case.points,
        )
        for group in suite.groups
        for case in group.cases
    ]
    result = score_submission(suite, "ada", results)
    assert (result.score, result.max_score, result.verdict) == (30, 100, Verdict.WRONG_ANSWER)


@pytest.mark.parametrize(
    ("flags", "compare"),
    [
        pytest.param("case_sensitive", Compare(mode="tokens", case_sensitive=True), id="case"),
        pytest.param(
            "space_change_sensitive",
            Compare(mode="tokens", space_change_sensitive=True),
            id="space-change",
        ),
        pytest.param(
            "float_tolerance 1e-4 case_sensitive",
            Compare(mode="tokens", float_tolerance=1e-4, case_sensitive=True),
            id="float-tolerance-and-case",
        ),
    ],
)
def test_validator_flags(flags: str, compare: Compare) -> None:
    problem = PASS_FAIL + f"validator_flags: {flags}\n".encode()
    assert suite_from_package(tiny(problem)).compare == compare


def test_group_output_validator_flags_add_to_the_problems() -> None:
    files = tiny(PASS_FAIL + b"validator_flags: case_sensitive\n") | {
        "data/secret/testdata.yaml": b"output_validator_flags: float_tolerance 0.5\n"
    }
    case = suite_from_package(files).groups[0].cases[0]
    assert case.compare == Compare(mode="tokens", case_sensitive=True, float_tolerance=0.5)


def scoring_package(testdata: dict[str, bytes], cases: list[str]) -> dict[str, bytes]:
    files = {"problem.yaml": SCORING} | {f"data/{p}/testdata.yaml": t for p, t in testdata.items()}
    for case in cases:
        files |= {f"data/{case}.in": b"1\n", f"data/{case}.ans": b"1\n"}
    return files


@pytest.mark.parametrize(
    ("testdata", "expected"),
    [
        pytest.param(
            {"secret": b"accept_score: 10\nrange: 0 20\n"},
            [("secret", "hidden", "sum", 20, "break", [10, 10, 10])],
            id="range-caps-sum-group",
        ),
        pytest.param(
            {"secret": b"accept_score: 10\ngrader_flags: avg\non_reject: continue\n"},
            [("secret", "hidden", "sum", 10, "continue", [10, 10, 10])],
            id="avg-is-sum-scaled-to-accept-score",
        ),
        pytest.param(
            {"secret": b"accept_score: 10\ngrader_flags: min\nrange: 0 4\n"},
            [("secret", "hidden", "min", 4, "break", [10, 10, 10])],
            id="range-caps-min-group",
        ),
    ],
)
def test_scoring_settings(testdata: dict[str, bytes], expected: list[object]) -> None:
    files = scoring_package(testdata, ["secret/a", "secret/b", "secret/c"])
    assert layout(suite_from_package(files)) == expected


def test_testdata_yaml_is_inherited_from_the_closest_ancestor() -> None:
    files = scoring_package(
        {"secret/g": b"accept_score: 5\non_reject: continue\n", "secret/g/x/y": b"{}\n"},
        ["secret/g/x/1", "secret/g/x/y/2", "secret/h/3"],
    )
    assert layout(suite_from_package(files)) == [
        ("secret/g/x", "hidden", "sum", None, "continue", [5]),
        ("secret/g/x/y", "hidden", "sum", None, "break", [1]),
        ("secret/h", "hidden", "sum", None, "break", [1]),
    ]


def test_sample_subgroups_stay_visible() -> None:
    files = tiny() | {"data/sample/a/1.in": b"1\n", "data/sample/a/1.ans": b"1\n"}
    assert [c.visibility for g in suite_from_package(files).groups for c in g.cases] == [
        "visible",
        "hidden",
    ]


def test_pass_fail_ignores_accept_score() -> None:
    files = tiny(PASS_FAIL) | {"data/testdata.yaml": b"accept_score: 7\ngrader_flags: min\n"}
    assert layout(suite_from_package(files)) == [("secret", "hidden", "sum", None, "break", [1])]


def test_2023_07_type_list_and_time_limit() -> None:
    problem = b"name: Tiny\ntype: [scoring]\nlimits:\n  time_limit: 3.5\n"
    suite = suite_from_package(tiny(problem))
    assert (suite.time_limit, layout(suite)[0][5]) == (3.5, [1])


def test_validator_named_validate_py_is_chosen_among_several() -> None:
    files = tiny(b"name: Tiny\nvalidation: custom\n") | {
        "output_validators/v/helpers.py": b"X = 1\n",
        "output_validators/v/validate.py": b"import sys\nsys.exit(42)\n",
        "output_validators/v/README.md": b"notes\n",
    }
    assert suite_from_package(files).compare.checker == "import sys\nsys.exit(42)\n"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {"data/secret/01.in": b"1\n"}, "problem.yaml is missing", id="no-problem-yaml"
        ),
        pytest.param(
            {"problem.yaml": PASS_FAIL, "data/secret/01.in": b"1\n"},
            "data/secret/01.in has no answer file: add data/secret/01.ans",
            id="missing-ans",
        ),
        pytest.param({"problem.yaml": PASS_FAIL}, "no test data", id="no-test-data"),
        pytest.param(tiny(b"name: [unclosed\n"), "problem.yaml: malformed YAML", id="bad-yaml"),
        pytest.param(
            tiny(b"- just\n- a list\n"), "problem.yaml: Expected `object`", id="not-a-map"
        ),
        pytest.param(tiny(b"type: pass-fail\n"), "`name` is missing", id="no-name"),
        pytest.param(
            tiny() | {"data/secret/testdata.yaml": b"on_reject: [\n"},
            "data/secret/testdata.yaml: malformed YAML",
            id="bad-testdata-yaml",
        ),
        pytest.param(
            tiny() | {"data/testdata.yaml": b"on_reject: sometimes\n"},
            "data/testdata.yaml: Invalid enum value 'sometimes'",
            id="bad-on-reject",
        ),
        pytest.param(
            tiny(PASS_FAIL + b"validator_flags: float_tolerance\n"),
            "float_tolerance needs a non-negative number",
            id="tolerance-without-value",
        ),
        pytest.param(
            tiny(PASS_FAIL + b"validator_flags: fuzzy\n"),
            "unknown validator flag 'fuzzy'",
            id="unknown-validator-flag",
        ),
        pytest.param(
            tiny() | {"data/secret/testdata.yaml": b"output_validator_flags: fuzzy\n"},
            "data/secret/testdata.yaml: unknown validator flag 'fuzzy'",
            id="unknown-group-validator-flag",
        ),
        pytest.param(
            tiny(PASS_FAIL + b"validation: custom\n"),
            "must hold exactly one validator program, found 0",
            id="custom-without-validator",
        ),
        pytest.param(
            tiny(PASS_FAIL + b"validation: custom\n")
            | {"output_validators/checker/checker.cpp": b"int main() { return 42; }\n"},
            "output_validators/checker: a validator is source files of one language (.py)",
            id="validator-in-a-language-not-offered",
        ),
        pytest.param(
            tiny(PASS_FAIL + b"validation: custom\n")
            | {"output_validators/v/a.py": b"\n", "output_validators/v/b.py": b"\n"},
            "several source files: name the entry point validate.*",
            id="ambiguous-python-validator",
        ),
        pytest.param(
            tiny(PASS_FAIL + b"validation: custom interactive\n"),
            "validation 'custom interactive' is not supported",
            id="interactive",
        ),
        pytest.param(
            tiny(SCORING) | {"data/testdata.yaml": b"reject_score: 1\n"},
            "data/testdata.yaml: reject_score other than 0",
            id="reject-score",
        ),
        pytest.param(
            tiny(SCORING) | {"data/secret/testdata.yaml": b"grader_flags: max\n"},
            "grader flag 'max' is not supported",
            id="max-grader",
        ),
        pytest.param(
            tiny(SCORING) | {"data/testdata.yaml": b"grading: custom\n"},
            "custom graders are not supported",
            id="custom-grader",
        ),
        pytest.param(
            tiny(SCORING) | {"data/secret/testdata.yaml": b"range: 0 to 5\n"},
            "data/secret/testdata.yaml: range must be two numbers",
            id="bad-range",
        ),
        pytest.param(
            tiny(SCORING) | {"data/secret/testdata.yaml": b"range: -10 -1\n"},
            "data/secret/testdata.yaml: range must allow a score of 0",
            id="negative-range",
        ),
        pytest.param(
            scoring_package({"secret": b"grader_flags: min\n"}, ["secret/g/1"]),
            "data/secret/testdata.yaml: `min`/`avg` grading of a group with subgroups",
            id="min-over-subgroups",
        ),
        pytest.param(
            tiny() | {"data/secret/01.ans": b"\xff\n"},
            "data/secret/01.ans is not UTF-8",
            id="not-utf8",
        ),
    ],
)
def test_invalid_packages_name_the_file_and_the_fix(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(PackageError) as raised:
        suite_from_package(files)
    assert message in str(raised.value)


def test_cpp_validator_keeps_its_language_and_its_header_beside_it() -> None:
    files = tiny(PASS_FAIL + b"validation: custom\n") | {
        "output_validators/v/validate.cc": b'#include "verdict.h"\nint main() { return AC; }\n',
        "output_validators/v/verdict.h": b"#define AC 42\n",
        "output_validators/v/README.md": b"how it works\n",
    }
    compare = suite_from_package(files, extensions={".py": "python", ".cc": "cpp"}).compare
    assert (compare.mode, compare.checker_language) == ("checker", "cpp")
    assert compare.checker is not None
    assert compare.checker.startswith('#include "verdict.h"')
    assert compare.checker_files == {"verdict.h": "#define AC 42\n"}


def test_submissions_are_picked_by_the_extensions_of_known_languages() -> None:
    files = read_package("addition") | {
        "submissions/accepted/fast.cc": b"int main() {}\n",
        "submissions/accepted/Fast.java": b"class Fast {}\n",
        "submissions/compile_error/broken.c": b"int main( {\n",
        "submissions/accepted/notes.txt": b"not a program\n",
    }
    extensions = {".py": "python", ".cc": "cpp", ".java": "java", ".c": "c"}
    found = package_submissions(files, extensions)
    assert "submissions/accepted/fast.cc" in found["accepted"]
    assert "submissions/accepted/Fast.java" in found["accepted"]
    assert "submissions/accepted/notes.txt" not in found["accepted"]
    assert found["compile_error"] == ["submissions/compile_error/broken.c"]


def test_polyglot_package_validates_with_cpp_and_offers_every_language() -> None:
    extensions = {".py": "python", ".c": "c", ".cc": "cpp", ".cpp": "cpp"}
    extensions |= {".java": "java", ".js": "javascript"}
    files = read_package("polyglot")
    compare = suite_from_package(files, extensions=extensions).compare
    assert (compare.checker_language, set(compare.checker_files)) == ("cpp", {"verdict.h"})
    found = package_submissions(files, extensions)
    languages = {extensions[p[p.rindex(".") :]] for ps in found.values() for p in ps}
    assert languages == {"c", "cpp", "java", "javascript", "python"}
    assert set(found) == set(EXPECTED_VERDICTS)
