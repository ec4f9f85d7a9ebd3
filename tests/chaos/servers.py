"""Throwaway servers the fault tests may kill: Postgres in a temporary folder, a webhook receiver.

Postgres runs from the machine's binaries (`initdb`, `pg_ctl`) on a free port with trust auth,
as the `postgres` user when the tests run as root (Postgres refuses to run as root); its folder
is removed afterwards. The receiver can be taken down and brought back on the same port.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.gateway.stack import free_port

POSTGRES_USER = "postgres"
QUEUE_CAP = 150
"""Queued cases and runs past which the chaos stack refuses new work (a batch queues 100)."""
FIGURES: dict[str, Any] = {}
"""What the chaos tests measured, written to chaos-figures.json when the stack stops."""


def _pg_binary(name: str) -> str:
    """A Postgres server binary: on PATH, or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package")
    return str(candidates[-1])


class PrivatePostgres:
    """A Postgres cluster of its own on 127.0.0.1:`port`, started and stopped by `pg_ctl`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="oops-chaos-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.as_root = os.geteuid() == 0

    @property
    def url(self) -> str:
        """The server's URL, without a database name."""
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def create(self) -> None:
        """Make the cluster (trust auth, no fsync: the data is thrown away) and start it."""
        if self.as_root:
            shutil.chown(self.folder, user=POSTGRES_USER)
        self._run(
            [_pg_binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-N"]
        )
        self.start()

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off"
        pg_ctl = [_pg_binary("pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        self._run([*pg_ctl, "-o", options, "-w", "-t", "60", "start"])

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` ends sessions cleanly, `immediate` is a crash."""
        self._run([_pg_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def peak_memory_kib(self) -> dict[str, int]:
        """The peak resident memory (VmHWM) of the postmaster and of its largest live child."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = [_peak_kib(pid) for pid in _children(postmaster)]
        return {
            f"postgres:{postmaster}": _peak_kib(postmaster),
            "postgres-largest-backend": max(children, default=0),
        }

    def destroy(self) -> None:
        """Stop the server if it runs, and remove its folder."""
        subprocess.run(
            self._as_owner([_pg_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, argv: Sequence[str]) -> None:
        done = subprocess.run(self._as_owner(argv), capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{argv[0]} failed: {done.stdout}{done.stderr}"

    def _as_owner(self, argv: Sequence[str]) -> list[str]:
        return ["runuser", "-u", POSTGRES_USER, "--", *argv] if self.as_root else list(argv)


def _peak_kib(pid: int) -> int:
    """A process's peak resident set (VmHWM) in KiB, 0 when it is gone."""
    with contextlib.suppress(OSError, StopIteration):
        status = Path(f"/proc/{pid}/status").read_text()
        return int(next(x for x in status.splitlines() if x.startswith("VmHWM:")).split()[1])
    return 0


def _children(parent: int) -> list[int]:
    """Live processes whose parent is `parent`."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            if int(entry.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.parent.name))
    return found
