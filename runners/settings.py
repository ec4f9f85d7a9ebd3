"""Every setting OopsEngine reads from the environment, in one place, read once and typed.

Variables are named `OOPS_<FIELD>` in upper case (`OOPS_MAX_TIME_LIMIT=10`). Defaults are the
product's promise: 3 s of wall clock, 512 MiB without swap, half a CPU, no network.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import msgspec

MEMORY_SHARE = 0.75
"""Of the machine's memory, the part sandboxes may fill when concurrency is derived."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Operator configuration. Per-run limits may be lowered or raised up to the `max_*` fields.

    `concurrency` is how many sandboxes one process runs at once; unless set, it is derived from
    the machine's cores and memory (`machine_concurrency`). A claimed case whose worker
    has not recorded it within `case_lease` seconds is handed to another, up to `max_attempts`
    times; then it is recorded as an internal error. Sooner than that, a worker whose heartbeat
    (renewed every `heartbeat_every` seconds, expiring after `worker_timeout`) has been missing
    for half of `worker_timeout` is dead, and its cases go back on the queue at once. A case
    whose sandbox or database failed under it is tried again `retry_delay` seconds later,
    without counting as an attempt. Once `max_queue_depth` cases and runs are queued (0: no
    cap), new work is refused until the queue drains. The embedded database lives in `data_dir`;
    `database_url` (Postgres) and `redis_url` select the served back end. Each process opens
    at most `database_connections` connections to Postgres: gateway and worker processes
    together must stay under the server's `max_connections` (100 by default).

    `rate_limit` is how many requests one API key may make a minute, and `auth_failure_limit`
    how many requests without a valid key one client address may make. The gateway keeps an
    idle HTTP connection open `keep_alive` seconds: longer than clients and load balancers keep
    theirs (httpx 5 s, most balancers 60 s), so the client always closes first and never sends
    a request on a connection the gateway is closing. Webhooks go only to public addresses
    unless `allow_private_callbacks` is set; `webhook_backoff_scale` stretches or shrinks their
    retry schedule (5 s, 30 s, 2 min ... 8 h). `secret_key` signs the web pages' CSRF tokens;
    every gateway process behind one address needs the same (`oops serve` makes one for the
    processes it starts when none is set). A compiled program may be at most
    `max_artefact_bytes` (it is recorded with its submission and sent into every run);
    compiling gets `compile_cpus` CPUs, more than a run's, since a compile's time is not the
    student's.

    The warm pool (`runners.sandbox.pool`) keeps `pool_size` started containers for each of the
    `pool_profiles` most recent profiles (image, memory, pids and CPU limits), creates at most
    `pool_creates` at a time, and replaces one idle for `pool_idle_limit` seconds (under the
    janitor's age limit); `pool_size` 0 turns it off.

    `engine_userns_remap` has `oops setup` start the Docker engine it starts itself with
    user-namespace remapping (`dockerd --userns-remap=default`): a uid inside a container is
    then an unprivileged one on the host. An engine already running is left as it is.
    """

    time_limit: float = 3.0
    memory_limit: int = 512
    cpus: float = 0.5
    compile_cpus: float = 1.0
    output_limit: int = 1024 * 1024
    max_time_limit: float = 30.0
    max_memory_limit: int = 2048
    max_output_limit: int = 16 * 1024 * 1024
    pids_limit: int = 64
    open_files: int = 256
    disk_limit: int = 64
    disk_inodes: int = 4096
    max_code_bytes: int = 512 * 1024
    max_artefact_bytes: int = 8 * 1024 * 1024
    max_stdin_bytes: int = 16 * 1024 * 1024
    max_concurrent_creates: int = 4
    pool_size: int = 4
    pool_creates: int = 2
    pool_idle_limit: float = 60.0
    pool_profiles: int = 4
    concurrency: int = 4
    case_lease: float = 120.0
    max_attempts: int = 3
    heartbeat_every: float = 1.0
    worker_timeout: float = 5.0
    retry_delay: float = 5.0
    requeue_after: float = 300.0
    reconcile_every: float = 2.0
    sweep_every: float = 60.0
    max_queue_depth: int = 0
    rate_limit: int = 600
    auth_failure_limit: int = 120
    keep_alive: int = 75
    allow_private_callbacks: bool = False
    webhook_backoff_scale: float = 1.0
    secret_key: str = ""
    image_prefix: str = "oopsengine"
    data_dir: str = str(Path.home() / ".local" / "share" / "oopsengine")
    database_url: str = ""
    database_connections: int = 10
    redis_url: str = ""
    log_dir: str = "/var/log/oopsengine"
    engine_userns_remap: bool = False

    @property
    def embedded(self) -> bool:
        """Whether this process keeps its records in SQLite and its queue in-process."""
        return not self.database_url

    @property
    def sqlite_path(self) -> Path:
        """The embedded database file."""
        return Path(self.data_dir) / "oops.sqlite"


class SettingsError(ValueError):
    """An `OOPS_*` variable holds a value of the wrong type."""


def from_environment(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from `OOPS_*` variables, converting each to its field's type."""
    environ = dict(os.environ) if environ is None else environ
    raw = {
        field: environ[f"OOPS_{field.upper()}"]
        for field in Settings.__struct_fields__
        if f"OOPS_{field.upper()}" in environ
    }
    try:
        read = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(f"invalid OOPS_* setting: {error}") from error
    if "concurrency" in raw:
        return read
    return msgspec.structs.replace(read, concurrency=machine_concurrency(read))


def machine_concurrency(config: Settings) -> int:
    """Sandboxes one process runs at once unless told: what the cores and memory hold.

    Each sandbox may use `cpus` cores and `memory_limit` MiB; count the cores this process may
    run on, and leave a quarter of the memory to the engine, the database and the system.
    """
    cores = len(os.sched_getaffinity(0))
    memory_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    by_cores = int(cores / config.cpus)
    by_memory = int(memory_mib * MEMORY_SHARE) // config.memory_limit
    return max(1, min(by_cores, by_memory))


@cache
def settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return from_environment()
