"""`oops grade` and `oops export`: grade a folder of submissions, render gradebooks again.

Grading records everything: run it again after an interruption and it reuses the assignment
(same name and suite) and each submission (same student and code), and runs only the cases
that have no result yet.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import anyio
import msgspec
from taskiq import AsyncTaskiqTask

from gateway.cli.errors import UsageError
from grading.documents import decode_listing, suite_format
from grading.errors import SuiteError
from grading.gradebook import Format, GradebookRow, Policy
from grading.kattis import suite_from_package
from grading.kinds import AnySuite
from grading.outcome import Verdict
from grading.results import SubmissionResult
from grading.suite import Isolation
from grading.unit import UnitSuite
from runners import classroom, gradebooks, intake
from runners.backend import opened
from runners.pipeline import Entry
from runners.queue import tasks
from runners.sandbox.languages import by_extension, extension_map
from runners.settings import settings

POLL_SECONDS = 0.25
MARKS = {
    Verdict.PASSED: ".",
    Verdict.WRONG_ANSWER: "W",
    Verdict.TIMEOUT: "T",
    Verdict.MEMORY_LIMIT: "M",
    Verdict.OUTPUT_LIMIT: "O",
    Verdict.RUNTIME_ERROR: "R",
    Verdict.COMPILE_ERROR: "C",
    Verdict.INTERNAL_ERROR: "!",
}


def read_suite(path: Path) -> AnySuite:
    """A suite file (JSON, TOML, YAML), of cases or of unit tests, or a Kattis problem
    package directory."""
    try:
        if path.is_dir():
            return suite_from_package(_read_tree(path), name=path.name, extensions=extension_map())
        return decode_listing(path.read_bytes(), suite_format(path.name), _beside(path))
    except SuiteError as error:
        raise UsageError(f"{path}: {error}") from None
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


def _read_tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def read_submissions(
    folder: Path, language: str | None, submit: list[str] | None = None
) -> list[Entry]:
    """One entry per student: `ID.c`, `ID.py`... files, or `ID/` folders holding `main.*`.

    Each program's language is `language` when given, else its file's extension's; files with
    no known extension take the suite's. For a unit suite (`submit`: the files it asks for), a
    student's file is the one file asked for, and a folder holds the files asked for.
    """
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder of submissions")
    paths = [path for path in sorted(folder.iterdir()) if not path.name.startswith(".")]
    if submit is not None:
        entries = [_submitted(path, submit) for path in paths]
    else:
        entries = [_entry(path, language) for path in paths]
    if not entries:
        raise UsageError(f"{folder} holds no submissions: add one file or folder per student")
    return entries


def _entry(path: Path, language: str | None) -> Entry:
    source = _main_file(path) if path.is_dir() else path
    try:
        code = source.read_text()
    except UnicodeDecodeError:
        raise UsageError(f"{source} is not UTF-8 text") from None
    found = by_extension(source.name)
    student = path.name if path.is_dir() else path.stem
    return Entry(student=student, code=code, language=language or (found.name if found else None))


def _submitted(path: Path, submit: list[str]) -> Entry:
    """A unit suite's submission: the file asked for, or a folder's files asked for (a JSON
    object of name to content when the suite asks for several)."""
    student = path.name if path.is_dir() else path.stem
    if not path.is_dir():
        if len(submit) != 1:
            raise UsageError(f"{path}: the suite asks for {', '.join(submit)}; use a folder")
        return Entry(student=student, code=_text(path))
    missing = [name for name in submit if not (path / name).is_file()]
    if missing:
        raise UsageError(f"{path} has no {', '.join(missing)}: the suite asks for these files")
    files = {name: _text(path / name) for name in submit}
    code = files[submit[0]] if len(submit) == 1 else msgspec.json.encode(files).decode()
    return Entry(student=student, code=code)


def _beside(suite: Path) -> Callable[[str], str]:
    """Reads a file a suite lists, by its path relative to the suite file."""
    return lambda name: _text(suite.parent / name)


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


def _main_file(folder: Path) -> Path:
    """The `main.*` file of a student's folder (a Java folder's one `.java` file will do)."""
    mains = sorted(p for p in folder.glob("main.*") if by_extension(p.name))
    mains = mains or sorted(folder.glob("*.java"))
    if len(mains) != 1:
        raise UsageError(
            f"{folder} is a folder without one main file: put the program in main.py, main.c, "
            "main.cpp or main.js (or one .java file)"
        )
    return mains[0]


async def grade(
    suite: AnySuite, entries: list[Entry], progress: bool, isolation: Isolation | None = None
) -> list[SubmissionResult]:
    """Grade every entry against the suite, resuming earlier work; results in entry order.

    `isolation` overrides the suite's for the submissions recorded now.
    """
    async with opened(settings()) as backend:
        config = backend.settings
        target = await classroom.assignment_for(config, suite)
        submissions = await classroom.submissions_for(config, target, entries, isolation)
        if config.embedded:
            await tasks.executor()  # this process runs the cases: fail now if Docker is missing
        try:
            pending = await classroom.unfinished_work(config, submissions)
            kicked = await intake.enqueue(pending)
            await _wait(submissions, progress, kicked if config.embedded else [])
            return await classroom.results(submissions)
        finally:
            await tasks.close_executor()


async def _wait(
    submissions: list[uuid.UUID], progress: bool, watched: list[AsyncTaskiqTask[None]]
) -> None:
    """Wait until every case is done, drawing a progress bar on stderr.

    `watched` are tasks this process runs itself (embedded): the first that fails stops the
    wait with its error (no Docker engine, say) instead of waiting for a result that won't come.
    """
    while True:
        await _raise_failure(watched)
        now = await classroom.progress(submissions)
        if progress:
            _draw(now.done, now.total)
        if now.settled:
            break
        await anyio.sleep(POLL_SECONDS)
    if progress:
        sys.stderr.write("\n")


async def _raise_failure(watched: list[AsyncTaskiqTask[None]]) -> None:
    for task in watched:
        if await task.is_ready():
            result = await task.get_result()
            if result.is_err and result.error is not None:
                raise result.error


def _draw(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total} cases")
    sys.stderr.flush()


def table(results: list[SubmissionResult]) -> str:
    """Student, score and one mark per case (`.` passed; W T M O R C ! otherwise)."""
    width = max([len("student"), *(len(r.student) for r in results)])
    lines = [f"{'student':<{width}}  {'score':>13}  cases"]
    for result in results:
        marks = "".join(MARKS[case.verdict] for case in result.cases)
        score = f"{result.score:g}/{result.max_score:g}"
        lines.append(f"{result.student:<{width}}  {score:>13}  {marks}  {result.verdict.value}")
    legend = "  ".join(f"{mark} {kind.value.replace('_', ' ')}" for kind, mark in MARKS.items())
    lines.append(f"marks: {legend}")
    return "\n".join(lines)


def as_json(results: list[SubmissionResult]) -> bytes:
    """`{"results": [...]}` with the fields `oops grade --json` promises."""
    return msgspec.json.encode({"results": [_summary(r) for r in results]})


def _summary(result: SubmissionResult) -> dict[str, object]:
    cases = [
        {
            "name": c.name,
            "verdict": c.verdict,
            "points": c.points,
            "max_points": c.max_points,
            "time_ms": c.time_ms,
            "memory_kib": c.memory_kib,
            "message": c.message,
        }
        for c in result.cases
    ]
    return {
        "student": result.student,
        "verdict": result.verdict,
        "score": result.score,
        "max_score": result.max_score,
        "cases": cases,
    }


async def export(assignment: str, fmt: Format, policy: Policy) -> str:
    """The gradebook of the newest assignment called `assignment`, from stored results."""
    async with opened(settings()):
        text = await classroom.export(assignment, fmt, policy)
    if text is None:
        raise UsageError(f"no assignment called {assignment!r} has been graded here")
    return text


def grade_command(args: argparse.Namespace) -> int:
    """Grade every submission in a folder; print a table or JSON; optionally a gradebook."""
    suite = read_suite(args.suite)
    submit = suite.submit if isinstance(suite, UnitSuite) else None
    entries = read_submissions(args.submissions, args.language, submit)
    progress = not args.json and sys.stderr.isatty()
    results = anyio.run(grade, suite, entries, progress, args.isolation)
    if args.json:
        sys.stdout.write(as_json(results).decode() + "\n")
    else:
        print(table(results))
    if args.csv:
        rows = [GradebookRow(student=r.student, result=r) for r in results]
        args.csv.write_text(gradebooks.render(args.format, suite.name, rows, "latest"), newline="")
        if not args.json:
            print(f"gradebook ({args.format}): {args.csv}")
    return 0


def export_command(args: argparse.Namespace) -> int:
    """Render a gradebook again from the results stored by earlier `oops grade` runs."""
    text = anyio.run(export, args.assignment, args.format, args.policy)
    if args.output:
        args.output.write_text(text, newline="")
    else:
        sys.stdout.write(text)
    return 0
