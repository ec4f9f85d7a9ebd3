"""Input validator: one line with an integer n, 2 <= n <= 10^12; exits 42 when valid."""

import re
import sys

text = sys.stdin.read()
valid = re.fullmatch(r"[1-9]\d*\n", text) is not None and 2 <= int(text) <= 10**12
sys.exit(42 if valid else 43)
