"""Finds and removes sandbox containers that a dead process left behind.

Every container carries `oopsengine.sandbox` and the host and pid of the process that made it.
A container is abandoned when that process is gone, or when it is older than any run can last,
which also covers processes on other hosts sharing the engine.
"""

from __future__ import annotations

import os
import socket
import time

import docker
from docker.models.containers import Container

from runners.settings import Settings

LABEL = "oopsengine.sandbox"
OWNER = "oopsengine.owner"
SLACK = 120.0


def labels() -> dict[str, str]:
    """The labels that mark a container as ours and name the process that owns it."""
    return {LABEL: "1", OWNER: f"{socket.gethostname()}:{os.getpid()}"}


def ours(client: docker.DockerClient) -> list[Container]:
    """Every sandbox container on the engine, running or not."""
    found: list[Container] = client.containers.list(all=True, filters={"label": LABEL}, sparse=True)
    return found


def sweep(client: docker.DockerClient, settings: Settings) -> int:
    """Remove abandoned sandbox containers; returns how many went."""
    oldest = time.time() - settings.max_time_limit - SLACK
    removed = 0
    for container in ours(client):
        owner = container.attrs.get("Labels", {}).get(OWNER, "")
        if _owner_gone(owner) or container.attrs.get("Created", 0) < oldest:
            try:
                container.remove(force=True)
                removed += 1
            except docker.errors.APIError:
                pass
    return removed


def _owner_gone(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
