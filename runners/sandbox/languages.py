"""The languages a sandbox can run: which image, which file, which command."""

from __future__ import annotations

import msgspec

from runners.errors import UnknownLanguage


class Language(msgspec.Struct, frozen=True, kw_only=True):
    """How to run a program of one language inside its sandbox image.

    `compile`, when given, runs in the same container before the program, within
    `compile_time_limit` seconds; if it fails, the program does not run and the run is a
    `compile_error` whose stderr is what the compiler said. `base_image` is what the image
    builds on where a registry answers; `debian_packages` make the base from Debian's archive
    where none does.
    """

    name: str
    image: str
    filename: str
    command: list[str]
    env: dict[str, str] = msgspec.field(default_factory=dict)
    compile: list[str] = msgspec.field(default_factory=list)
    compile_time_limit: float = 10.0
    base_image: str = ""
    debian_packages: list[str] = msgspec.field(default_factory=list)


PYTHON_SYNTAX_CHECK = """\
import sys, traceback
try:
    with open(sys.argv[1], "rb") as source:
        compile(source.read(), sys.argv[1], "exec", dont_inherit=True)
except (SyntaxError, ValueError) as error:
    sys.stderr.write("".join(traceback.format_exception_only(error)))
    sys.exit(1)
"""
"""Python's compile step, as Kattis has it: a syntax error is a compile error, not a crash."""

PYTHON = Language(
    name="python",
    image="python",
    filename="main.py",
    command=["python3", "main.py"],
    compile=["python3", "-I", "-S", "-c", PYTHON_SYNTAX_CHECK, "main.py"],
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
