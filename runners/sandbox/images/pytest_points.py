"""pytest's side of a unit-test suite: points, groups, visibility and partial credit per test.

Baked into the Python image and loaded with `-p pytest_points`. What a test declares travels
as the test's `<properties>` in the JUnit XML report, the one channel every framework has
(pytest writes a test's `user_properties` there), and the suite document may override it:

    @pytest.mark.points(2)            the test is worth 2 points (1 by default)
    @pytest.mark.group("edge cases")  it counts in the suite's group of that name
    @pytest.mark.hidden               students see neither it nor its message
    def test_sorts(partial_credit):   when it passes, earns what `partial_credit.set(1.5)`
        ...                           said, up to its points (all of them if it said nothing)

Markers on a class or module apply to each test in it, as pytest's markers do.
"""

from __future__ import annotations

from typing import Any

import pytest

MARKERS = (
    "points(n): the test is worth n points (1 by default)",
    "group(name): the suite group whose scoring the test counts in",
    "hidden: students see neither the test nor its message",
)


def pytest_configure(config: Any) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: Any) -> None:
    """Record what the test's markers declare before it runs, so a crash keeps them."""
    points = item.get_closest_marker("points")
    if points is not None and points.args:
        item.user_properties.append(("points", repr(float(points.args[0]))))
    group = item.get_closest_marker("group")
    if group is not None and group.args:
        item.user_properties.append(("group", str(group.args[0])))
    if item.get_closest_marker("hidden") is not None:
        item.user_properties.append(("visibility", "hidden"))


class PartialCredit:
    """What a test earns when it gives partial credit: `set(points)` says how much."""

    def __init__(self, item: Any) -> None:
        self._item = item

    def set(self, points: float) -> None:
        earned = [(key, value) for key, value in self._item.user_properties if key != "score"]
        self._item.user_properties[:] = [*earned, ("score", repr(float(points)))]


@pytest.fixture
def partial_credit(request: Any) -> PartialCredit:
    """Partial credit for this test: `partial_credit.set(points)` says what it earns."""
    return PartialCredit(request.node)
