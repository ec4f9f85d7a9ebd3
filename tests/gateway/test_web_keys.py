"""`/keys`: staff see the keys they may revoke and revoke them with the page's form (CSRF
included); a revoked key opens nothing from then on. In process, against the real database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from runners.access.keys import create_key
from tests.gateway.test_web_session import signed_in
from tests.gateway.world import Keys


@pytest.fixture
async def browser(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway's client with an empty cookie jar, emptied again afterwards."""
    api.cookies.clear()
    yield api
    api.cookies.clear()


async def test_an_instructor_sees_its_courses_keys_with_a_revoke_button_each(
    api: httpx.AsyncClient, api_keys: Keys
) -> None:
    admin = await create_key("admin")
    page = await api.get("/keys", headers=api_keys["instructor"])
    assert page.status_code == 200
    for role in ("instructor", "student", "other-student"):
        assert str(api_keys.ids[role]) in page.text
        assert f'action="/keys/{api_keys.ids[role]}/revoke"' in page.text
    for other in (admin.id, api_keys.ids["other-course-student"], api_keys.ids["admin"]):
        assert str(other) not in page.text
    assert api_keys.student in page.text
    assert 'name="_csrf_token"' in page.text


async def test_revoking_with_the_form_refuses_the_key_from_its_next_request(
    browser: httpx.AsyncClient, api_keys: Keys
) -> None:
    token = await signed_in(browser, api_keys, "instructor")
    student = api_keys.ids["student"]
    answer = await browser.post(f"/keys/{student}/revoke", data={"_csrf_token": token})
    assert (answer.status_code, answer.headers["location"]) == (303, "/keys")
    assert (await browser.get("/v1/courses", headers=api_keys["student"])).status_code == 401
    page = await browser.get("/keys")
    row = page.text[page.text.index(str(student)) :].split("</tr>")[0]
    assert "<time" in row.split("</td>")[5]
    assert f'action="/keys/{student}/revoke"' not in page.text


async def test_a_revoke_form_without_its_csrf_token_is_refused_and_revokes_nothing(
    browser: httpx.AsyncClient, api_keys: Keys
) -> None:
    await signed_in(browser, api_keys, "instructor")
    answer = await browser.post(f"/keys/{api_keys.ids['student']}/revoke")
    assert answer.status_code == 403
    assert (await browser.get("/v1/courses", headers=api_keys["student"])).status_code == 200


async def test_revoking_ones_own_key_on_the_page_signs_out(
    browser: httpx.AsyncClient, api_keys: Keys
) -> None:
    token = await signed_in(browser, api_keys, "instructor")
    own = api_keys.ids["instructor"]
    answer = await browser.post(f"/keys/{own}/revoke", data={"_csrf_token": token})
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("oops_key="))
    assert "Max-Age=0" in cookie
    assert (await browser.get("/keys", headers=api_keys["instructor"])).status_code == 401


@pytest.mark.parametrize(
    ("role", "target", "status"),
    [
        pytest.param("student", "student", 403, id="student-may-not"),
        pytest.param("instructor", "admin", 404, id="instructor-admin-key"),
        pytest.param("instructor", "other-course-student", 404, id="instructor-other-course"),
        pytest.param("other-course-instructor", "student", 404, id="other-course-instructor"),
        pytest.param("bad-key", "student", 401, id="bad-key-signs-in"),
    ],
)
async def test_a_key_beyond_the_callers_reach_is_not_revoked_from_the_page(
    api: httpx.AsyncClient, api_keys: Keys, role: str, target: str, status: int
) -> None:
    answer = await api.post(f"/keys/{api_keys.ids[target]}/revoke", headers=api_keys[role])
    assert answer.status_code == status, answer.text
    assert "text/html" in answer.headers["content-type"]
    assert (await api.get("/v1/courses", headers=api_keys[target])).status_code == 200
