"""`/v1/languages`: what a `language` field may name, with the versions the images run."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get

from gateway.api.auth import allow
from runners.catalogue import LanguageView, available


class Languages(msgspec.Struct, frozen=True, kw_only=True):
    """Every language OopsEngine runs."""

    languages: list[LanguageView]


@get("/languages", guards=[allow("instructor", "student")])
async def read_languages(request: Request[Any, Any, Any]) -> Languages:
    """Every language: id, title, file extensions, whether it compiles, and its version.

    `version` is what the image was built with, and null where no image has been built.
    """
    return Languages(languages=await available(request.app.state.backend))
