"""What several test packages share that is not a fixture: the servers' addresses, the `oops`
command, and a look at the engine for containers left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import docker

from runners.sandbox.janitor import LABEL
from runners.settings import from_environment

OOPS = str(Path(sys.executable).parent / "oops")
POSTGRES = os.environ.get("OOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
TEST_DATABASE = f"oopsengine_test_{uuid.uuid4().hex[:12]}"
TEST_DATABASE_URL = f"{POSTGRES}/{TEST_DATABASE}"
TEST_REDIS_URL = os.environ.get("OOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def psql(statement: str) -> None:
    """Run one statement against the Postgres server's maintenance database."""
    subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-q", "-c", statement], check=True, capture_output=True
    )


def create_migrated_database() -> None:
    """This session's database, its schema made by `oops migrate` (so migrations are tested)."""
    psql(f'CREATE DATABASE "{TEST_DATABASE}"')
    env = {**os.environ, "OOPS_DATABASE_URL": TEST_DATABASE_URL}
    migrated = subprocess.run([OOPS, "migrate"], env=env, capture_output=True, text=True)
    assert migrated.returncode == 0, f"oops migrate failed: {migrated.stdout}{migrated.stderr}"


def drop_database() -> None:
    """Drop this session's database, whoever is still connected."""
    psql(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')


def leftover_containers(client: docker.DockerClient, running: bool | None = None) -> list[str]:
    """Names of this deployment's sandbox containers still on the engine.

    Another deployment sharing the engine (its own OOPS_IMAGE_PREFIX) has containers of its own.
    `running` keeps only those running (True: a warm pool's) or only the others (False).
    """
    prefix = f"{from_environment().image_prefix}/"
    found = client.api.containers(all=True, filters={"label": LABEL})
    return [
        c["Names"][0].lstrip("/")
        for c in found
        if str(c["Image"]).startswith(prefix)
        and (running is None or (c["State"] == "running") == running)
    ]


def leftovers_after_removal(client: docker.DockerClient, timeout: float = 60.0) -> list[str]:
    """`leftover_containers` once the sandbox's background removals had time to finish.

    A run hands its container to a background thread for removal, so right after the run
    the container may still be there; what is still there after `timeout` is a leftover.
    """
    deadline = time.monotonic() + timeout
    while (left := leftover_containers(client)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
