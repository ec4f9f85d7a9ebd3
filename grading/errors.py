"""Errors the grading package raises, each with a message that says what to fix.

GradingError
 ├── SuiteError          an invalid suite document: the message names the field to fix
 │    └── PackageError   an invalid Kattis problem package: the message names the file
 └── ReportError         a test report that cannot be read: malformed, hostile or too big
"""

from __future__ import annotations


class GradingError(Exception):
    """Base of every error raised by `grading`, so callers can catch the package's errors."""


class SuiteError(GradingError):
    """A suite document or its contents is invalid, e.g. `cases[2].points: expected a number`."""


class PackageError(SuiteError):
    """A Kattis problem package cannot be turned into a suite."""


class ReportError(GradingError):
    """A JUnit XML test report is malformed, too big, or declares what a report never needs."""
