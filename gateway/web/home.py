"""`/`: the sign-in form, then what the signed-in key may open; signing in and out."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from gateway.api.auth import principal_for
from gateway.web.session import cleared_cookie, key_cookie, key_of
from runners import pages
from runners.access.scope import Scope

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class SignIn(msgspec.Struct, frozen=True):
    """The sign-in form: an API key, and the page to go back to."""

    key: str = ""
    next: str = "/"


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    """Instructors see their assignments, students their submissions; others sign in first."""
    found = await principal_for(request, key_of(request))
    if found is None:
        return Template("sign_in.html", context={"next": "/"})
    access = Scope.of(found)
    if found.role == "student":
        mine = await pages.student_submissions(str(found.student), access)
        return Template("student_home.html", context={"principal": found, "submissions": mine})
    context = {"principal": found, "assignments": await pages.assignment_list(access)}
    return Template("home.html", context=context)


@post("/sign-in", include_in_schema=False)
async def sign_in(
    request: Request[Any, Any, Any], data: Annotated[SignIn, Form]
) -> Template | Redirect:
    """Keep a valid key in the sign-in cookie and go on; say what to do about a wrong one."""
    key = data.key.strip()
    if await principal_for(request, key) is None:
        context = {
            "next": _local(data.next),
            "detail": "That key is unknown or revoked. Paste the whole key that oops keys "
            "create printed (it starts with oops_), or ask an administrator for a new one.",
        }
        return Template("sign_in.html", context=context, status_code=401)
    redirect = Redirect(_local(data.next), status_code=HTTP_303_SEE_OTHER)
    redirect.cookies.append(key_cookie(request, key))
    return redirect


@post("/sign-out", include_in_schema=False)
async def sign_out() -> Redirect:
    """Forget the key this browser keeps."""
    redirect = Redirect("/", status_code=HTTP_303_SEE_OTHER)
    redirect.cookies.append(cleared_cookie())
    return redirect


def _local(path: str) -> str:
    """`path` if it stays on this site, else `/` (no open redirect after signing in)."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"
