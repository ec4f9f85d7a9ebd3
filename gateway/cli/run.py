"""`oops setup` and `oops run`: make the machine ready for sandboxes, and run one program.

`oops run` imports the sandbox and nothing of the queue, the database or the web framework,
and takes no warm containers: a one-off run would only pay for starting them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import msgspec

from gateway.cli.errors import UsageError
from grading.outcome import RunResult, Status
from runners.sandbox.build import ensure_image, images_for
from runners.sandbox.engine import connect, ensure_engine
from runners.sandbox.languages import by_extension
from runners.sandbox.limits import resolve_limits
from runners.sandbox.protocol import RunRequest
from runners.sandbox.sandbox import Sandbox
from runners.settings import settings

EXIT_FAILED = 1


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
    config = msgspec.structs.replace(settings(), pool_size=0)
    request = RunRequest(
        code=_read_text(args.file),
        stdin=_read_bytes(args.stdin) if args.stdin else b"",
        language=language_of(args.file, args.language),
        limits=resolve_limits(config, args.time_limit, args.memory_limit),
    )
    sandbox = Sandbox(config, auto_remove=True)
    try:
        result = sandbox.run(request).result
        if args.json:
            sys.stdout.write(msgspec.json.encode(result).decode() + "\n")
        else:
            print(describe(result))
        sys.stdout.flush()
    finally:
        sandbox.close()
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
