"""The `oops` command: set the machine up, run a program, grade a class, serve the API.

Exit codes: 0 the command did its job (for `run`, the program ended `ok`), 1 the program or a
submission did not succeed, 2 the command line or an input file is wrong, 3 the machine is not
ready (no engine, no image).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import msgspec

from gateway.cli import courses, grade, service
from gateway.cli.grade import InputError
from grading.errors import GradingError
from grading.outcome import RunResult, Status
from runners.courses import CourseError
from runners.errors import EngineUnavailable, ImageMissing, RequestError
from runners.keys import KeyRequestError
from runners.sandbox.build import ensure_image
from runners.sandbox.engine import ensure_engine
from runners.sandbox.languages import LANGUAGES
from runners.sandbox.limits import resolve_limits
from runners.sandbox.sandbox import RunRequest, Sandbox, connect
from runners.settings import settings

EXIT_FAILED, EXIT_USAGE, EXIT_NOT_READY = 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and dispatch to a subcommand."""
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (
        RequestError,
        UsageError,
        InputError,
        GradingError,
        KeyRequestError,
        CourseError,
    ) as error:
        print(f"oops: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (EngineUnavailable, ImageMissing) as error:
        print(f"oops: {error}", file=sys.stderr)
        return EXIT_NOT_READY


class UsageError(Exception):
    """A command-line argument or input file the user must fix."""


def parser() -> argparse.ArgumentParser:
    """The `oops` argument parser with every subcommand."""
    root = argparse.ArgumentParser(prog="oops", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)

    setup = commands.add_parser("setup", help="install and start what sandboxes need (idempotent)")
    setup.add_argument("--offline", action="store_true", help="build images from Debian packages")
    setup.set_defaults(handler=setup_command)

    run = commands.add_parser("run", help="run one program in a sandbox")
    run.add_argument("file", type=Path)
    run.add_argument("--stdin", type=Path, help="file to feed the program on stdin")
    run.add_argument("--time-limit", type=float, help="wall-clock seconds (default 3)")
    run.add_argument("--memory-limit", type=int, help="MiB (default 512)")
    run.add_argument("--language", default="python", choices=sorted(LANGUAGES))
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.set_defaults(handler=run_command)

    grade.add_commands(commands)
    service.add_commands(commands)
    courses.add_commands(commands)
    return root


def setup_command(args: argparse.Namespace) -> int:
    """Bring up the engine and build every sandbox image, timing each step."""
    config = settings()
    _step("Docker engine", partial(ensure_engine, config))
    client = connect(config)
    for lang in LANGUAGES.values():
        _step(
            f"{lang.name} image",
            partial(ensure_image, client, config, lang, offline=args.offline),
        )
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    return 0


def _step(title: str, action: Callable[[Callable[[str], None]], object]) -> None:
    started = time.monotonic()
    action(lambda line: print(f"  {line}", flush=True))
    print(f"{title}: done in {time.monotonic() - started:.1f} s", flush=True)


def run_command(args: argparse.Namespace) -> int:
    """Run FILE once and print the result, readable or as JSON."""
    config = settings()
    request = RunRequest(
        code=_read_text(args.file),
        stdin=_read_bytes(args.stdin) if args.stdin else b"",
        language=args.language,
        limits=resolve_limits(config, args.time_limit, args.memory_limit),
    )
    result = Sandbox(config).run(request).result
    if args.json:
        sys.stdout.write(msgspec.json.encode(result).decode() + "\n")
    else:
        print(describe(result))
    return 0 if result.status is Status.OK else EXIT_FAILED


def describe(result: RunResult) -> str:
    """A person's view of a run: one summary line, then each stream that has output."""
    ending = f"exit {result.exit_code}" if result.signal is None else f"signal {result.signal}"
    lines = [
        f"{result.status.value}  ({ending}, {result.time_ms} ms wall, {result.cpu_ms} ms cpu, "
        f"{result.memory_kib / 1024:.1f} MiB peak)"
    ]
    if result.message:
        lines.append(result.message)
    for name, text, cut in (
        ("stdout", result.stdout, result.stdout_truncated),
        ("stderr", result.stderr, result.stderr_truncated),
    ):
        if text:
            lines += [f"--- {name}{' (truncated)' if cut else ''} ---", text.rstrip("\n")]
    return "\n".join(lines)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


def _read_text(path: Path) -> str:
    try:
        return _read_bytes(path).decode()
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


if __name__ == "__main__":
    sys.exit(main())
