"""The catalogue of languages OopsEngine runs, as `GET /v1/languages` and `oops languages` show.

Versions come from the images, where `oops setup` wrote them as labels when it built them.
A process with an engine reads the labels once; a gateway without one reads what the workers
published in Redis (each worker publishes its images' versions when it sweeps).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import anyio
import docker
import msgspec
from redis.asyncio import Redis

from runners.backend import Backend
from runners.sandbox.build import versions
from runners.sandbox.languages import LANGUAGES
from runners.settings import Settings

VERSIONS_KEY = "oopsengine:languages"


class LanguageView(msgspec.Struct, frozen=True, kw_only=True):
    """One language: its id (what `language` fields take), name, extensions and version.

    `version` is None when no image for it has been built (`oops setup --languages ID`).
    """

    id: str
    title: str
    extensions: list[str]
    compiled: bool
    version: str | None


def entries(found: Mapping[str, str]) -> list[LanguageView]:
    """Every language of the table, with the version `found` says, in id order."""
    return [
        LanguageView(
            id=lang.name,
            title=lang.title,
            extensions=list(lang.extensions),
            compiled=lang.compiled,
            version=found.get(lang.name),
        )
        for lang in sorted(LANGUAGES.values(), key=lambda lang: lang.name)
    ]


@cache
def local_versions(settings: Settings) -> dict[str, str]:
    """The versions on this machine's engine, read once; empty when no engine answers."""
    try:
        client = docker.from_env(timeout=10)
        try:
            return versions(client, settings)
        finally:
            client.close()
    except docker.errors.DockerException:
        return {}


def list_languages(settings: Settings) -> list[LanguageView]:
    """The languages with the versions of this machine's images."""
    return entries(local_versions(settings))


async def available(backend: Backend) -> list[LanguageView]:
    """The languages with their versions: the workers' (served) or this process's (embedded)."""
    if backend.redis is not None:
        return entries(await published_versions(backend.redis))
    return await anyio.to_thread.run_sync(list_languages, backend.settings)


async def publish_versions(redis: Redis, found: Mapping[str, str]) -> None:
    """Tell gateways which versions this worker's images run."""
    for name, version in found.items():
        await redis.hset(VERSIONS_KEY, name, version)


async def published_versions(redis: Redis) -> dict[str, str]:
    """The versions workers published."""
    raw = await redis.hgetall(VERSIONS_KEY)
    return {_text(key): _text(value) for key, value in raw.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
