"""Gradebooks from recorded results: which submissions count, rendered for an LMS."""

from __future__ import annotations

import uuid

import msgspec

from grading import gradebook
from grading.gradebook import FORMATS, Format, GradebookRow, Policy
from grading.results import SubmissionResult
from runners.access.scope import Scope
from runners.store.states import WorkState
from runners.store.tables import Submission

__all__ = ["FORMATS", "Format", "render", "rows"]


async def rows(assignment_id: uuid.UUID, scope: Scope) -> list[GradebookRow]:
    """Every completed submission of the assignment within the scope, oldest first."""
    found = (
        await Submission.select(Submission.student, Submission.result, Submission.submitted_at)
        .where(
            (Submission.assignment == assignment_id)
            & (Submission.status == WorkState.COMPLETED)
            & scope.in_courses(Submission.course)
            & scope.of_student(Submission.student)
        )
        .order_by(Submission.submitted_at)
    )
    return [
        GradebookRow(
            student=row["student"],
            result=msgspec.json.decode(row["result"], type=SubmissionResult),
            submitted_at=row["submitted_at"].isoformat(),
        )
        for row in found
    ]


def render(fmt: Format, assignment: str, graded: list[GradebookRow], policy: Policy) -> str:
    """The gradebook CSV in `fmt`, one row per student chosen by `policy`."""
    chosen = gradebook.select(graded, policy)
    if fmt == "plain":
        return gradebook.plain(chosen)
    points = max((row.result.max_score for row in chosen), default=0.0)
    if fmt == "canvas":
        return gradebook.canvas(assignment, chosen, points)
    return gradebook.moodle(assignment, chosen, points_possible=points)
