"""Unit-test suites graded end to end: `oops grade` on the embedded back end, the real Docker
engine, pytest in the sandbox.

The primes example must give every student the same points per test whether its tests run in
one process or in one each. A hostile class then attacks the runner from inside the student's
module, the way published attacks on Gradescope and PrairieLearn did; each must earn no point
it should not, and say something an instructor can act on. Two attacks are beyond what a
runner inside the student's process can stop (docs/sandbox.md, "Unit-test suites: what
in-process code can still do"): their tests pin down what they do get, within the manifest.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.test_grade_cli import grade_json, oops

pytestmark = pytest.mark.docker

ROOT = Path(__file__).parents[2]
PRIMES = ROOT / "examples" / "primes"
PRIMES_POINTS = {
    "ada": [1, 1, 2, 2, 2, 2],
    "barbara": [1, 1, 2, 0, 2, 2],
    "dennis": [0, 0, 0, 0, 0, 0],
    "grace": [1, 1, 0, 2, 2, 2],
    "ken": [0, 0, 0, 0, 0, 0],
    "linus": [1, 1, 2, 2, 2, 0],
}
"""Each primes student's points, test by test in the manifest's order."""

CALC_SUITE = """\
kind = "unit"
name = "calc"
framework = "pytest"
submit = ["calc.py"]
tests = ["tests/test_calc.py"]
reference = ["reference/calc.py"]
test_time_limit = 1.0
time_limit = 10.0
"""
CALC_TESTS = """\
import pytest

from calc import add, mul, neg


def test_adds():
    assert add(2, 3) == 5


def test_multiplies():
    assert mul(2, 3) == 6


@pytest.mark.points(2)
def test_negates(partial_credit):
    partial_credit.set(2)
    assert neg(4) == -4
