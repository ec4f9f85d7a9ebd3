"""Errors on pages: the same problem details the API answers, shown as a page a person reads.

Every exception a page raises is turned into a problem by the API's own mapping
(`gateway.api.problems`), so a page and the API say the same thing about the same mistake;
a missing or unknown key shows the sign-in form instead.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Template
from litestar.types import ExceptionHandlersMap

from gateway.api.problems import problem_details


def _as_problem(error: Exception) -> ProblemDetailsException:
    if isinstance(error, ProblemDetailsException):
        return error
    mapping = problem_details().exception_to_problem_detail_map
    kind = next(k for k in type(error).__mro__ if k in mapping)
    found: ProblemDetailsException = mapping[kind](error)
    return found


TITLES = {
    400: "Please fix this",
    403: "Not allowed",
    404: "Not found",
    409: "Nothing to do yet",
    413: "Too much at once",
    422: "Please fix this",
    429: "Too many requests",
}
"""Page titles a person understands, by status; other statuses keep HTTP's phrase."""

STALE_FORM = (
    "This form had expired (the server restarted, or the page was open too long). "
    "Go back, reload the page and send it again."
)


def error_page(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """The page for a failed request: what went wrong, which field, and what to do next."""
    found = _as_problem(error)
    status = found.status_code
    extra = found.extra if isinstance(found.extra, dict) else {}
    detail = STALE_FORM if "CSRF" in str(found.detail) else found.detail
    context = {
        "status": status,
        "title": TITLES.get(status, "Something went wrong" if status >= 500 else found.title),
        "detail": detail,
        "errors": extra.get("errors", []),
        "back": request.headers.get("referer"),
        "next": request.url.path if request.method == "GET" else "/",
    }
    template = "sign_in.html" if status == 401 else "error.html"
    return Template(template_name=template, context=context, status_code=status)


def error_handlers() -> ExceptionHandlersMap:
    """Handlers that answer every error on a page with an HTML page."""
    kinds = [*problem_details().exception_to_problem_detail_map, ProblemDetailsException]
    handlers: ExceptionHandlersMap = {kind: error_page for kind in kinds}
    handlers[HTTPException] = error_page
    return handlers
