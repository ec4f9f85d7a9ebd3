"""`/v1/languages`: what a `language` field may name, with the versions the images run."""

from __future__ import annotations

from typing import Any

import anyio
import msgspec
from litestar import Request, get

from gateway.api.auth import allow
from runners.languages import LanguageView, list_languages, published_versions, views
from runners.settings import settings


class Languages(msgspec.Struct, frozen=True, kw_only=True):
    """Every language OopsEngine runs."""

    languages: list[LanguageView]


@get("/languages", guards=[allow("instructor", "student")])
async def read_languages(request: Request[Any, Any, Any]) -> Languages:
    """Every language: id, title, file extensions, whether it compiles, and its version.

    Served, the versions are those the workers published; embedded, this process's engine's.
    """
    redis = request.app.state.redis
    if redis is not None:
        return Languages(languages=views(await published_versions(redis)))
    listed = await anyio.to_thread.run_sync(list_languages, settings())
    return Languages(languages=listed)
