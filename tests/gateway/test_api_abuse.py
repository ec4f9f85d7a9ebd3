"""What the gateway does against floods: unknown keys limited per address before any lookup,
and new work refused with Retry-After once the queue holds as much as the operator allows."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest
from redis.asyncio import Redis

from gateway.api import auth
from gateway.api.routes import runs as run_routes
from runners import runs
from runners.access import courses, keys
from runners.access.counters import Hit, MemoryCounter, RedisCounter
from runners.settings import Settings, settings
from tests.gateway.world import Keys


@pytest.fixture
async def from_one_address(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same gateway calling from an address of its own (a documentation one)."""
    app = api._transport.app  # type: ignore[attr-defined]
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


def limited(monkeypatch: pytest.MonkeyPatch, **limits: int) -> None:
    monkeypatch.setattr(auth, "settings", lambda: msgspec.structs.replace(settings(), **limits))


async def test_unknown_keys_from_one_address_are_refused_before_any_lookup(
    from_one_address: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    limited(monkeypatch, auth_failure_limit=3)
    lookups: list[str] = []
    real = keys.authenticate

    async def counted(key: str) -> object:
        lookups.append(key)
        return await real(key)

    monkeypatch.setattr(auth, "authenticate", counted)
    headers = {"Authorization": "Bearer oops_" + "y" * 43}
    answers = [
        await from_one_address.get(f"/v1/runs/{uuid.uuid4()}", headers=headers) for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429, 429]
    assert len(lookups) == 3
    refused = answers[-1]
    assert 1 <= int(refused.headers["retry-after"]) <= auth.WINDOW_SECONDS
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "y" * 43 not in refused.text


async def test_requests_with_a_valid_key_do_not_use_up_the_address_budget(
    from_one_address: httpx.AsyncClient, api_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    limited(monkeypatch, auth_failure_limit=2)
    for _ in range(5):
        answer = await from_one_address.get("/metrics", headers=api_keys["admin"])
        assert answer.status_code == 200
    made_up = {"Authorization": "Bearer oops_" + "q" * 43}
    unknown = [(await from_one_address.get("/metrics", headers=made_up)).status_code for _ in "abc"]
    assert unknown == [401, 401, 429]


async def test_new_work_past_the_queue_cap_gets_503_with_retry_after(
    api: httpx.AsyncClient, api_keys: Keys, database: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = await courses.ensure_default()
    await runs.create(settings(), runs.RunSpec(code="print(1)"), course)
    capped = msgspec.structs.replace(settings(), max_queue_depth=1)
    monkeypatch.setattr(run_routes, "settings", lambda: capped)
    answer = await api.post("/v1/runs", json={"code": "print(2)"}, headers=api_keys["student"])
    assert answer.status_code == 503
    assert int(answer.headers["retry-after"]) > 0
    problem = answer.json()
    assert problem["type"] == "urn:oopsengine:problem:queue-full"
    assert "try again" in problem["detail"]


async def test_a_counter_takes_a_hit_back_with_a_negative_amount() -> None:
    counter = MemoryCounter()
    assert await counter.hit("a", 60) == 1
    assert await counter.hit("a", 60, amount=-1) == 0
    assert await counter.hit("a", 60) == 1


@pytest.mark.services
async def test_redis_counts_several_hits_at_once_and_each_window_expires() -> None:
    redis = Redis.from_url(settings().redis_url)
    counter = RedisCounter(redis)
    given, taken = (f"oopsengine:test:{uuid.uuid4().hex}" for _ in "ab")
    try:
        assert await counter.hits(Hit(given, 60), Hit(taken, 60, amount=3)) == [1, 3]
        assert await counter.hits(Hit(given, 60, amount=-1), Hit(taken, 60)) == [0, 4]
        assert 0 < await redis.ttl(given) <= 60
        assert 0 < await redis.ttl(taken) <= 60
    finally:
        await redis.delete(given, taken)
        await redis.aclose()


def test_settings_without_a_cap_never_refuse() -> None:
    assert Settings().max_queue_depth == 0
