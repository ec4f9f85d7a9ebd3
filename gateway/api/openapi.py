"""The OpenAPI document as the gateway really answers: errors as problem details.

Litestar documents its validation errors as `application/json` with a shape of its own, while
every error here is an RFC 9457 problem detail (`gateway.api.problems`). Before the schema is
served, each 4xx and 5xx answer is documented as `application/problem+json` with the `Problem`
shape, every operation gains `4XX` and `5XX` answers of that shape, and a response that may be
one of several structs uses `anyOf` (a `Created` is also a valid run view, so `oneOf`, which
demands exactly one match, would make correct answers break the schema).
"""

from __future__ import annotations

import copy
from typing import Any

from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin

PROBLEM_TYPE = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def documented(openapi: dict[str, Any]) -> dict[str, Any]:
    """A copy of Litestar's document with problem details and `anyOf` responses."""
    document = copy.deepcopy(openapi)
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                _document_responses(operation["responses"])
    return document


def _document_responses(responses: dict[str, Any]) -> None:
    for code, response in responses.items():
        if code[0] in "45":
            response["content"] = {PROBLEM_TYPE: {"schema": PROBLEM_REF}}
        else:
            _one_of_to_any_of(response)
    for family in ("4XX", "5XX"):
        responses.setdefault(
            family,
            {"description": "A problem detail", "content": {PROBLEM_TYPE: {"schema": PROBLEM_REF}}},
        )


def _one_of_to_any_of(node: Any) -> None:
    if isinstance(node, dict):
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _one_of_to_any_of(value)
    elif isinstance(node, list):
        for value in node:
            _one_of_to_any_of(value)


class ProblemAwareJson(JsonRenderPlugin):
    """`/schema/openapi.json`, documented as `documented` says."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The schema with errors as problem details, as JSON."""
        return self.render_json(request, documented(openapi_schema))
