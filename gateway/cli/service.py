"""`oops serve`, `oops worker` and `oops migrate`: running the service.

The served back end is Postgres (`OOPS_DATABASE_URL`) and Redis (`OOPS_REDIS_URL`): gateways
answer HTTP and put work on the Redis stream; workers take it, run it in sandboxes and record
results. `oops serve --embedded` runs all of it in one process on the embedded SQLite file.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys

import anyio

WORKER_MODULES = ["runners.queue.worker:broker", "runners.queue.tasks"]


def serve_command(args: argparse.Namespace) -> int:
    """Serve the API; with --embedded, first drop the served back end from the environment."""
    from runners.settings import settings

    served = bool(settings().database_url and settings().redis_url)
    if args.workers < 1 or (args.workers > 1 and (args.embedded or not served)):
        print(
            "oops: --workers N needs N >= 1, and more than one gateway process needs the served "
            "back end (OOPS_DATABASE_URL and OOPS_REDIS_URL); the embedded mode is one process",
            file=sys.stderr,
        )
        return 2
    if args.embedded:
        env = {
            k: v for k, v in os.environ.items() if k not in ("OOPS_DATABASE_URL", "OOPS_REDIS_URL")
        }
        argv = [
            sys.executable,
            "-m",
            "gateway.cli.main",
            "serve",
            "--host",
            args.host,
            "--port",
            str(args.port),
        ]
        os.execve(sys.executable, argv, env)  # noqa: S606 -- this Python, fixed argv: a re-exec
    import uvicorn

    # Every gateway process must sign the pages' CSRF tokens alike.
    os.environ.setdefault("OOPS_SECRET_KEY", secrets.token_hex(32))
    uvicorn.run(
        "gateway.api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        timeout_keep_alive=settings().keep_alive,
    )
    return 0


def worker_command(args: argparse.Namespace) -> int:
    """Become a taskiq worker on the Redis stream broker, acknowledging after recording."""
    from runners.settings import settings

    if not settings().redis_url or not settings().database_url:
        print("oops: a worker needs OOPS_DATABASE_URL and OOPS_REDIS_URL", file=sys.stderr)
        return 2
    env = dict(os.environ)
    if args.concurrency is not None:
        env["OOPS_CONCURRENCY"] = str(args.concurrency)
    tasks = int(env.get("OOPS_CONCURRENCY", settings().concurrency)) * 4
    argv = [
        sys.executable,
        "-m",
        "taskiq",
        "worker",
        *WORKER_MODULES,
        "--workers",
        "1",
        "--max-async-tasks",
        str(tasks),
        "--ack-type",
        "when_saved",
    ]
    os.execve(sys.executable, argv, env)  # noqa: S606 -- this Python, fixed argv: a re-exec


def migrate_command(args: argparse.Namespace) -> int:
    """Run every migration not yet applied (Postgres); create the tables (SQLite)."""
    from runners.settings import settings
    from runners.store.migrate import migrate

    result = anyio.run(migrate, settings())
    print(result.message)
    return 0 if result.ok else 1
