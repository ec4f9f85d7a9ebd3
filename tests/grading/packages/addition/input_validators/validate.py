"""Input validator: one line with two integers in [-10^9, 10^9]; exits 42 when valid."""

import re
import sys

LINE = re.compile(r"(-?\d+) (-?\d+)\n")

match = LINE.fullmatch(sys.stdin.read())
valid = match is not None and all(abs(int(x)) <= 10**9 for x in match.groups())
sys.exit(42 if valid else 43)
