"""docker-compose.yml: valid for Compose, and wired as the README promises."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

COMPOSE = Path(__file__).parents[1] / "docker-compose.yml"


def compose_command() -> list[str]:
    """`docker compose` where the plugin exists, else Debian's `docker-compose`."""
    plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if plugin.returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.skip("neither `docker compose` nor `docker-compose` is installed")


def test_compose_validates_it() -> None:
    done = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return loaded


def test_only_the_worker_gets_the_docker_socket(services: dict[str, Any]) -> None:
    with_socket = {
        name
        for name, service in services.items()
        if any("docker.sock" in volume for volume in service.get("volumes", []))
    }
    assert with_socket == {"worker"}


@pytest.mark.parametrize("name", ["postgres", "redis", "gateway"])
def test_long_running_services_have_health_checks(services: dict[str, Any], name: str) -> None:
    assert "healthcheck" in services[name]


@pytest.mark.parametrize("name", ["postgres", "redis"])
def test_stateful_services_keep_their_data_in_volumes(services: dict[str, Any], name: str) -> None:
    assert services[name]["volumes"]


def test_gateway_and_worker_are_configured_by_environment(services: dict[str, Any]) -> None:
    for name in ("gateway", "worker"):
        env = services[name]["environment"]
        assert env["OOPS_DATABASE_URL"].startswith("postgresql://")
        assert env["OOPS_REDIS_URL"].startswith("redis://")
