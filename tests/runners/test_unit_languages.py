"""Unit-test suites in every language with a test runner, graded end to end: `oops grade` on
the embedded back end, the real Docker engine, each framework in its sandbox image.

The primes example exists once per language (examples/primes/<language>/), with the Python
version's students: ada is right, grace is off by one, linus is too slow in one test, ken's
code fails as it loads, barbara recurses for ever in one function and dennis forges the
report. Each must get the Python version's points, test by test, in each isolation the
framework supports; where a language cannot express a case, the test says so.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.test_grade_cli import grade_json

pytestmark = pytest.mark.docker

PRIMES = Path(__file__).parents[2] / "examples" / "primes"
POINTS = {"ada": 10, "barbara": 8, "dennis": 0, "grace": 8, "ken": 0, "linus": 8}
"""Each student's score, as the Python version of the example gives it."""
ALL = "every test"
LOST = {"ada": set(), "barbara": {"nth"}, "grace": {"upto"}, "linus": {"big"}}
"""The tests each student loses (by role, below); dennis and ken lose every one."""
GTEST_TESTS = {
    "nth": "Primes::NthPrimeCountsFromOne",
    "upto": "Primes::PrimesUpToIncludesItsBound",
    "big": "Speed::PrimesUpToTwoHundredThousand",
}
TESTS = {
    "java": {
        "nth": "PrimesTest::nthPrimeCountsFromOne()",
        "upto": "PrimesTest::primesUpToIncludesItsBound()",
        "big": "PrimesTest::speedOfPrimesUpToTwoHundredThousand()",
    },
    "javascript": {
        "nth": "the nth prime counts from one",
        "upto": "primes up to a bound include it",
        "big": "speed: primes up to two hundred thousand",
    },
    "c": GTEST_TESTS,
    "cpp": GTEST_TESTS,
}
"""Each language's ids of the tests some student loses."""
PER_TEST = ("barbara", "ken", "linus")
"""The students a process per test could treat otherwise (a crash, a failed load, a slow
test): the whole class in isolation "test" would cost a runner's start per test each."""


def graded(folder: Path, language: str, isolation: str, students: tuple[str, ...]) -> Any:
    """The language's primes example graded with `isolation`, for `students` only."""
    copy = folder / f"{language}-{isolation}"
    shutil.copytree(PRIMES / language, copy, ignore=shutil.ignore_patterns("submissions"))
    (copy / "submissions").mkdir()
    for path in (PRIMES / language / "submissions").iterdir():
        if path.stem in students:
            shutil.copy(path, copy / "submissions" / path.name)
    suite = copy / "suite.toml"
    kept = [line for line in suite.read_text().splitlines() if not line.startswith("isolation")]
    suite.write_text("\n".join([f'isolation = "{isolation}"', *kept]) + "\n")
    # One data folder per language: a submission compiles once for both isolations.
    return grade_json(folder, suite, copy / "submissions")


def lost(language: str, result: dict[str, Any]) -> set[str] | str:
    """The roles of the tests the student did not get every point of, or `ALL`."""
    roles = {test_id: role for role, test_id in TESTS[language].items()}
    missed = {case["name"] for case in result["cases"] if case["points"] < case["max_points"]}
    if missed == {case["name"] for case in result["cases"]}:
        return ALL
    return {roles.get(name, name) for name in missed}


def assert_python_points(
    language: str, results: dict[str, Any], losing_all: tuple[str, ...] = ()
) -> None:
    """Every student graded has the Python version's score and loses the same tests, but
    those `losing_all`, who lose every test."""
    for student, result in results.items():
        score = 0 if student in losing_all else POINTS[student]
        expected = ALL if student in losing_all else LOST.get(student, ALL)
        assert (student, result["score"], result["max_score"]) == (student, score, 10)
        assert (student, lost(language, result)) == (student, expected)


@pytest.fixture(scope="module")
def java_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("java")


@pytest.mark.parametrize(
    ("isolation", "students"),
    [pytest.param("suite", tuple(POINTS), id="suite"), pytest.param("test", PER_TEST, id="test")],
)
def test_java_students_get_the_python_points_in_either_isolation(
    java_folder: Path, isolation: str, students: tuple[str, ...]
) -> None:
    results = graded(java_folder, "java", isolation, students)
    assert_python_points("java", results)
    timed_out = [c for c in results["linus"]["cases"] if c["verdict"] == "timeout"]
    assert [c["name"] for c in timed_out] == [TESTS["java"]["big"]]


@pytest.fixture(scope="module")
def javascript_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("javascript")


def test_javascript_students_get_the_python_points_with_a_process_per_test(
    javascript_folder: Path,
) -> None:
    results = graded(javascript_folder, "javascript", "test", tuple(POINTS))
    assert_python_points("javascript", results)
    timed_out = [c for c in results["linus"]["cases"] if c["verdict"] == "timeout"]
    assert [c["name"] for c in timed_out] == [TESTS["javascript"]["big"]]


def test_javascript_students_but_a_slow_one_get_the_python_points_in_one_process(
    javascript_folder: Path,
) -> None:
    """Node 18 cannot stop a test that never yields (no `--test-timeout`): in one process,
    linus's slow test would hold up the whole run until its limit, and cost every test."""
    students = tuple(student for student in POINTS if student != "linus")
    assert_python_points("javascript", graded(javascript_folder, "javascript", "suite", students))


@pytest.fixture(scope="module", params=["c", "cpp"])
def gtest_language(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """C or C++, and the data folder its two isolations share (so each submission compiles
    once)."""
    return request.param, tmp_path_factory.mktemp(request.param)


def test_c_and_cpp_students_get_the_python_points_with_a_process_per_test(
    gtest_language: tuple[str, Path],
) -> None:
    language, folder = gtest_language
    results = graded(folder, language, "test", PER_TEST)
    assert_python_points(language, results)
    timed_out = [c for c in results["linus"]["cases"] if c["verdict"] == "timeout"]
    assert [c["name"] for c in timed_out] == [TESTS[language]["big"]]


def test_c_and_cpp_in_one_process_a_crash_costs_every_test(
    gtest_language: tuple[str, Path],
) -> None:
    """GoogleTest runs every test in the one process and has no time limit: barbara's stack
    overflow ends the run before its report, and linus's slow test would hold the whole run
    up to its limit (left out here, as in the JavaScript test)."""
    language, folder = gtest_language
    students = tuple(student for student in POINTS if student != "linus")
    assert_python_points(language, graded(folder, language, "suite", students), ("barbara",))


BROKEN = {
    "java": ("margaret.java", "public class Primes {\n    int isPrime(\n}\n", "error:"),
    "javascript": ("margaret.js", "function isPrime(n) {\n  return n >\n}\n", "SyntaxError"),
    "c": (
        "margaret.c",
        '#include "primes.h"\n\nint main(void) { return 0; }\n',
        "multiple definition of `main'",
    ),
}
"""A submission per language that does not build, and what its compiler says about it."""


@pytest.mark.parametrize("language", sorted(BROKEN))
def test_a_submission_that_does_not_build_fails_every_test_with_the_compilers_words(
    tmp_path: Path, language: str
) -> None:
    name, code, said = BROKEN[language]
    copy = tmp_path / language
    shutil.copytree(PRIMES / language, copy, ignore=shutil.ignore_patterns("submissions"))
    (copy / "submissions").mkdir()
    (copy / "submissions" / name).write_text(code)
    (result,) = grade_json(tmp_path, copy / "suite.toml", copy / "submissions").values()
    assert {case["verdict"] for case in result["cases"]} == {"compile_error"}
    assert all(said in case["message"] for case in result["cases"])
