"""The Docker engine: clients for it, and making sure one answers (installing and starting
Debian's where none does)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import docker

from runners.errors import EngineUnavailable
from runners.sandbox.pool import REMOVERS
from runners.settings import Settings

PID_FILE = Path("/var/run/docker.pid")
READY_TIMEOUT = 60.0
INSTALL_HINT = (
    "install a Docker engine (https://docs.docker.com/engine/install/, or `apt-get install "
    "docker.io` on Debian and Ubuntu) and start it, then run `oops setup` again"
)


def client_for(settings: Settings) -> docker.DockerClient:
    """A client for the local engine, sized for concurrent runs.

    Making it asks the engine for its API version, so where no engine answers this is already
    EngineUnavailable, saying what to do.
    """
    try:
        return docker.from_env(max_pool_size=connections(settings))
    except docker.errors.DockerException as error:
        raise EngineUnavailable(f"no Docker engine answers ({error}); run `oops setup`") from None


def connections(settings: Settings) -> int:
    """HTTP connections to the engine that this process's threads may use at once.

    Every run holds one (its attach socket is taken out of the pool for good) and makes
    calls on another; the pool's creators and removers hold one each.
    """
    return 2 * settings.concurrency + settings.pool_creates + REMOVERS + 4


def answering(client: docker.DockerClient) -> docker.DockerClient:
    """`client` once its engine has answered a ping; else EngineUnavailable, saying what to do."""
    try:
        client.ping()
    except docker.errors.DockerException as error:
        raise EngineUnavailable(f"no Docker engine answers ({error}); run `oops setup`") from None
    return client


def connect(settings: Settings) -> docker.DockerClient:
    """A client for the local engine that has answered."""
    return answering(client_for(settings))


def answers() -> bool:
    """Whether a Docker engine answers on the default socket."""
    try:
        with contextlib.closing(docker.from_env(timeout=5)) as client:
            client.ping()
    except docker.errors.DockerException:
        return False
    return True


def remapped() -> bool:
    """Whether the engine that answers maps containers' uids to a range of its own."""
    with contextlib.closing(docker.from_env(timeout=5)) as client:
        options = client.info().get("SecurityOptions", [])
    return any("userns" in option for option in options)


def ensure_engine(settings: Settings, say: Callable[[str], None]) -> None:
    """Leave a running engine alone; otherwise install (Debian, root) and start dockerd,
    remapping user namespaces if `engine_userns_remap` asks for it."""
    if answers():
        remapping = " (user namespaces remapped)" if remapped() else ""
        say(f"Docker engine already answers{remapping}")
        if settings.engine_userns_remap and not remapping:
            say(
                "warning: OOPS_ENGINE_USERNS_REMAP is set, but the running engine does not remap "
                "user namespaces; stop it and run `oops setup` again to start it remapped"
            )
        return
    if not _debian_root():
        raise EngineUnavailable(f"no Docker engine answers: {INSTALL_HINT}")
    if shutil.which("dockerd") is None:
        apt_install(["docker.io"], say)
    _start_dockerd(settings, say)


def _debian_root() -> bool:
    return (
        Path("/etc/debian_version").exists() and os.geteuid() == 0 and bool(shutil.which("apt-get"))
    )


def apt_install(packages: list[str], say: Callable[[str], None]) -> None:
    """Install Debian packages without prompting (CI has no stdin)."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say(f"installing {' '.join(packages)} from Debian's archive")
    # apt-get from PATH with fixed arguments; the package names are the project's own.
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)  # noqa: S607
    subprocess.run(  # noqa: S603
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],  # noqa: S607
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )


def _start_dockerd(settings: Settings, say: Callable[[str], None]) -> None:
    """Start dockerd in the background, logging to a file, and wait until it answers."""
    _remove_stale_pid_file()
    log_dir = Path(settings.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "dockerd.log"
    # "default": dockerd makes the `dockremap` user and its subordinate uid and gid ranges.
    options = ["--userns-remap=default"] if settings.engine_userns_remap else []
    with log_path.open("ab") as log:
        subprocess.Popen(  # noqa: S603 -- fixed arguments
            # dockerd from PATH, where Debian's docker.io puts it.
            ["dockerd", *options],  # noqa: S607
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    say(f"started dockerd{''.join(' ' + option for option in options)} (log: {log_path})")
    deadline = time.monotonic() + READY_TIMEOUT
    while not answers():
        if time.monotonic() > deadline:
            raise EngineUnavailable(
                f"dockerd did not answer within {READY_TIMEOUT:.0f} s; see {log_path}"
            )
        time.sleep(0.5)


def _remove_stale_pid_file() -> None:
    """dockerd refuses to start while a pid file of a dead engine remains."""
    try:
        pid = int(PID_FILE.read_text().strip())
        os.kill(pid, 0)
    except FileNotFoundError:
        return
    except (ValueError, ProcessLookupError):
        PID_FILE.unlink(missing_ok=True)
