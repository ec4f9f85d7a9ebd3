"""`oops languages`: the languages this machine runs, with the versions its images hold."""

from __future__ import annotations

import argparse
import sys

import msgspec

from runners.catalogue import list_languages
from runners.settings import settings


def languages_command(args: argparse.Namespace) -> int:
    """List every language: id, extensions, version (from its image) and title."""
    listed = list_languages(settings())
    if args.json:
        sys.stdout.write(msgspec.json.encode({"languages": listed}).decode() + "\n")
        return 0
    for lang in listed:
        extensions = " ".join(lang.extensions)
        version = lang.version or "(image not built: run `oops setup`)"
        print(f"{lang.id:<12}{extensions:<26}{version:<24}{lang.title}")
    return 0
