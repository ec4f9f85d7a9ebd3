"""What a failed assertion says it expected and got, read from a framework's message.

Each framework words a failed equality its own way:

- pytest: `assert 3 == 4` (the left side is what the code under test returned, by the
  `assert result == expected` convention);
- JUnit 5 (and AssertJ, opentest4j): `expected: <4> but was: <3>`;
- node:assert: `Expected values to be strictly equal:` then `3 !== 4` (actual first);
- GoogleTest: `Expected equality of these values:` then each operand, its value after
  `Which is:` when the operand is an expression (the first operand taken as actual, as in
  googletest's primer, `EXPECT_EQ(Factorial(1), 1)`).

From these a short unified diff is drawn, bounded, so a student sees where two long values
differ. Messages come from runs of untrusted code, so only their head is searched.
"""

from __future__ import annotations

import re

from grading.feedback import unified_diff

DIFF_CHARS = 1500
SEARCHED_CHARS = 4000

_JUNIT = re.compile(r"expected: <(.*?)> but was: <(.*)>", re.DOTALL)
_PYTEST = re.compile(r"^(?:E\s+)?(?:AssertionError: )?assert (.+) == (.+)$", re.MULTILINE)
_NODE = re.compile(r"Expected values to be (?:strictly |loosely )?equal:\n\n(.+) !== (.+)$", re.M)
_GTEST = re.compile(r"Expected equality of these values:\n((?:  .*\n?)+)")


def expected_and_actual(message: str) -> tuple[str, str] | None:
    """The expected and the actual value a failed equality names, when a framework says so."""
    head = message[:SEARCHED_CHARS]
    if found := _JUNIT.search(head):
        return found[1], found[2]
    if found := _PYTEST.search(head):
        return found[2], found[1]
    if found := _NODE.search(head):
        return found[2], found[1]
    if found := _GTEST.search(head):
        return _gtest_operands(found[1])
    return None


def assertion_diff(message: str) -> str | None:
    """A bounded unified diff from the expected to the actual value, if the message has both."""
    pair = expected_and_actual(message)
    if pair is None:
        return None
    return unified_diff(pair[0], pair[1], DIFF_CHARS) or None


def _gtest_operands(block: str) -> tuple[str, str] | None:
    """GoogleTest's two operands: each an expression, then its value if it is not a literal."""
    values: list[str] = []
    for line in block.splitlines():
        if line.startswith("    Which is: ") and values:
            values[-1] = line.removeprefix("    Which is: ")
        elif line.startswith("  ") and not line.startswith("   "):
            values.append(line[2:])
    if len(values) != 2:
        return None
    return values[1], values[0]
