"""The languages a sandbox can run: which image, which file, which command."""

from __future__ import annotations

import msgspec

from runners.errors import UnknownLanguage


class Language(msgspec.Struct, frozen=True, kw_only=True):
    """How to run a program of one language inside its sandbox image.

    `base_image` is what the image builds on where a registry answers; `debian_packages` make
    the base from Debian's archive where none does.
    """

    name: str
    image: str
    filename: str
    command: list[str]
    env: dict[str, str] = msgspec.field(default_factory=dict)
    base_image: str = ""
    debian_packages: list[str] = msgspec.field(default_factory=list)


PYTHON = Language(
    name="python",
    image="python",
    filename="main.py",
    command=["python3", "main.py"],
    env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"},
    base_image="python:3.11-alpine",
    debian_packages=["python3-minimal", "python3.11"],
)

LANGUAGES = {language.name: language for language in (PYTHON,)}


def language(name: str) -> Language:
    """The language called `name`, or an error listing the known ones."""
    try:
        return LANGUAGES[name]
    except KeyError:
        known = ", ".join(sorted(LANGUAGES))
        raise UnknownLanguage("language", f"unknown language {name!r}; known: {known}") from None