"""
RIGHT = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n\n\n"
CALC = RIGHT + "def neg(a):\n    return -a\n"
PARTLY = RIGHT + "def neg(a):\n    return a\n"
"""Honestly worth 2 of 4: adds and multiplies pass, negates fails."""
WRONG = CALC.replace("a + b", "0").replace("a * b", "0").replace("-a", "0")
ADDS, MULTIPLIES, NEGATES = (
    f"tests/test_calc.py::{name}" for name in ("test_adds", "test_multiplies", "test_negates")
)
FAKE = repr(
    b'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
    + b"".join(
        b'<testcase classname="tests.test_calc" file="tests/test_calc.py" name="%s"/>' % name
        for name in (b"test_adds", b"test_multiplies", b"test_negates")
    )
    + b"</testsuite></testsuites>"
)
"""A well-formed report in which every test of the manifest passed, as Python source."""


def attack(preamble: str, functions: str) -> str:
    """A calc.py that runs `preamble` (indented as it reads here) before defining `functions`."""
    return textwrap.dedent(preamble) + "\n\n" + functions


HOSTILE: dict[str, str] = {
    "honest": CALC,
    "plants-results-files": attack(
        f"""
        import json, os
        FAKE = {FAKE}
        GRADESCOPE = {{"score": 4, "tests": [{{"name": "test_adds", "score": 1, "max_score": 1}}]}}
        for folder in (".", "tests", "/tmp", "/sandbox/results"):
            for name in ("report.xml", "junit.xml", "TEST-calc.xml", "results.xml"):
                try:
                    os.makedirs(folder, exist_ok=True)
                    with open(os.path.join(folder, name), "wb") as planted:
                        planted.write(FAKE)
                except OSError:
                    pass
            try:
                with open(os.path.join(folder, "results.json"), "w") as planted:
                    json.dump(GRADESCOPE, planted)
            except OSError:
                pass
        """,
        WRONG,
    ),
    "sys-exit-at-import": "import sys\nsys.exit(0)\n" + CALC,
    "os-exit-at-import": "import os\nos._exit(0)\n" + CALC,
    "sys-exit-in-a-test": "import sys\n" + CALC.replace("return a * b", "sys.exit(0)"),
    "os-exit-in-a-test": "import os\n" + CALC.replace("return a * b", "os._exit(0)"),
    "rewrites-the-report-at-exit": attack(
        f"""
        import atexit, glob, os
        FAKE = {FAKE}

        @atexit.register
        def rewrite():
            for path in glob.glob("**/*.xml", recursive=True) + ["/dev/fd/3"]:
                try:
                    with open(path, "wb") as report:
                        report.write(FAKE)
                except OSError:
                    pass
            for fd in range(3, 10):
                try:
                    os.write(fd, FAKE)
                except OSError:
                    pass
        """,
        WRONG,
    ),
    "forks-a-late-writer": attack(
        f"""
        import os, time
        FAKE = {FAKE}
        if os.fork() == 0:
            os.setsid()
            parent = os.getppid()
            while os.getppid() == parent:
                time.sleep(0.01)
            for _ in range(100):
                try:
                    os.write(3, FAKE)
                except OSError:
                    break
                time.sleep(0.01)
            os._exit(0)
        """,
        WRONG,
    ),
    "starts-a-late-writer": attack(
        f"""
        import subprocess, sys
        LATE = "import os, time; time.sleep(0.3); os.write(3, " + repr({FAKE}) + ")"
        subprocess.Popen([sys.executable, "-c", LATE], pass_fds=(3,), start_new_session=True)
        """,
        WRONG,
    ),
    "deletes-what-it-can-reach": attack(
        """
        import os, shutil
        os.chmod("tests/test_calc.py", 0)
        os.chmod("tests", 0)
        shutil.rmtree(".", ignore_errors=True)
        shutil.rmtree("/opt/oopsengine", ignore_errors=True)
        """,
        PARTLY,
    ),
    "locks-the-working-folder": "import os\nos.chmod('.', 0)\n" + PARTLY,
    "floods-its-output": "import sys\n"
    + PARTLY.replace("return a * b", "while True:\n        print('flood ' * 1000)"),
    "recurses-forever": RIGHT + "def neg(a):\n    return neg(a)\n",
    "patches-the-report-writer": attack(
        """
        import _pytest.junitxml
        _pytest.junitxml._NodeReporter.append_failure = lambda self, report: None
        """,
        WRONG,
    ),
    "patches-the-points-plugin": attack(
        """
        import pytest_points

        def claim(self, points):
            self._item.user_properties += [("points", "1000"), ("score", "1000")]

        pytest_points.PartialCredit.set = claim
        """,
        CALC,
    ),
    "forges-a-report-then-exits": attack(
        f"""
        import os
        FAKE = {FAKE}.replace(
            b"</testsuite>",
            b'<testcase classname="tests.test_calc" name="test_bonus"><properties>'
            b'<property name="points" value="100"/></properties></testcase>'
            b'<testcase classname="tests.test_calc" name="test_negates">'
            b'<failure message="forged twice"/></testcase></testsuite>',
        )
        os.write(3, FAKE)
        os._exit(0)
        """,
        WRONG,
    ),
    "does-not-compile": "def add(a, b):\n    return a +\n",
}
"""Submissions of calc.py that attack the runner, by what they do."""


IN_TEST_ISOLATION = (
    "honest",
    "sys-exit-at-import",
    "os-exit-in-a-test",
    "rewrites-the-report-at-exit",
    "forges-a-report-then-exits",
)
"""The attacks that also run with a process per test: those it changes, and one per kind of
attack it does not (the others cost a process per test each, and the same points)."""


def calc_suite(
    folder: Path, isolation: str, students: tuple[str, ...] = tuple(HOSTILE), reference: str = CALC
) -> Path:
    """The calc suite in `folder` with `students` beside it; its suite.toml's path."""
    (folder / "tests").mkdir(parents=True)
    (folder / "reference").mkdir()
    (folder / "submissions").mkdir()
    (folder / "tests" / "test_calc.py").write_text(CALC_TESTS)
    (folder / "reference" / "calc.py").write_text(reference)
    for student in students:
        (folder / "submissions" / f"{student}.py").write_text(HOSTILE[student])
    suite = folder / "suite.toml"
    suite.write_text(CALC_SUITE + f'isolation = "{isolation}"\n')
    return suite


