"""Fixtures shared by every test package.

In-process tests use the served back end: a Postgres database of their own and Redis on
127.0.0.1 (override with OOPS_TEST_DATABASE_URL / OOPS_TEST_REDIS_URL). CLI tests start `oops` with
the embedded back end in a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import asyncpg
import docker
import pytest

TEST_DATABASE_URL = os.environ.get(
    "OOPS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/oopsengine_test"
)
TEST_REDIS_URL = os.environ.get("OOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


async def _create_database(url: str) -> None:
    """Create the test database on its server if it does not exist yet."""
    server, _, name = url.rpartition("/")
    connection = await asyncpg.connect(f"{server}/postgres")
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


asyncio.run(_create_database(TEST_DATABASE_URL))
os.environ["OOPS_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["OOPS_REDIS_URL"] = TEST_REDIS_URL
# The tests' webhook receivers listen on 127.0.0.1, which production refuses (SSRF).
os.environ["OOPS_ALLOW_PRIVATE_CALLBACKS"] = "1"

# Settings are read once per process: the variables above must be set before these imports.
from piccolo.table import create_db_tables  # noqa: E402

from runners.database import DB  # noqa: E402
from runners.images import image_name  # noqa: E402
from runners.janitor import LABEL  # noqa: E402
from runners.languages import PYTHON  # noqa: E402
from runners.sandbox import Sandbox  # noqa: E402
from runners.settings import Settings, from_environment  # noqa: E402
from runners.tables import TABLES  # noqa: E402


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    """The test database on the real Postgres, with every table created; pool closed after."""
    await create_db_tables(*TABLES, if_not_exists=True)
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
    """Names of sandbox containers still on the engine."""
    return [c.name for c in client.containers.list(all=True, filters={"label": LABEL})]
