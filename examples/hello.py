"""Greets whoever is named on stdin, the way a first assignment would."""

import sys

name = sys.stdin.read().strip() or "world"
print(f"Hello, {name}!")
