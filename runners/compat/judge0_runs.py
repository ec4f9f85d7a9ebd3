"""Judge0 submissions as OopsEngine runs: accepted through the one intake, called back as Judge0.

A Judge0 submission is a run whose `api` is `judge0`: the same row, queue and sandbox as a
`/v1/runs` run. Only its two ends differ: the request is checked as Judge0 checks it, and its
callback is Judge0's (an unsigned PUT of the submission, base64-encoded, default fields).
"""

from __future__ import annotations

import uuid

from runners import webhooks
from runners.access.owners import Owned
from runners.access.scope import Scope
from runners.compat import judge0
from runners.intake import submit_run
from runners.runs import Api, StoredRun
from runners.settings import Settings

API: Api = "judge0"


async def submit(
    config: Settings,
    requests: list[judge0.SubmissionRequest],
    encoded: bool,
    owner: str | None,
    scope: Scope,
) -> list[uuid.UUID]:
    """Judge0 submissions, one run each: all checked first, so a bad one records nothing."""
    accepted = judge0.accept(config, requests, encoded)
    return [
        await submit_run(config, item.spec, owner, scope, item.callback_url, api=API)
        for item in accepted
    ]


async def callback(stored: StoredRun, owned: Owned) -> uuid.UUID | None:
    """Judge0's callback: a PUT of the submission, base64-encoded, with its default fields."""
    if owned.callback_url is None or owned.owner is None:
        return None
    return await webhooks.enqueue(
        str(stored.view.id),
        "judge0.submission",
        owned.callback_url,
        judge0.render(stored, judge0.DEFAULT_FIELDS, encoded=True),
        uuid.UUID(owned.owner),
        owned.course,
        method="PUT",
        bare=True,
    )
