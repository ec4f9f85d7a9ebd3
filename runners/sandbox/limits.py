"""Per-run limits, checked against the operator's maxima."""

from __future__ import annotations

import msgspec

from runners.errors import InputTooLarge, LimitError, UnknownLanguage
from runners.sandbox.languages import language
from runners.settings import Settings


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """What one run may use: wall-clock seconds, MiB of memory, bytes of output per stream."""

    time_limit: float
    memory_limit: int
    output_limit: int


def resolve_limits(
    settings: Settings,
    time_limit: float | None = None,
    memory_limit: int | None = None,
    output_limit: int | None = None,
) -> Limits:
    """Fill unset limits from the defaults and refuse any outside (0, maximum]."""
    return Limits(
        time_limit=_bounded("time_limit", time_limit, settings.time_limit, settings.max_time_limit),
        memory_limit=int(
            _bounded("memory_limit", memory_limit, settings.memory_limit, settings.max_memory_limit)
        ),
        output_limit=int(
            _bounded("output_limit", output_limit, settings.output_limit, settings.max_output_limit)
        ),
    )


def _bounded(field: str, value: float | None, default: float, maximum: float) -> float:
    if value is None:
        return default
    if value <= 0:
        raise LimitError(field, f"must be greater than 0, got {value}")
    if value > maximum:
        raise LimitError(field, f"{value} is above this server's maximum of {maximum}")
    return value


def check_program(config: Settings, code: str, language_name: str, prefix: str = "") -> None:
    """Refuse code over the size limit or in a language there is no sandbox for.

    `prefix` locates the program in a larger request, as in `submissions[3].`.
    """
    size = len(code.encode())
    if size > config.max_code_bytes:
        limit = config.max_code_bytes
        raise InputTooLarge(
            f"{prefix}code", f"{size} bytes is above this server's maximum of {limit}"
        )
    try:
        language(language_name)
    except UnknownLanguage as error:
        raise UnknownLanguage(f"{prefix}language", str(error).removeprefix("language: ")) from None


def check_stdin(config: Settings, stdin: bytes) -> None:
    """Refuse standard input over the size limit."""
    if len(stdin) > config.max_stdin_bytes:
        limit = config.max_stdin_bytes
        raise InputTooLarge(
            "stdin", f"{len(stdin)} bytes is above this server's maximum of {limit}"
        )
