"""Every `oops` subcommand names a handler that exists. The names are strings imported only when
the subcommand runs (`gateway/cli/main.py`), so a moved or renamed function would otherwise
fail only in the hands of whoever runs that subcommand first."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from gateway.cli.main import handler, parser


def subcommands(
    command: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every subcommand under `command` that takes no further subcommand: its words
    (`keys create`) and its parser."""
    groups = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield " ".join(words), command
    for group in groups:
        for name, sub in group.choices.items():
            yield from subcommands(sub, (*words, name))


SUBCOMMANDS = dict(subcommands(parser()))


def test_the_walk_finds_top_level_and_nested_subcommands() -> None:
    assert {"run", "grade", "serve", "keys create", "courses quota"} <= SUBCOMMANDS.keys()


@pytest.mark.parametrize(
    "command", [pytest.param(parsed, id=words) for words, parsed in SUBCOMMANDS.items()]
)
def test_every_subcommand_names_a_handler_that_imports_and_can_be_called(
    command: argparse.ArgumentParser,
) -> None:
    spec = command.get_default("handler")
    assert isinstance(spec, str), f"`{command.prog}` names no handler"
    assert callable(handler(spec)), f"`{command.prog}`'s handler {spec} is not a function"
