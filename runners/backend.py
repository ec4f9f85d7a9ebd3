"""What a process connects to, built once at start-up from the settings and handed around.

    backend = Backend.build(settings())   # engine, broker and Redis made; nothing connected
    await backend.open()                  # Postgres pool started (or SQLite tables made), queue up
    ...                                   # serve requests, run tasks, reconcile
    await backend.close()

One Redis connection pool serves the queue, heartbeats and metrics: the broker's. The Docker
client is made on first use, since only processes that run containers need one. Tasks reach the
backend of their process through `current()`: taskiq calls them, not our code.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import docker
from redis.asyncio import Redis
from taskiq import AsyncBroker, async_shared_broker

from runners.queue.broker import StreamBroker, build_broker
from runners.sandbox.engine import client_for
from runners.settings import Settings
from runners.store.database import AnyEngine, bind, close_storage, engine_for, open_storage

_current: list[Backend] = []


class Backend:
    """The database engine, the task broker, Redis (served mode) and the Docker client."""

    def __init__(self, settings: Settings, db: AnyEngine, broker: AsyncBroker) -> None:
        self.settings = settings
        self.db = db
        self.broker = broker
        self.redis = (
            Redis(connection_pool=broker.connection_pool)
            if isinstance(broker, StreamBroker)
            else None
        )
        self._docker: docker.DockerClient | None = None

    @classmethod
    def build(cls, settings: Settings) -> Backend:
        """The backend these settings describe, made this process's current one."""
        backend = cls(settings, engine_for(settings), build_broker(settings))
        backend.activate()
        return backend

    def activate(self) -> None:
        """Make this the process's backend: the tables' engine, the tasks' broker, `current()`."""
        bind(self.db)
        async_shared_broker.default_broker(self.broker)
        _current[:] = [self]

    def docker_client(self) -> docker.DockerClient:
        """The Docker client, made on first use (blocking); EngineUnavailable when none answers."""
        if self._docker is None:
            self._docker = client_for(self.settings)
        return self._docker

    async def open(self) -> None:
        """Start the database pool (or create the embedded tables) and the broker."""
        await open_storage(self.db, self.settings.database_connections)
        if not self.broker.is_worker_process:
            await self.broker.startup()

    async def close(self) -> None:
        """Stop the broker, the database pool and the Docker client."""
        if self.redis is not None:
            await self.redis.aclose()
        if not self.broker.is_worker_process:
            await self.broker.shutdown()
        await close_storage(self.db)
        if self._docker is not None:
            self._docker.close()
            self._docker = None


@contextlib.asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Backend]:
    """A backend built and opened for the length of a command, and closed after."""
    backend = Backend.build(settings)
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()


def current() -> Backend:
    """This process's backend, as `Backend.build` made it."""
    if not _current:
        raise RuntimeError("no backend: call runners.backend.Backend.build(settings) at start-up")
    return _current[0]
