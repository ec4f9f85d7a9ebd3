"""What a student sees of a Gradescope autograder's result, and when (Gradescope's rules,
gradescope/autograder_samples docs/specs.md, "Controlling Test Case Visibility"):

- `visible`: always; `hidden`: never, not even once grades are published;
- `after_due_date`: once the due date has passed. The caller passes the date that applies to
  this student: the late due date when late submissions are allowed, an extension's date if
  the student has one. With no due date it is never reached, so nothing is shown early.
- `after_published`: once the assignment's grades are published.

A test is shown by its own visibility (else the top level's, as `grading/gradescopejudge.py`
resolves it), the top-level `output` by the top-level `visibility`, and the run's standard
output by `stdout_visibility`. A test not shown is left out entirely, name and points too.

As on Gradescope, while any test is not shown the student sees no total (`score` and
`max_score` are None), nor, since it would tell the same secret, the submission's verdict
(None). This is `grading/redact.py`'s rule for I/O cases, with time added.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from grading.gradescope import OutputFormat, ResultVisibility
from grading.gradescopejudge import AutograderResult, GradedTest
from grading.outcome import Verdict


class AutograderView(msgspec.Struct, frozen=True, kw_only=True):
    """An autograder's result as its student sees it now: only the tests shown, and no total
    or verdict while any is withheld. `output` is None while it is withheld."""

    student: str
    verdict: Verdict | None
    score: float | None
    max_score: float | None
    tests: list[GradedTest]
    output: str | None
    output_format: OutputFormat
    stdout_shown: bool


def released(
    visibility: ResultVisibility, due: datetime | None, published: bool, now: datetime
) -> bool:
    """Whether a student may see what has this visibility, at `now` (timezone-aware dates)."""
    if visibility == "after_due_date":
        return due is not None and now > due
    if visibility == "after_published":
        return published
    return visibility == "visible"


def student_view(
    result: AutograderResult, due: datetime | None, published: bool, now: datetime
) -> AutograderView:
    """What the student sees of `result` at `now`, given the due date and publication."""
    shown = [test for test in result.tests if released(test.visibility, due, published, now)]
    complete = len(shown) == len(result.tests)
    return AutograderView(
        student=result.student,
        verdict=result.verdict if complete else None,
        score=result.score if complete else None,
        max_score=result.max_score if complete else None,
        tests=[_unveiled(test) for test in shown],
        output=result.output if released(result.visibility, due, published, now) else None,
        output_format=result.output_format,
        stdout_shown=released(result.stdout_visibility, due, published, now),
    )


def _unveiled(test: GradedTest) -> GradedTest:
    """A released test, its case no longer marked hidden, so nothing downstream redacts it."""
    case = msgspec.structs.replace(test.case, visibility="visible")
    return msgspec.structs.replace(test, case=case)
