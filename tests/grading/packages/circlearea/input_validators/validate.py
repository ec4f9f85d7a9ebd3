"""Input validator: one line with a number r, 0 <= r <= 1000; exits 42 when valid."""

import sys

try:
    radius = float(sys.stdin.read())
except ValueError:
    sys.exit(43)
sys.exit(42 if 0 <= radius <= 1000 else 43)
