"""Errors as RFC 9457 problem details: `application/problem+json` naming the field at fault.

Every error answer has `type`, `title`, `status` and `detail`; a request the client must fix
adds `errors`, a list of `{"field", "message"}`. The `type` is `about:blank` for a plain HTTP
status (RFC 9457, section 4.2.1) and `urn:oopsengine:problem:<slug>` for OopsEngine's own:

    invalid-request   a field the server refuses (a limit, a language, a size)   400 or 422
    invalid-suite     a suite document or Kattis package that makes no sense     422
    too-large         too many submissions, cases or package files               413
    not-ready         `/readyz`: a part the gateway needs does not answer        503
    queue-full        the operator's cap on waiting work is reached; Retry-After 503
    quota-spent       the course sent its submissions-per-hour quota             429
    course-exists     a course of that name exists already                       409
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

import msgspec
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException

from grading.errors import SuiteError
from runners.access.courses import CourseError, CourseExists
from runners.access.keys import KeyRequestError
from runners.access.quotas import QuotaSpent
from runners.errors import (
    Conflict,
    EngineUnavailable,
    ImageMissing,
    NotFound,
    QueueFull,
    RequestError,
    TooMuchWork,
)
from runners.webhooks import WebhookError

URN = "urn:oopsengine:problem:"
_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]*)`")

log = logging.getLogger(__name__)


class FieldError(msgspec.Struct, frozen=True):
    """One field a client must fix, and what is wrong with it."""

    field: str
    message: str


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemDetailsException:
    """A problem details exception; raise it from a handler or a guard."""
    extra = {"errors": [msgspec.structs.asdict(e) for e in errors]} if errors else None
    return ProblemDetailsException(
        detail=detail,
        status_code=status,
        type_=URN + slug if slug else "about:blank",
        title=HTTPStatus(status).phrase,
        extra=extra,
        headers=headers,
    )


def invalid(field: str, message: str, status: int = 422) -> ProblemDetailsException:
    """A request refused because of one field."""
    errors = [FieldError(field, message)]
    return problem(status, f"{field}: {message}", slug="invalid-request", errors=errors)


def too_large(field: str, message: str) -> ProblemDetailsException:
    """A request with more of something than this server takes at once."""
    errors = [FieldError(field, message)]
    return problem(413, f"{field}: {message}", slug="too-large", errors=errors)


def not_found(kind: str, ident: object) -> ProblemDetailsException:
    """An id that names nothing this caller may see."""
    return problem(404, f"no {kind} with id {ident}")


def _from_request_error(error: RequestError) -> ProblemDetailsException:
    message = str(error).removeprefix(f"{error.field}: ")
    return invalid(error.field, message)


def _from_not_found(error: NotFound) -> ProblemDetailsException:
    return not_found(error.kind, error.ident)


def _from_conflict(error: Conflict) -> ProblemDetailsException:
    return problem(409, str(error))


def _from_unavailable(error: EngineUnavailable | ImageMissing) -> ProblemDetailsException:
    """No sandbox could serve the request (no worker answered, no engine, no image)."""
    return problem(503, str(error))


def _from_too_much_work(error: TooMuchWork) -> ProblemDetailsException:
    return too_large(error.field, str(error).removeprefix(f"{error.field}: "))


def _from_suite_error(error: SuiteError) -> ProblemDetailsException:
    errors = [FieldError("suite", str(error))]
    return problem(422, str(error), slug="invalid-suite", errors=errors)


def _from_queue_full(error: QueueFull) -> ProblemDetailsException:
    headers = {"Retry-After": str(error.retry_after)}
    return problem(503, str(error), slug="queue-full", headers=headers)


def _from_value_error(error: Exception) -> ProblemDetailsException:
    return problem(422, str(error), slug="invalid-request")


def _from_validation(error: ValidationException) -> ProblemDetailsException:
    """Litestar's body and parameter validation, with msgspec's `$` paths named as fields."""
    found = error.extra if isinstance(error.extra, list) else []
    errors = [_field_error(item) for item in found if isinstance(item, Mapping)]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or str(error.detail)
    return problem(400, detail, slug="invalid-request", errors=errors or None)


def _field_error(item: Mapping[str, Any]) -> FieldError:
    message = str(item.get("message", "invalid value"))
    key = str(item.get("key") or "body")
    named = _NAMED_FIELD.search(message)
    if key == "data":
        key = named.group(1) if named else "body"
    if key == "body" and message == "'data'":  # Litestar's KeyError for a request with no body
        message = "no body was sent: send a JSON object"
    return FieldError(key, message)


def _from_http(error: HTTPException) -> ProblemDetailsException:
    detail = str(error.detail)
    if error.status_code == 400 and detail.startswith("Input data was"):
        detail = f"the body is not valid JSON: {detail}"
    return problem(error.status_code, detail, headers=error.headers)


def _from_undecodable(error: UnicodeDecodeError) -> ProblemDetailsException:
    """Litestar reads a JSON body with msgspec, which refuses bytes that are not UTF-8."""
    return problem(400, f"the body is not valid JSON: it is not UTF-8 text ({error.reason})")


def _from_too_deep(error: RecursionError) -> ProblemDetailsException:
    """msgspec stops decoding a document nested deeper than the interpreter's stack allows."""
    return problem(400, "the body is not valid JSON here: its arrays or objects nest too deeply")


def _from_quota(error: QuotaSpent) -> ProblemDetailsException:
    headers = {"Retry-After": str(error.retry_after)}
    return problem(429, str(error), slug="quota-spent", headers=headers)


def _from_course_exists(error: CourseExists) -> ProblemDetailsException:
    errors = [FieldError("name", str(error))]
    return problem(409, str(error), slug="course-exists", errors=errors)


def _from_anything(error: Exception) -> ProblemDetailsException:
    log.exception("unhandled error answering a request", exc_info=error)
    return problem(500, "the server failed to answer; the error is in its log")


def problem_details() -> ProblemDetailsConfig:
    """The plugin configuration that turns every error into problem details."""
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        HTTPException: _from_http,
        ValidationException: _from_validation,
        NotFound: _from_not_found,
        Conflict: _from_conflict,
        TooMuchWork: _from_too_much_work,
        RequestError: _from_request_error,
        SuiteError: _from_suite_error,
        QueueFull: _from_queue_full,
        EngineUnavailable: _from_unavailable,
        ImageMissing: _from_unavailable,
        WebhookError: _from_value_error,
        KeyRequestError: _from_value_error,
        UnicodeDecodeError: _from_undecodable,
        RecursionError: _from_too_deep,
        CourseError: _from_value_error,
        CourseExists: _from_course_exists,
        QuotaSpent: _from_quota,
        Exception: _from_anything,
    }
    return ProblemDetailsConfig(exception_to_problem_detail_map=mapping)
