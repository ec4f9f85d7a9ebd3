"""Containers created and started ahead of need, so that a run skips the engine's start path.

    take     a run asks for a container of its profile (the image and memory limit, which a
             container fixes at creation) and gets a started one whose supervisor waits for its
             job on stdin, or None, and then makes one cold; either way the profile is kept warm
    refill   background threads create and start containers until the profile holds
             `pool_size` of them, at most `pool_creates` creations at a time
    discard  a used container is removed on a background thread, off the run's critical path
    expire   a container idle for `pool_idle_limit` seconds is replaced: the janitor of any
             process sharing the engine removes sandbox containers older than a run can last
    close    stop refilling, then remove every container held, being made or being removed

A container leaves the pool only through `take`, under the lock, so no container is handed to
two runs; every container serves one run and is destroyed. At most `pool_profiles` profiles
are kept warm, the most recently asked for. With `pool_size` 0 nothing is kept warm and the
pool only removes used containers in the background.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import msgspec

from runners.settings import Settings

REMOVERS = 2
EXPIRY_CHECKS_PER_LIMIT = 4

log = logging.getLogger(__name__)


class Profile(msgspec.Struct, frozen=True):
    """What a container fixes when it is created: its image, memory limit in MiB, pids and CPUs.

    `pids` 0 and `cpus` 0.0 stand for the operator's `pids_limit` and `cpus` settings.
    """

    image: str
    memory_limit: int
    pids: int = 0
    cpus: float = 0.0


class Warm(msgspec.Struct, frozen=True):
    """A started container waiting in the pool, and when it became ready (monotonic)."""

    container: str
    ready_at: float


class Pool:
    """Warm containers per profile; `start` makes one (created and started), `remove` ends one."""

    def __init__(
        self, settings: Settings, start: Callable[[Profile], str], remove: Callable[[str], None]
    ) -> None:
        self.size = settings.pool_size
        self.idle_limit = settings.pool_idle_limit
        self.max_profiles = settings.pool_profiles
        self._start, self._remove = start, remove
        self._lock = threading.Lock()
        self._ready: OrderedDict[Profile, deque[Warm]] = OrderedDict()
        self._making: dict[Profile, int] = {}
        self._closed = threading.Event()
        self._makers = ThreadPoolExecutor(settings.pool_creates, thread_name_prefix="oops-warm")
        self._removers = ThreadPoolExecutor(REMOVERS, thread_name_prefix="oops-remove")
        if self.size > 0:
            threading.Thread(target=self._expire_forever, name="oops-expiry", daemon=True).start()

    def take(self, profile: Profile) -> str | None:
        """A started container of `profile` no one else will get, or None when none is ready."""
        with self._lock:
            if self._closed.is_set() or self.size == 0:
                return None
            self._want(profile)
            queue = self._ready[profile]
            warm = queue.popleft() if queue else None
            self._refill(profile)
        return None if warm is None else warm.container

    def warm(self, profile: Profile) -> None:
        """Keep `profile` warm from now on, before any run asks for it."""
        with self._lock:
            if not self._closed.is_set() and self.size > 0:
                self._want(profile)
                self._refill(profile)

    def discard(self, container: str) -> None:
        """Remove a used container in the background (at once, after `close`)."""
        try:
            self._removers.submit(self._remove_quietly, container)
        except RuntimeError:  # the removers were shut down by `close`
            self._remove_quietly(container)

    def held(self) -> int:
        """How many started containers wait in the pool now."""
        with self._lock:
            return sum(len(queue) for queue in self._ready.values())

    def close(self) -> None:
        """Stop refilling and remove every container the pool holds; returns when all are gone."""
        with self._lock:
            self._closed.set()
            idle = [warm.container for queue in self._ready.values() for warm in queue]
            self._ready.clear()
        self._makers.shutdown(wait=True, cancel_futures=True)
        for container in idle:
            self.discard(container)
        self._removers.shutdown(wait=True)

    def _want(self, profile: Profile) -> None:
        """Mark `profile` most recently used; forget the least recent beyond `pool_profiles`."""
        self._ready.setdefault(profile, deque())
        self._ready.move_to_end(profile)
        while len(self._ready) > self.max_profiles:
            _, queue = self._ready.popitem(last=False)
            for warm in queue:
                self._removers.submit(self._remove_quietly, warm.container)

    def _refill(self, profile: Profile) -> None:
        """Order enough creations that held and coming containers reach `pool_size`."""
        missing = self.size - len(self._ready[profile]) - self._making.get(profile, 0)
        for _ in range(missing):
            self._making[profile] = self._making.get(profile, 0) + 1
            self._makers.submit(self._make, profile)

    def _make(self, profile: Profile) -> None:
        """Create and start one container; keep it if its profile is still wanted."""
        try:
            container: str | None = self._start(profile)
        except Exception as error:  # the engine or image failed: the pool stays short
            log.warning("could not start a warm container: %s", error)
            container = None
        with self._lock:
            self._making[profile] -= 1
            keep = not self._closed.is_set() and profile in self._ready
            if container is not None and keep:
                self._ready[profile].append(Warm(container, time.monotonic()))
                return
        if container is not None:
            self.discard(container)

    def _expire_forever(self) -> None:
        interval = self.idle_limit / EXPIRY_CHECKS_PER_LIMIT
        while not self._closed.wait(interval):
            self.expire()

    def expire(self) -> None:
        """Replace containers idle longer than `pool_idle_limit` seconds."""
        oldest = time.monotonic() - self.idle_limit
        stale = []
        with self._lock:
            if self._closed.is_set():
                return
            for profile, queue in self._ready.items():
                while queue and queue[0].ready_at < oldest:
                    stale.append(queue.popleft().container)
                self._refill(profile)
        for container in stale:
            self.discard(container)

    def _remove_quietly(self, container: str) -> None:
        try:
            self._remove(container)
        except Exception as error:  # gone already, or the engine is away: the janitor sweeps it
            log.warning("could not remove container %s: %s", container[:12], error)
