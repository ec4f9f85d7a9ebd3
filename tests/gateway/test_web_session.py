"""Signing in to the pages, CSRF on their forms, and who may open which page: in process,
against the real database. Pages answer what the API answers, as HTML."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest

from runners import pages
from runners.access.scope import Scope
from tests.gateway.world import SECRETS, Keys, World

EVERYTHING = Scope.everything()


@pytest.fixture
async def browser(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway's client with an empty cookie jar, emptied again afterwards."""
    api.cookies.clear()
    yield api
    api.cookies.clear()


async def csrf_token(client: httpx.AsyncClient) -> str:
    """Open the home page, as a browser does before posting a form, and read the token."""
    await client.get("/")
    return str(client.cookies["oops_csrf"])


async def signed_in(client: httpx.AsyncClient, keys: Keys, role: str) -> str:
    token = await csrf_token(client)
    key = keys[role]["Authorization"].removeprefix("Bearer ")
    answer = await client.post("/sign-in", data={"key": key, "next": "/", "_csrf_token": token})
    assert answer.status_code == 303, answer.text
    return token


async def test_signing_in_keeps_the_key_in_an_http_only_same_site_cookie(
    browser: httpx.AsyncClient, api_keys: Keys
) -> None:
    token = await csrf_token(browser)
    key = api_keys["instructor"]["Authorization"].removeprefix("Bearer ")
    answer = await browser.post(
        "/sign-in", data={"key": key, "next": "/assignments", "_csrf_token": token}
    )
    assert answer.status_code == 303
    assert key not in answer.headers["location"]
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("oops_key="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert (await browser.get("/")).text.count("Sign out") == 1


async def test_pages_tell_the_browser_to_load_nothing_from_another_host(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_signing_in_never_sends_anyone_to_another_site(
    browser: httpx.AsyncClient, api_keys: Keys
) -> None:
    token = await csrf_token(browser)
    key = api_keys["instructor"]["Authorization"].removeprefix("Bearer ")
    answer = await browser.post(
        "/sign-in", data={"key": key, "next": "//evil.example/", "_csrf_token": token}
    )
    assert answer.headers["location"] == "/"


async def test_a_form_posted_without_its_csrf_token_is_refused_and_writes_nothing(
    browser: httpx.AsyncClient, api_keys: Keys
) -> None:
    await signed_in(browser, api_keys, "instructor")
    before = len(await pages.assignment_list(EVERYTHING))
    files = {"suite": ("s.json", b'{"name": "s", "cases": [{"name": "a"}]}', "application/json")}
    answer = await browser.post("/assignments", files=files)
    assert answer.status_code == 403
    assert "reload the page" in answer.text
    assert len(await pages.assignment_list(EVERYTHING)) == before


async def test_a_form_posted_with_its_csrf_token_is_accepted(
    browser: httpx.AsyncClient, api_keys: Keys
) -> None:
    token = await signed_in(browser, api_keys, "instructor")
    files = {"suite": ("s.json", b'{"name": "csrf-ok", "cases": [{"name": "a"}]}', "text/plain")}
    answer = await browser.post("/assignments", files=files, data={"_csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/assignments/")


async def test_the_json_api_takes_bearer_keys_without_any_csrf_token(
    browser: httpx.AsyncClient, api_keys: Keys
) -> None:
    await signed_in(browser, api_keys, "instructor")
    body = {"name": "api", "suite": {"name": "api", "cases": [{"name": "a"}]}}
    answer = await browser.post("/v1/assignments", json=body, headers=api_keys["instructor"])
    assert answer.status_code == 201, answer.text


async def test_pages_take_a_bearer_key_as_the_api_does(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    page = await api.get(f"/assignments/{world.assignment}", headers=api_keys["instructor"])
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    limits = await api.post(
        f"/assignments/{world.assignment}/limits",
        data={"time_limit": "2"},
        headers=api_keys["instructor"],
    )
    assert limits.status_code == 303
    view = await pages.assignment_detail(uuid.UUID(world.assignment), EVERYTHING)
    assert view is not None
    assert view.suite.time_limit == 2.0


async def test_a_page_opened_without_a_key_shows_the_sign_in_form(
    browser: httpx.AsyncClient, world: World
) -> None:
    page = await browser.get(f"/results/{world.submission}")
    assert page.status_code == 401
    assert 'name="key"' in page.text
    assert f'value="/results/{world.submission}"' in page.text


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        pytest.param("student", "/assignments/{assignment}", 403, id="student-assignment"),
        pytest.param("student", "/batches/{batch}", 403, id="student-batch"),
        pytest.param("student", "/results/{other_submission}", 404, id="student-others"),
        pytest.param("student", "/results/{submission}", 200, id="student-own"),
        pytest.param("instructor", "/results/{other_submission}", 200, id="instructor-any"),
        pytest.param("instructor", "/batches/{batch}", 200, id="instructor-batch"),
        pytest.param("admin", "/assignments/{assignment}", 200, id="admin-assignment"),
        pytest.param(
            "other-course-instructor",
            "/assignments/{assignment}",
            404,
            id="other-course-assignment",
        ),
        pytest.param("other-course-instructor", "/batches/{batch}", 404, id="other-course-batch"),
        pytest.param(
            "other-course-instructor",
            "/results/{submission}",
            404,
            id="other-course-submission",
        ),
        pytest.param(
            "other-course-student", "/results/{submission}", 404, id="same-student-id-elsewhere"
        ),
        pytest.param("bad-key", "/", 200, id="bad-key-signs-in"),
        pytest.param("bad-key", "/run", 401, id="bad-key-run"),
    ],
)
async def test_each_role_opens_the_pages_the_api_lets_it_read(
    api: httpx.AsyncClient, api_keys: Keys, world: World, role: str, path: str, status: int
) -> None:
    page = await api.get(path.format(**msgspec.structs.asdict(world)), headers=api_keys[role])
    assert page.status_code == status, page.text
    assert "text/html" in page.headers["content-type"]


async def test_a_students_own_page_holds_nothing_of_a_hidden_case(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    page = await api.get(f"/results/{world.submission}", headers=api_keys["student"])
    assert page.status_code == 200
    assert "Hidden" in page.text
    assert [secret for secret in SECRETS if secret in page.text] == []
    teacher = await api.get(f"/results/{world.submission}", headers=api_keys["instructor"])
    assert all(secret in teacher.text for secret in ("SECRET-STDIN", "SECRET-MESSAGE"))


async def test_another_courses_keys_see_nothing_of_this_course_on_their_home_page(
    api: httpx.AsyncClient, api_keys: Keys, world: World
) -> None:
    for role in ("other-course-instructor", "other-course-student"):
        page = await api.get("/", headers=api_keys[role])
        assert page.status_code == 200
        shown = [i for i in (world.assignment, world.submission, world.batch) if i in page.text]
        assert shown == []
        assert [secret for secret in SECRETS if secret in page.text] == []
