"""Scores: the order cases run in, which to skip, and what a submission earns.

A suite's top-level cases form an implicit group named `main` scored by `sum`, followed by
`suite.groups` in order. Each group is worth `group.points`, or the sum of its cases' points,
and earns:

- `sum`: the points its cases earned (scaled to `group.points` when that is set);
- `min`: its worth times the smallest fraction any case earned;
- `all`: its worth when every case passed, else nothing.

A 0-point case earns fraction 1 when it passed and 0 otherwise. In an `on_reject="break"` group
the cases after the first failure are not run: they earn nothing, are left out of the result and
never decide its verdict, whether or not a runner ran them anyway.

The submission's verdict is that of the first case, in plan order, that did not pass: the Kattis
`first_error` verdict mode, which its default `worst_error` equals under `on_reject: break`.
Kattis `ignore_sample` is expressed by the package as 0-point sample cases (see `kattis.py`).

`score_results` does the same over `ScoredGroup`s, which name their members and their points
only, so a suite of another kind (unit tests, `grading/manifest.py`) scores by the same rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import msgspec

from grading.outcome import Verdict
from grading.results import CaseResult, SubmissionResult
from grading.suite import Case, Group, GroupScoring, Suite

MAIN_GROUP = "main"


class PlannedCase(msgspec.Struct, frozen=True, kw_only=True):
    """One case in the order a submission runs: its group's name and its position."""

    group: str
    case: Case
    index: int


def groups(suite: Suite) -> list[Group]:
    """The suite's groups in run order, the top-level cases first as the `main` group."""
    main = [Group(name=MAIN_GROUP, cases=suite.cases)] if suite.cases else []
    return main + suite.groups


def plan(suite: Suite) -> list[PlannedCase]:
    """Every case of the suite in the order it runs."""
    cases = ((group.name, case) for group in groups(suite) for case in group.cases)
    return [PlannedCase(group=name, case=case, index=i) for i, (name, case) in enumerate(cases)]


def skipped_after_reject(suite: Suite, results: Sequence[CaseResult]) -> set[str]:
    """Names of cases not to run because an earlier case of their `break` group failed."""
    by_name = {result.name: result for result in results}
    skipped: set[str] = set()
    for group in groups(suite):
        if group.on_reject == "break":
            skipped.update(_after_first_failure(group, by_name))
    return skipped


def _after_first_failure(group: Group, by_name: Mapping[str, CaseResult]) -> Iterator[str]:
    """Names of the group's cases that come after its first failed case."""
    failed = False
    for case in group.cases:
        if failed:
            yield case.name
        result = by_name.get(case.name)
        failed = failed or (result is not None and result.verdict != Verdict.PASSED)


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """One scored member of a group: a case or a test, by its name, and what it is worth."""

    name: str
    points: float


class ScoredGroup(msgspec.Struct, frozen=True, kw_only=True):
    """A group as scoring sees it: its members in order, its scoring mode and its worth."""

    name: str
    members: list[Member]
    scoring: GroupScoring = "sum"
    points: float | None = None


def score_submission(suite: Suite, student: str, results: Sequence[CaseResult]) -> SubmissionResult:
    """Score one submission's judged cases against the suite."""
    skipped = skipped_after_reject(suite, results)
    return score_results(
        [_scored(group) for group in groups(suite)],
        student,
        [result for result in results if result.name not in skipped],
    )


def _scored(group: Group) -> ScoredGroup:
    """A suite's group as scoring sees it."""
    members = [Member(name=case.name, points=case.points) for case in group.cases]
    return ScoredGroup(name=group.name, members=members, scoring=group.scoring, points=group.points)


def score_results(
    scored: Sequence[ScoredGroup], student: str, results: Sequence[CaseResult]
) -> SubmissionResult:
    """Score judged results against groups; results of no member are left out."""
    by_name = {r.name: r for r in results}
    ran = [by_name[m.name] for group in scored for m in group.members if m.name in by_name]
    score = sum(_group_score(group, by_name) for group in scored)
    max_score = sum(group_points(group) for group in scored)
    failed = next((r.verdict for r in ran if r.verdict != Verdict.PASSED), Verdict.PASSED)
    return SubmissionResult(
        student=student,
        verdict=failed,
        score=round(min(max(score, 0.0), max_score), 6),
        max_score=round(max_score, 6),
        cases=ran,
    )


def group_points(group: Group | ScoredGroup) -> float:
    """What a group is worth: its `points`, or the sum of its cases' points."""
    if group.points is not None:
        return group.points
    members = group.cases if isinstance(group, Group) else group.members
    return sum(member.points for member in members)


def _group_score(group: ScoredGroup, by_name: Mapping[str, CaseResult]) -> float:
    """What the group earned under its scoring mode."""
    fractions = [_fraction(member, by_name.get(member.name)) for member in group.members]
    if not fractions:
        return 0.0
    worth = group_points(group)
    if group.scoring == "min":
        return worth * min(fractions)
    if group.scoring == "all":
        return worth if all(_passed(member, by_name) for member in group.members) else 0.0
    earned = sum(f * member.points for f, member in zip(fractions, group.members, strict=True))
    if group.points is None:
        return earned
    total = sum(member.points for member in group.members)
    return worth * (earned / total if total > 0 else sum(fractions) / len(fractions))


def _passed(member: Member, by_name: Mapping[str, CaseResult]) -> bool:
    """Whether the member ran and passed."""
    result = by_name.get(member.name)
    return result is not None and result.verdict == Verdict.PASSED


def _fraction(member: Member, result: CaseResult | None) -> float:
    """The share of its points a member earned, in [0, 1]; a missing result earns nothing."""
    if result is None:
        return 0.0
    if member.points <= 0:
        return 1.0 if result.verdict == Verdict.PASSED else 0.0
    return min(max(result.points / member.points, 0.0), 1.0)
