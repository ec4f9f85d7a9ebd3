"""The `oops` command: set the machine up, run a program, grade a class, serve the API.

Exit codes: 0 the command did its job (for `run`, the program ended `ok`), 1 the program or a
submission did not succeed, 2 the command line or an input file is wrong, 3 the machine is not
ready (no engine, no image).

Each subcommand names its handler as `module:function`, imported only once that subcommand
runs: `oops --help`, argument errors and `oops run` never import the queue, the database or
the web framework, which cost about a second of start-up between them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import get_args

from gateway.cli.errors import UsageError
from grading.errors import GradingError
from grading.gradebook import FORMATS
from grading.suite import Isolation
from runners.errors import EngineUnavailable, ImageMissing, RunnerError
from runners.sandbox.languages import LANGUAGES

EXIT_USAGE, EXIT_NOT_READY = 2, 3

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and dispatch to a subcommand."""
    args = parser().parse_args(argv)
    try:
        return int(handler(args.handler)(args))
    except (EngineUnavailable, ImageMissing) as error:
        print(f"oops: {error}", file=sys.stderr)
        return EXIT_NOT_READY
    except (RunnerError, UsageError, GradingError) as error:
        print(f"oops: {error}", file=sys.stderr)
        return EXIT_USAGE


def handler(spec: str) -> Handler:
    """The function `module:name` names, importing its module now."""
    module, _, name = spec.partition(":")
    found: Handler = getattr(importlib.import_module(module), name)
    return found


def parser() -> argparse.ArgumentParser:
    """The `oops` argument parser with every subcommand."""
    root = argparse.ArgumentParser(prog="oops", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)
    _sandbox_commands(commands)
    _grading_commands(commands)
    _service_commands(commands)
    _course_commands(commands)
    return root


def _sandbox_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    setup = commands.add_parser("setup", help="install and start what sandboxes need (idempotent)")
    setup.add_argument("--offline", action="store_true", help="build images from Debian packages")
    setup.add_argument(
        "--languages",
        type=_language_list,
        default=sorted(LANGUAGES),
        help=f"comma-separated languages to build images for (default: all of {_known()})",
    )
    setup.set_defaults(handler="gateway.cli.run:setup_command")

    langs = commands.add_parser("languages", help="list the languages and their versions")
    langs.add_argument("--json", action="store_true", help="print one JSON object")
    langs.set_defaults(handler="gateway.cli.languages:languages_command")

    run = commands.add_parser("run", help="run one program in a sandbox")
    run.add_argument("file", type=Path)
    run.add_argument("--stdin", type=Path, help="file to feed the program on stdin")
    run.add_argument("--time-limit", type=float, help="wall-clock seconds (default 3)")
    run.add_argument("--memory-limit", type=int, help="MiB (default 512)")
    run.add_argument(
        "--language", choices=sorted(LANGUAGES), help="default: from the file's extension"
    )
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.set_defaults(handler="gateway.cli.run:run_command")


def _known() -> str:
    return ", ".join(sorted(LANGUAGES))


def _language_list(text: str) -> list[str]:
    """`c,java` as a list of known language ids."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in LANGUAGES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown language {unknown!r}: choose from {_known()}")
    return names


def _grading_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    marks = commands.add_parser("grade", help="grade a folder of submissions against a suite")
    marks.add_argument("suite", type=Path, help="suite file (JSON/TOML/YAML) or Kattis package")
    marks.add_argument("submissions", type=Path, help="one file or folder per student")
    marks.add_argument("--csv", type=Path, help="also write the gradebook to this file")
    marks.add_argument("--format", choices=FORMATS, default="plain", help="gradebook format")
    marks.add_argument("--json", action="store_true", help="print results as one JSON object")
    marks.add_argument(
        "--language",
        choices=sorted(LANGUAGES),
        help="every submission's language (default: each file's extension, else the suite's)",
    )
    marks.add_argument(
        "--isolation",
        choices=get_args(Isolation),
        help="one container per case, or per submission (default: the suite's `isolation`)",
    )
    marks.set_defaults(handler="gateway.cli.grade:grade_command")

    export = commands.add_parser("export", help="render a gradebook from stored results")
    export.add_argument("assignment", help="the assignment's name (the suite's `name`)")
    export.add_argument("--format", choices=FORMATS, default="plain")
    export.add_argument("--policy", choices=["latest", "best"], default="latest")
    export.add_argument("--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(handler="gateway.cli.grade:export_command")


def _service_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="serve the HTTP API (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="gateway processes (served mode)")
    serve.add_argument(
        "--embedded", action="store_true", help="gateway, queue and runner in one process on SQLite"
    )
    serve.set_defaults(handler="gateway.cli.service:serve_command")

    worker = commands.add_parser("worker", help="run queued cases and runs (taskiq worker)")
    worker.add_argument("--concurrency", type=int, help="sandboxes at once (default: by machine)")
    worker.set_defaults(handler="gateway.cli.service:worker_command")

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(handler="gateway.cli.service:migrate_command")

    keys = commands.add_parser("keys", help="manage API keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser(
        "create",
        help="create a key and its webhook secret",
        description="Create a key. An admin key spans every course; an instructor key belongs "
        "to one or more courses (repeat --course), a student key to one course and one student. "
        "Without --course, a key belongs to the default course.",
    )
    create.add_argument("--role", required=True, choices=["admin", "instructor", "student"])
    create.add_argument(
        "--course",
        action="append",
        metavar="COURSE",
        help="a course's id or name (see `oops courses list`); repeat for several",
    )
    create.add_argument("--student", help="the student id a student key acts as")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.set_defaults(handler="gateway.cli.keys:create_command")

    listing = actions.add_parser("list", help="list every key (never the key itself), newest first")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler="gateway.cli.keys:list_command")

    revoke = actions.add_parser(
        "revoke",
        help="revoke a key: every gateway refuses it from its next request on",
        description="Revoke a key by its id (see `oops keys list`). Revoking a revoked key "
        "changes nothing; the key stays listed with the time it was revoked.",
    )
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key's id, from `oops keys list`")
    revoke.add_argument("--json", action="store_true", help="print one JSON object")
    revoke.set_defaults(handler="gateway.cli.keys:revoke_command")


def _course_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("courses", help="manage courses (one per class)")
    actions = group.add_subparsers(dest="action", required=True)

    create = actions.add_parser("create", help="create a course")
    create.add_argument("name", help="a name people can type: unique in this deployment")
    create.add_argument("--quota", type=int, help="submissions the course may send per hour")
    create.add_argument("--json", action="store_true", help='print {"id": ..., "name": ...}')
    create.set_defaults(handler="gateway.cli.courses:create_command")

    listing = actions.add_parser("list", help="list every course")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler="gateway.cli.courses:list_command")

    quota = actions.add_parser("quota", help="set or lift a course's submissions-per-hour quota")
    quota.add_argument("course", help="the course's id or name")
    quota.add_argument("per_hour", help="submissions per hour, or `none` to lift the quota")
    quota.set_defaults(handler="gateway.cli.courses:quota_command")


if __name__ == "__main__":
    sys.exit(main())
