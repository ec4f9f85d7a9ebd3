"""Fixtures shared by every test package; none touches a server until a test asks for it.

Tests that need the database ask for `database`: a Postgres database made for this session
alone, its schema created by `oops migrate`, dropped at the end. Redis is the one on 127.0.0.1
(a database number of its own). Override the servers with OOPS_TEST_POSTGRES /
OOPS_TEST_REDIS_URL. The pure grading tests ask for none of them, and pass with no server up.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import docker
import msgspec
import pytest

from tests.helpers import (
    TEST_DATABASE_URL,
    TEST_REDIS_URL,
    create_migrated_database,
    drop_database,
)

# Settings are read on first use, after these are set: the tests run the served back end.
os.environ["OOPS_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["OOPS_REDIS_URL"] = TEST_REDIS_URL
# The tests' webhook receivers listen on 127.0.0.1, which production refuses (SSRF).
os.environ["OOPS_ALLOW_PRIVATE_CALLBACKS"] = "1"

from runners.backend import Backend
from runners.sandbox.build import image_name
from runners.sandbox.languages import PYTHON
from runners.sandbox.sandbox import Sandbox
from runners.settings import Settings, from_environment
from runners.store.database import close_storage, open_storage

MARKER_OF_FIXTURE = {"docker_engine": "docker", "database": "services"}
"""The marker a test gets for using a fixture, directly or through another (autouse ones too),
so `make unit` (`-m 'not docker and not services'`) never picks a test that needs a server; a
test that reaches a server some other way carries the marker itself."""


@pytest.hookimpl(tryfirst=True)  # before pytest deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with what its fixtures need (see MARKER_OF_FIXTURE)."""
    for item in items:
        used = item.fixturenames if isinstance(item, pytest.Function) else []
        for fixture, marker in MARKER_OF_FIXTURE.items():
            if fixture in used:
                item.add_marker(marker)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The settings the tests run with: the environment's, as an operator would set them."""
    return from_environment()


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[Backend]:
    """This session's migrated database on the real Postgres, the backend bound to it."""
    create_migrated_database()
    backend = Backend.build(settings)
    await open_storage(backend.db)
    yield backend
    await close_storage(backend.db)
    drop_database()


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
def sandbox(settings: Settings, docker_engine: docker.DockerClient) -> Iterator[Sandbox]:
    """A sandbox on the real engine that creates every container cold, and closes after.

    Without warm containers, a test may require that no container of ours is left between
    runs; `tests/runners/test_pool.py` runs the same attacks in warm containers.
    """
    cold = Sandbox(msgspec.structs.replace(settings, pool_size=0), docker_engine)
    yield cold
    cold.close()
