"""Fixtures shared by every test package.

In-process tests use the served back end: Redis on 127.0.0.1 and a Postgres database made for
this test session alone, its schema created by `oops migrate` (so the migrations are tested
too) and dropped at the end. Override the servers with OOPS_TEST_POSTGRES / OOPS_TEST_REDIS_URL.
CLI tests start `oops` with the embedded back end in a temporary folder.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import docker
import pytest

POSTGRES = os.environ.get("OOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
TEST_DATABASE = f"oopsengine_test_{uuid.uuid4().hex[:12]}"
TEST_DATABASE_URL = f"{POSTGRES}/{TEST_DATABASE}"
TEST_REDIS_URL = os.environ.get("OOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
OOPS = str(Path(sys.executable).parent / "oops")


def _psql(statement: str) -> None:
    subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-q", "-c", statement], check=True, capture_output=True
    )


def _create_migrated_database() -> None:
    """A new database for this session, migrated by `oops migrate`; dropped at exit."""
    _psql(f'CREATE DATABASE "{TEST_DATABASE}"')
    atexit.register(_psql, f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')
    env = {**os.environ, "OOPS_DATABASE_URL": TEST_DATABASE_URL}
    migrated = subprocess.run([OOPS, "migrate"], env=env, capture_output=True, text=True)
    assert migrated.returncode == 0, f"oops migrate failed: {migrated.stdout}{migrated.stderr}"


_create_migrated_database()
os.environ["OOPS_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["OOPS_REDIS_URL"] = TEST_REDIS_URL
# The tests' webhook receivers listen on 127.0.0.1, which production refuses (SSRF).
os.environ["OOPS_ALLOW_PRIVATE_CALLBACKS"] = "1"

# Settings are read once per process: the variables above must be set before these imports.
from runners.sandbox.build import image_name  # noqa: E402
from runners.sandbox.janitor import LABEL  # noqa: E402
from runners.sandbox.languages import PYTHON  # noqa: E402
from runners.sandbox.sandbox import Sandbox  # noqa: E402
from runners.settings import Settings, from_environment  # noqa: E402
from runners.store.database import DB  # noqa: E402


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    """This session's migrated database on the real Postgres, with its pool; closed after."""
    await DB.start_connection_pool()
    yield
    await DB.close_connection_pool()


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The settings the tests run with: the environment's, as an operator would set them."""
    return from_environment()


@pytest.fixture(scope="session")
def docker_engine(settings: Settings) -> docker.DockerClient:
    """The real Docker engine with the sandbox image built (`oops setup` provides both)."""
    try:
        client = docker.from_env()
        client.ping()
        client.images.get(image_name(settings, PYTHON))
    except docker.errors.DockerException as error:
        pytest.fail(f"the Docker engine or the sandbox image is missing; run `oops setup`: {error}")
    return client


@pytest.fixture(scope="session")
def sandbox(settings: Settings, docker_engine: docker.DockerClient) -> Sandbox:
    """A sandbox on the real engine."""
    return Sandbox(settings, docker_engine)


def leftover_containers(client: docker.DockerClient) -> list[str]:
    """Names of this checkout's sandbox containers still on the engine.

    Other checkouts may share the engine and the label; the image (OOPS_IMAGE_PREFIX) is ours.
    """
    image = image_name(from_environment(), PYTHON)
    found = client.containers.list(all=True, filters={"label": LABEL, "ancestor": image})
    return [c.name for c in found]
