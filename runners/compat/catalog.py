"""Which of our languages other runners' clients know, under which ids, names and versions.

Derived from `runners.sandbox.languages.LANGUAGES`: a language added there appears in the
Judge0 and Piston listings as soon as its name is in `KNOWN` below. Judge0 ids are those of
Judge0 CE 1.13.1 (the release `/about` reports), as the official `judge0` SDK maps them:
`judge0.PYTHON` is 71, `judge0.C` 50, `judge0.CPP` 52 (clients of self-hosted 1.13.1 often
send 54, GCC 9.2.0, so both are listed), `judge0.JAVA` 62 and `judge0.JAVASCRIPT` 63.
"""

from __future__ import annotations

import re

import msgspec

from runners.sandbox import languages
from runners.sandbox.languages import Language


class Known(msgspec.Struct, frozen=True, kw_only=True):
    """How other runners name one language: Judge0 ids and name, Piston name and aliases."""

    title: str
    judge0_ids: tuple[int, ...]
    piston: str
    aliases: tuple[str, ...] = ()
    compiled: bool = False


KNOWN: dict[str, Known] = {
    "python": Known(
        title="Python", judge0_ids=(71,), piston="python", aliases=("py", "py3", "python3")
    ),
    "c": Known(title="C", judge0_ids=(50,), piston="c", aliases=("gcc",), compiled=True),
    "cpp": Known(
        title="C++", judge0_ids=(54, 52), piston="c++", aliases=("cpp", "g++"), compiled=True
    ),
    "java": Known(title="Java", judge0_ids=(62,), piston="java", compiled=True),
    "javascript": Known(
        title="JavaScript", judge0_ids=(63,), piston="javascript", aliases=("js", "node")
    ),
}
"""Keyed by `Language.name`. `compiled` is Piston's sense: a separate `compile` stage."""

_VERSION = re.compile(r"\d+(?:\.\d+)*")


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """One of our languages as the compatibility APIs list it."""

    language: Language
    known: Known
    version: str

    @property
    def judge0_name(self) -> str:
        """Judge0's style of name: `Python (3.11)`."""
        return f"{self.known.title} ({self.version})"


def version_of(language: Language) -> str:
    """The version in the tag of the language's base image (`python:3.11-alpine`: `3.11`)."""
    found = _VERSION.match(languages.IMAGES[language.image].base_image.partition(":")[2])
    return found.group(0) if found else "latest"


def entries() -> list[Entry]:
    """Every language we run that other runners' clients have a name for."""
    return [
        Entry(language=language, known=KNOWN[name], version=version_of(language))
        for name, language in languages.LANGUAGES.items()
        if name in KNOWN
    ]


def by_judge0_id(language_id: int) -> Entry | None:
    """The language listed under Judge0 id `language_id`, if we run it."""
    return next((e for e in entries() if language_id in e.known.judge0_ids), None)


def by_piston_name(name: str) -> Entry | None:
    """The language Piston calls `name` or one of its aliases, if we run it."""
    return next((e for e in entries() if name in (e.known.piston, *e.known.aliases)), None)


def by_name(name: str) -> Entry | None:
    """Our own language `name`, if other runners' clients have a name for it."""
    return next((e for e in entries() if e.language.name == name), None)
