"""`oops grade` and `oops export` end to end: the embedded back end, the real Docker engine."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from grading.kattis import EXPECTED_VERDICTS, package_submissions
from runners.sandbox.languages import extension_map
from tests.helpers import OOPS

pytestmark = pytest.mark.docker

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "sum"
PACKAGES = ROOT / "tests" / "grading" / "packages"


def embedded_env(data_dir: Path) -> dict[str, str]:
    """The environment of a user with no servers: SQLite in `data_dir`, in-process queue.

    The image prefix stays: it names the sandbox images this deployment built.
    """
    kept = {"OOPS_IMAGE_PREFIX"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("OOPS_") or k in kept}
    return {**env, "OOPS_DATA_DIR": str(data_dir)}


def oops(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OOPS, *args], capture_output=True, text=True, env=embedded_env(data_dir), timeout=300
    )


def grade_json(data_dir: Path, suite: Path, submissions: Path, *options: str) -> dict[str, Any]:
    done = oops(data_dir, "grade", str(suite), str(submissions), "--json", *options)
    assert done.returncode == 0, done.stderr
    by_student: dict[str, Any] = {r["student"]: r for r in json.loads(done.stdout)["results"]}
    return by_student


@pytest.mark.parametrize("isolation", ["case", "submission"])
def test_example_class_gets_every_verdict(tmp_path: Path, isolation: str) -> None:
    results = grade_json(
        tmp_path, EXAMPLE / "suite.toml", EXAMPLE / "submissions", "--isolation", isolation
    )
    verdicts = {student: r["verdict"] for student, r in results.items()}
    assert verdicts == {
        "ada": "passed",
        "grace": "wrong_answer",
        "linus": "timeout",
        "barbara": "memory_limit",
        "ken": "runtime_error",
        "dennis": "output_limit",
        "margaret": "compile_error",
    }
    assert (results["ada"]["score"], results["ada"]["max_score"]) == (8, 8)
    assert results["ken"]["score"] == 6
    assert results["margaret"]["score"] == 0
    assert results["margaret"]["cases"][0]["message"].startswith("did not compile (line 4)")
    wrong = next(c for c in results["grace"]["cases"] if c["verdict"] == "wrong_answer")
    assert wrong["message"].startswith("line 1")
    assert set(wrong) == {
        "name",
        "verdict",
        "points",
        "max_points",
        "time_ms",
        "memory_kib",
        "message",
    }


def test_canvas_gradebook_imports_as_canvas_reads_it(tmp_path: Path) -> None:
    book = tmp_path / "canvas.csv"
    done = oops(
        tmp_path,
        "grade",
        str(EXAMPLE / "suite.toml"),
        str(EXAMPLE / "submissions"),
        "--csv",
        str(book),
        "--format",
        "canvas",
    )
    assert done.returncode == 0, done.stderr
    assert f"gradebook (canvas): {book}" in done.stdout
    rows = list(csv.reader(io.StringIO(book.read_text())))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "sum-of-numbers"]
    assert rows[1][0] == "Points Possible"
    assert float(rows[1][5]) == 8
    scores = {row[3]: float(row[5]) for row in rows[2:]}
    assert scores == {
        "ada": 8,
        "barbara": 4,
        "dennis": 4,
        "grace": 4,
        "ken": 6,
        "linus": 4,
        "margaret": 0,
    }
    assert all(len(row) == 6 for row in rows)


def test_export_renders_stored_results_again(tmp_path: Path) -> None:
    grade_json(tmp_path, EXAMPLE / "suite.toml", EXAMPLE / "submissions")
    done = oops(tmp_path, "export", "sum-of-numbers", "--format", "moodle")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {row["username"]: float(row["sum-of-numbers"]) for row in rows}["ada"] == 8
    feedback = {row["username"]: row["feedback_sum-of-numbers"] for row in rows}
    # many-lines is hidden: the feedback names it as hidden and shows none of its data.
    assert "55" not in feedback["grace"]


def test_interrupted_grading_resumes_without_starting_over(tmp_path: Path) -> None:
    command = [OOPS, "grade", str(EXAMPLE / "suite.toml"), str(EXAMPLE / "submissions")]
    first = subprocess.Popen(
        command, env=embedded_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    database = tmp_path / "oops.sqlite"
    deadline = time.monotonic() + 60
    while _done_cases(database) < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.wait()
    students = len(list((EXAMPLE / "submissions").iterdir()))
    cases = students * 5
    recorded_before = _done_cases(database)
    assert 0 < recorded_before < cases

    results = grade_json(tmp_path, EXAMPLE / "suite.toml", EXAMPLE / "submissions")
    assert results["ada"]["verdict"] == "passed"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM submission").fetchone()[0] == students
        assert db.execute("SELECT count(*) FROM case_run").fetchone()[0] == cases
        attempts = db.execute("SELECT max(attempts) FROM case_run").fetchone()[0]
    assert attempts <= 2


def _done_cases(database: Path) -> int:
    try:
        with sqlite3.connect(database) as db:
            return int(
                db.execute("SELECT count(*) FROM case_run WHERE status='done'").fetchone()[0]
            )
    except sqlite3.Error:
        return 0


def test_bad_suite_says_what_to_fix(tmp_path: Path) -> None:
    suite = tmp_path / "suite.json"
    suite.write_text('{"name": "x", "cases": [{"name": "a", "points": "many"}]}')
    done = oops(tmp_path, "grade", str(suite), str(EXAMPLE / "submissions"))
    assert done.returncode == 2
    assert "points" in done.stderr


def test_unknown_isolation_names_the_choices(tmp_path: Path) -> None:
    suite, submissions = str(EXAMPLE / "suite.toml"), str(EXAMPLE / "submissions")
    done = oops(tmp_path, "grade", suite, submissions, "--isolation", "vm")
    assert done.returncode == 2
    assert "--isolation" in done.stderr
    assert "'case', 'submission'" in done.stderr


def test_missing_submissions_folder_says_so(tmp_path: Path) -> None:
    done = oops(tmp_path, "grade", str(EXAMPLE / "suite.toml"), str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "not a folder" in done.stderr


@pytest.mark.parametrize("isolation", ["case", "submission"])
@pytest.mark.parametrize("package", ["addition", "circlearea", "factorize", "polyglot"])
def test_kattis_package_submissions_get_their_expected_verdicts(
    tmp_path: Path, package: str, isolation: str
) -> None:
    """`polyglot` has C, C++, Java, JavaScript and Python submissions and a C++ validator."""
    root = PACKAGES / package
    students = tmp_path / "students"
    students.mkdir()
    expected = {}
    files = {p.relative_to(root).as_posix(): b"" for p in root.rglob("*") if p.is_file()}
    for category, paths in package_submissions(files, extension_map()).items():
        for path in paths:
            source = root / path
            student = f"{category}--{source.stem}"
            shutil.copy(source, students / f"{student}{source.suffix}")
            expected[student] = category
    results = grade_json(tmp_path / "data", root, students, "--isolation", isolation)
    for student, category in expected.items():
        result = results[student]
        if category == "accepted":
            assert result["verdict"] == "passed", result
            assert result["score"] == result["max_score"] > 0
        elif category == "run_time_error":
            assert result["verdict"] in {"runtime_error", "memory_limit"}, result
        else:
            assert result["verdict"] == EXPECTED_VERDICTS[category], result


def test_scoring_package_gives_partial_solutions_partial_score(tmp_path: Path) -> None:
    root = PACKAGES / "factorize"
    students = tmp_path / "students"
    students.mkdir()
    shutil.copy(root / "submissions/wrong_answer/small_divisors_only.py", students / "partial.py")
    result = grade_json(tmp_path / "data", root, students)["partial"]
    assert 0 < result["score"] < result["max_score"]


def test_grading_without_a_docker_engine_says_to_run_setup(tmp_path: Path) -> None:
    env = {**embedded_env(tmp_path), "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    done = subprocess.run(
        [OOPS, "grade", str(EXAMPLE / "suite.toml"), str(EXAMPLE / "submissions")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 3
    assert "oops setup" in done.stderr
    assert "Traceback" not in done.stderr


def readme_demo_table() -> list[str]:
    """The table the README shows `oops grade` printing for the example class."""
    text = (ROOT / "README.md").read_text()
    start = text.index("$ .venv/bin/oops grade examples/sum/suite.toml")
    block = text[start : text.index("```", start)]
    return block.splitlines()[1:]


def test_the_demo_prints_the_readmes_table_and_names_no_course(tmp_path: Path) -> None:
    book = tmp_path / "canvas.csv"
    done = oops(
        tmp_path,
        "grade",
        str(EXAMPLE / "suite.toml"),
        str(EXAMPLE / "submissions"),
        "--csv",
        str(book),
        "--format",
        "canvas",
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.replace(str(book), "canvas.csv").splitlines()
    expected = readme_demo_table()
    # Each student's verdicts are checked above; this is about the table's shape and words.
    assert [printed[0], *printed[-2:]] == [expected[0], *expected[-2:]]
    assert [line.split()[0] for line in printed] == [line.split()[0] for line in expected]
    assert "course" not in done.stdout + done.stderr
