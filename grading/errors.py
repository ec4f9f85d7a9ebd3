"""Errors the grading package raises, each with a message that says what to fix.

GradingError
 ├── SuiteError          an invalid suite document: the message names the field to fix
 │    └── PackageError   an invalid package (a Kattis problem, a Gradescope autograder zip):
 │                       the message names the file
 └── ReportError         a test report (JUnit XML, a Gradescope results.json) that cannot be
                         read: malformed, hostile or too big; the message names the field
"""

from __future__ import annotations


class GradingError(Exception):
    """Base of every error raised by `grading`, so callers can catch the package's errors."""


class SuiteError(GradingError):
    """A suite document or its contents is invalid, e.g. `cases[2].points: expected a number`."""


class PackageError(SuiteError):
    """A package (a Kattis problem, a Gradescope autograder zip) cannot be turned into a suite."""


class ReportError(GradingError):
    """A test report (JUnit XML, a Gradescope results.json) is malformed, too big, or declares
    what a report never needs, e.g. `tests[3].score: expected a number, got a string`."""