def with_isolation(folder: Path, isolation: str) -> Path:
    """A copy of the primes example in `folder` whose suite runs with `isolation`."""
    shutil.copytree(PRIMES, folder)
    suite = folder / "suite.toml"
    suite.write_text(f'isolation = "{isolation}"\n' + suite.read_text())
    return suite


@pytest.fixture(scope="module", params=["suite", "test"])
def graded_primes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The primes class graded once per isolation: results by student."""
    folder = tmp_path_factory.mktemp(f"primes-{request.param}")
    suite = with_isolation(folder / "primes", request.param)
    return grade_json(folder, suite, folder / "primes" / "submissions")


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The whole hostile class graded once, its tests in one process: results by student."""
    folder = tmp_path_factory.mktemp("calc-suite")
    suite = calc_suite(folder / "calc", "suite")
    return grade_json(folder, suite, folder / "calc" / "submissions")


@pytest.fixture(scope="module")
def hostile_class_per_test(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """`IN_TEST_ISOLATION` graded once, each test in a process of its own."""
    folder = tmp_path_factory.mktemp("calc-test")
    suite = calc_suite(folder / "calc", "test", IN_TEST_ISOLATION)
    return grade_json(folder, suite, folder / "calc" / "submissions")


@pytest.fixture(params=["suite", "test"])
def graded_hostile(request: pytest.FixtureRequest) -> tuple[str, Any]:
    """(isolation, results by student) for both isolations: attacks in `IN_TEST_ISOLATION`."""
    name = "hostile_class" if request.param == "suite" else "hostile_class_per_test"
    return request.param, request.getfixturevalue(name)


def points(result: dict[str, Any]) -> dict[str, float]:
    return {case["name"]: case["points"] for case in result["cases"]}


def messages(result: dict[str, Any]) -> dict[str, str]:
    return {case["name"]: case.get("message") or "" for case in result["cases"]}


def verdicts(result: dict[str, Any]) -> dict[str, str]:
    return {case["name"]: case["verdict"] for case in result["cases"]}


def test_primes_students_get_the_same_points_per_test_in_either_isolation(
    graded_primes: Any,
) -> None:
    by_test = {student: [c["points"] for c in r["cases"]] for student, r in graded_primes.items()}
    assert by_test == PRIMES_POINTS
    assert {r["max_score"] for r in graded_primes.values()} == {10}


def test_every_submission_has_the_manifests_maximum_even_when_its_import_crashed(
    graded_primes: Any,
) -> None:
    ken = graded_primes["ken"]
    assert (ken["score"], ken["max_score"], ken["verdict"]) == (0, 10, "runtime_error")
    assert all("ModuleNotFoundError: No module named 'numpy'" in m for m in messages(ken).values())


NOT_RECORDED = "before it wrote its report, so no test's result was recorded"
REWRITTEN = "report could not be read (not well-formed XML: junk after document element"


def test_an_honest_student_in_the_hostile_class_gets_every_point(graded_hostile: Any) -> None:
    _, results = graded_hostile
    assert (results["honest"]["score"], results["honest"]["max_score"]) == (4, 4)


def test_planted_results_files_are_never_read(hostile_class: Any) -> None:
    planted = hostile_class["plants-results-files"]
    assert planted["score"] == 0
    assert set(verdicts(planted).values()) == {"wrong_answer"}
    assert messages(planted)[ADDS].startswith("assert 0 == 5")


ATTACKS_BEFORE_THE_TESTS = [
    pytest.param("sys-exit-at-import", "SystemExit: 0", id="sys-exit"),
    pytest.param("os-exit-at-import", f"(exit code 0) {NOT_RECORDED}", id="os-exit"),
    pytest.param(
        "deletes-what-it-can-reach",
        "PermissionError: [Errno 13] Permission denied: '/sandbox/tests/test_calc.py'",
        id="rmtree-and-chmod-the-tests",
    ),
    pytest.param(
        "locks-the-working-folder",
        "PermissionError: [Errno 13] Permission denied: '/sandbox'",
        id="chmod-the-working-folder",
    ),
    pytest.param("rewrites-the-report-at-exit", REWRITTEN, id="atexit-rewrite"),
    pytest.param("does-not-compile", 'File "calc.py", line 2', id="syntax-error"),
]


@pytest.mark.parametrize(("student", "said"), ATTACKS_BEFORE_THE_TESTS)
def test_an_attack_at_import_or_exit_earns_nothing_and_says_what_happened(
    hostile_class: Any, student: str, said: str
) -> None:
    result = hostile_class[student]
    assert (result["score"], result["max_score"]) == (0, 4)
    assert all(said in message for message in messages(result).values()), messages(result)


@pytest.mark.parametrize(
    "student", [s for s in IN_TEST_ISOLATION if s.endswith(("import", "exit"))]
)
def test_an_attack_at_import_or_exit_earns_nothing_with_a_process_per_test(
    hostile_class_per_test: Any, student: str
) -> None:
    result = hostile_class_per_test[student]
    assert (result["score"], result["max_score"]) == (0, 4)
    said = "SystemExit: 0" if student == "sys-exit-at-import" else REWRITTEN
    assert all(said in message for message in messages(result).values()), messages(result)


def test_a_syntax_error_is_a_compile_error_naming_the_line(hostile_class: Any) -> None:
    broken = hostile_class["does-not-compile"]
    assert set(verdicts(broken).values()) == {"compile_error"}
    assert "SyntaxError: invalid syntax" in messages(broken)[ADDS]


@pytest.mark.parametrize(
    ("student", "earned", "test", "said"),
    [
        pytest.param("sys-exit-in-a-test", 3, MULTIPLIES, "SystemExit: 0", id="sys-exit"),
        pytest.param("recurses-forever", 2, NEGATES, "RecursionError", id="recursion"),
        pytest.param(
            "floods-its-output", 1, MULTIPLIES, "No space left on device", id="print-in-a-loop"
        ),
    ],
)
def test_a_test_that_crashes_costs_that_test_only(
    hostile_class: Any, student: str, earned: float, test: str, said: str
) -> None:
    result = hostile_class[student]
    assert result["score"] == earned
    assert verdicts(result)[test] == "runtime_error"
    assert said in messages(result)[test]


def test_os_exit_in_a_test_costs_the_whole_run_unless_each_test_has_its_process(
    graded_hostile: Any,
) -> None:
    isolation, results = graded_hostile
    exits = results["os-exit-in-a-test"]
    if isolation == "test":
        assert points(exits) == {ADDS: 1, MULTIPLIES: 0, NEGATES: 2}
        assert f"(exit code 0) {NOT_RECORDED}" in messages(exits)[MULTIPLIES]
    else:
        assert exits["score"] == 0
        assert all(NOT_RECORDED in message for message in messages(exits).values())


@pytest.mark.parametrize("student", ["forks-a-late-writer", "starts-a-late-writer"])
def test_a_process_left_behind_cannot_write_a_report_after_the_runner(
    hostile_class: Any, student: str
) -> None:
    # Its write lands after the report (and the whole report is refused) or after the
    # supervisor stopped reading (and only the real report is read): never instead of it.
    late = hostile_class[student]
    assert late["score"] == 0
    assert all(
        message.startswith("assert 0 ==") or REWRITTEN in message
        for message in messages(late).values()
    )


def test_a_forged_report_counts_only_within_the_manifest(graded_hostile: Any) -> None:
    # The forgery is believed for the tests it names (docs/sandbox.md says why), but its
    # extra test is ignored, its failing copy of a test counts against it, and its points
    # change nothing.
    _, results = graded_hostile
    forged = results["forges-a-report-then-exits"]
    assert points(forged) == {ADDS: 1, MULTIPLIES: 1, NEGATES: 0}
    assert messages(forged)[NEGATES] == "forged twice"
    assert forged["max_score"] == 4


def test_patching_the_report_writer_in_process_is_believed(hostile_class: Any) -> None:
    # Beyond what a runner inside the student's process can stop (docs/sandbox.md).
    assert hostile_class["patches-the-report-writer"]["score"] == 4


def test_points_a_run_claims_for_itself_are_bounded_by_the_manifest(hostile_class: Any) -> None:
    claimed = hostile_class["patches-the-points-plugin"]
    assert points(claimed) == {ADDS: 1, MULTIPLIES: 1, NEGATES: 2}
    assert claimed["max_score"] == 4


def test_a_reference_that_fails_a_test_is_refused_naming_it(tmp_path: Path) -> None:
    suite = calc_suite(tmp_path / "calc", "suite", ("honest",), reference=PARTLY)
    done = oops(tmp_path, "grade", str(suite), str(tmp_path / "calc" / "submissions"))
    assert done.returncode == 2
    assert (
        'reference: test "tests/test_calc.py::test_negates" failed on the reference solution'
        in done.stderr
    )
    assert "a test must pass on it" in done.stderr


COMMAND_RUNNER = """\
import sys
from xml.sax.saxutils import escape

sys.path.insert(0, ".")
checks = {"adds": "calc.add(2, 3) == 5", "adds_negatives": "calc.add(-2, -3) == -5"}
try:
    import calc
except BaseException:
    calc = None
cases = []
for name, expression in checks.items():
    try:
        ok = calc is not None and eval(expression)
        failure = "" if ok else f'<failure message="{escape(expression)} is false"/>'
    except Exception as error:
        failure = f'<error message="{escape(repr(error))}"/>'
    cases.append(f'<testcase classname="calc" name="{name}">{failure}</testcase>')
with open(sys.argv[1], "w") as report:
    report.write(f'<testsuite name="calc">{"".join(cases)}</testsuite>')
"""
"""An instructor's own runner: it checks calc.add and writes JUnit XML where it is told."""
ENTITY_BOMB = """\
import os

BOMB = '''<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<testsuite name="calc"><testcase classname="calc" name="adds">&lol3;</testcase>
<testcase classname="calc" name="adds_negatives"/></testsuite>'''
with open("/dev/fd/3", "w") as report:
    report.write(BOMB)
os._exit(0)
"""


def test_a_command_suite_runs_the_instructors_runner_and_refuses_an_entity_bomb(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "calc"
    for name in ("tests", "reference", "submissions"):
        (folder / name).mkdir(parents=True)
    (folder / "tests" / "run_tests.py").write_text(COMMAND_RUNNER)
    add = "def add(a, b):\n    return a + b\n"
    (folder / "reference" / "calc.py").write_text(add)
    (folder / "submissions" / "ada.py").write_text(add)
    (folder / "submissions" / "grace.py").write_text(add.replace("a + b", "abs(a) + abs(b)"))
    (folder / "submissions" / "mallory.py").write_text(ENTITY_BOMB)
    suite = folder / "suite.toml"
    suite.write_text(
        'kind = "unit"\nname = "calc-command"\nframework = "command"\n'
        'command = "python3 tests/run_tests.py {report}"\nsubmit = ["calc.py"]\n'
        'tests = ["tests/run_tests.py"]\nreference = ["reference/calc.py"]\n'
    )
    graded = grade_json(tmp_path, suite, folder / "submissions")
    assert {student: r["score"] for student, r in graded.items()} == {
        "ada": 2,
        "grace": 1,
        "mallory": 0,
    }
    assert all("DOCTYPE" in message for message in messages(graded["mallory"]).values())
