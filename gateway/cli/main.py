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

from gateway.cli import grade, service
from gateway.cli.grade import InputError
from grading.errors import GradingError
from grading.outcome import RunResult, Status
from runners.errors import EngineUnavailable, ImageMissing, RequestError
from runners.keys import KeyRequestError
from runners.languages import list_languages
from runners.sandbox.build import ensure_image, images_for
from runners.sandbox.engine import ensure_engine
from runners.sandbox.languages import LANGUAGES, by_extension
from runners.sandbox.limits import resolve_limits
from runners.sandbox.sandbox import RunRequest, Sandbox, connect
from runners.settings import settings

EXIT_FAILED, EXIT_USAGE, EXIT_NOT_READY = 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and dispatch to a subcommand."""
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (RequestError, UsageError, InputError, GradingError, KeyRequestError) as error:
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
    setup.add_argument(
        "--languages",
        type=_language_list,
        default=sorted(LANGUAGES),
        help=f"comma-separated languages to build images for (default: all of {_known()})",
    )
    setup.set_defaults(handler=setup_command)

    langs = commands.add_parser("languages", help="list the languages and their versions")
    langs.add_argument("--json", action="store_true", help="print one JSON object")
    langs.set_defaults(handler=languages_command)

    run = commands.add_parser("run", help="run one program in a sandbox")
    run.add_argument("file", type=Path)
    run.add_argument("--stdin", type=Path, help="file to feed the program on stdin")
    run.add_argument("--time-limit", type=float, help="wall-clock seconds (default 3)")
    run.add_argument("--memory-limit", type=int, help="MiB (default 512)")
    run.add_argument(
        "--language", choices=sorted(LANGUAGES), help="default: from the file's extension"
    )
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.set_defaults(handler=run_command)

    grade.add_commands(commands)
    service.add_commands(commands)
    return root


def setup_command(args: argparse.Namespace) -> int:
    """Bring up the engine and build every sandbox image, timing each step."""
    config = settings()
    _step("Docker engine", partial(ensure_engine, config))
    client = connect(config)
    for image in images_for(args.languages):
        _step(
            f"{image.name} image",
            partial(ensure_image, client, config, image, offline=args.offline),
        )
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    return 0


def _step(title: str, action: Callable[[Callable[[str], None]], object]) -> None:
    started = time.monotonic()
    action(lambda line: print(f"  {line}", flush=True))
    print(f"{title}: done in {time.monotonic() - started:.1f} s", flush=True)


def _known() -> str:
    return ", ".join(sorted(LANGUAGES))


def _language_list(text: str) -> list[str]:
    """`c,java` as a list of known language ids."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in LANGUAGES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown language {unknown!r}: choose from {_known()}")
    return names


def languages_command(args: argparse.Namespace) -> int:
    """List every language: id, extensions, version (from its image) and title."""
    listed = list_languages(settings())
    if args.json:
        sys.stdout.write(msgspec.json.encode({"languages": listed}).decode() + "\n")
        return 0
    for lang in listed:
        extensions = " ".join(lang.extensions)
        version = lang.version or "(image not built: run `oops setup`)"
        print(f"{lang.id:<12}{extensions:<26}{version:<24}{lang.title}")
    return 0


def language_of(path: Path, chosen: str | None) -> str:
    """The language named on the command line, else the one of the file's extension."""
    if chosen is not None:
        return chosen
    found = by_extension(path.name)
    if found is None:
        raise UsageError(f"{path}: cannot tell the language from its extension: pass --language")
    return found.name


def run_command(args: argparse.Namespace) -> int:
    """Run FILE once and print the result, readable or as JSON."""
    config = settings()
    request = RunRequest(
        code=_read_text(args.file),
        stdin=_read_bytes(args.stdin) if args.stdin else b"",
        language=language_of(args.file, args.language),
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
