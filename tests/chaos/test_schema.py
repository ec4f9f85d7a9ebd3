"""The running gateway fuzzed from its own OpenAPI document with schemathesis: `make chaos`.

Every operation of the published schema gets generated requests (bounded: MAX_EXAMPLES each),
sent with an admin key over HTTP to the chaos stack; no answer may be a server error, break the
schema the gateway itself publishes, or come with a content type it does not document. Bodies
a client should not send (oversized, truncated, not UTF-8, nested past reason) are sent by
hand as well, and each must come back as a problem detail.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.chaos.servers import FIGURES
from tests.gateway.stack import Stack

pytestmark = [pytest.mark.chaos, pytest.mark.services]

MAX_EXAMPLES = 25
REQUEST_TIMEOUT_S = 60


@schemathesis.check
def no_server_error_but_a_full_queue(ctx: Any, response: Any, case: Any) -> bool | None:
    """Like not_a_server_error, except the queue cap's 503 with Retry-After: that one is meant."""
    if response.status_code == 503 and "retry-after" in {k.lower() for k in response.headers}:
        return True
    return not_a_server_error(ctx, response, case)


CHECKS = [no_server_error_but_a_full_queue, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="session")
def admin(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.key('admin')['key']}"}


def test_no_generated_request_gets_a_server_error_or_breaks_the_schema(
    stack: Stack, admin: dict[str, str]
) -> None:
    """Every operation, MAX_EXAMPLES generated requests each; all failures listed at the end."""
    schema = schemathesis.openapi.from_url(f"{stack.url}/schema/openapi.json")
    failures: list[str] = []
    sent = 0
    for found in schema.get_all_operations():
        if isinstance(found, Err):  # an operation the schema describes wrongly
            raise found.err()
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            nonlocal sent
            sent += 1
            case.call_and_validate(headers=admin, checks=CHECKS, timeout=REQUEST_TIMEOUT_S)

        try:
            call()
        except Exception as error:  # each operation's failure is reported, then the next runs
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    FIGURES["schemathesis"] = {"requests": sent, "failures": len(failures)}
    assert not failures, "\n\n".join(failures)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD_BODIES = [
    pytest.param(b'{"code": "print(1)"', "application/json", 400, id="truncated-json"),
    pytest.param(b'{"code": "\xff\xfe"}', "application/json", 400, id="not-utf-8"),
    pytest.param(nested(100_000).encode(), "application/json", 400, id="nested-100000-deep"),
    pytest.param(
        b'{"code": "' + b"x" * (40 * 1024 * 1024) + b'"}', "application/json", 413, id="oversized"
    ),
    pytest.param(b"code=print(1)", "application/x-www-form-urlencoded", 400, id="form-not-json"),
    pytest.param(b"", "application/json", 400, id="empty"),
]


@pytest.mark.parametrize(("body", "content_type", "status"), BAD_BODIES)
def test_a_bad_body_gets_a_problem_detail(
    stack: Stack, admin: dict[str, str], body: bytes, content_type: str, status: int
) -> None:
    headers = {**admin, "content-type": content_type}
    answer = httpx.post(f"{stack.url}/v1/runs", content=body, headers=headers, timeout=60)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == status
    assert problem["detail"]
