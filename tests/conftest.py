"""Fixtures shared by every test package."""

from __future__ import annotations

import docker
import pytest

from runners.images import image_name
from runners.janitor import LABEL
from runners.languages import PYTHON
from runners.sandbox import Sandbox
from runners.settings import Settings, from_environment


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
