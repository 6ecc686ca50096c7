"""Exchange's limits as the sandbox enforces them: mailbox concurrency, budget, latency."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A

# Long enough that every concurrent request arrives while the first four hold their slots.
HOLD_MS = 400


def inbox(upn: str) -> str:
    return f"/users/{upn}/mailFolders/inbox"


async def burst(graph: httpx.AsyncClient, urls: list[str]) -> list[httpx.Response]:
    return list(await asyncio.gather(*(graph.get(u) for u in urls)))


def max_concurrency(admin: httpx.Client) -> dict[str, int]:
    return admin.get("/counters").json()["maxConcurrency"]


async def test_four_concurrent_requests_to_one_mailbox_are_never_throttled(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"latency_ms": HOLD_MS}).raise_for_status()
    async with tenant.raw(SECRETARY_A) as graph:
        responses = await burst(graph, [inbox(BURGEMEESTER)] * 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert list(max_concurrency(admin).values()) == [4]


async def test_a_fifth_concurrent_request_to_one_mailbox_gets_429_with_retry_after(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"latency_ms": HOLD_MS}).raise_for_status()
    async with tenant.raw(SECRETARY_A) as graph:
        responses = await burst(graph, [inbox(BURGEMEESTER)] * 8)
    throttled = [r for r in responses if r.status_code == 429]
    assert [r.status_code for r in responses].count(200) == 4
    assert len(throttled) == 4
    for r in throttled:
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["error"]["code"] == "ApplicationThrottled"
        assert r.json()["error"]["message"] == "Application is over its MailboxConcurrency limit."
    counters = admin.get("/counters").json()
    assert max(counters["maxConcurrency"].values()) == 4
    assert sum(counters["throttled"].values()) == 4


async def test_the_concurrency_limit_is_per_mailbox(tenant: Tenant, admin: httpx.Client) -> None:
    admin.post("/limits", json={"latency_ms": HOLD_MS}).raise_for_status()
    async with tenant.raw(SECRETARY_A) as graph:
        responses = await burst(graph, [inbox(BURGEMEESTER)] * 4 + [inbox(GEMEENTESECRETARIS)] * 4)
    assert [r.status_code for r in responses] == [200] * 8
    assert sorted(max_concurrency(admin).values()) == [4, 4]


async def test_the_app_only_caller_has_the_same_per_mailbox_limit(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"latency_ms": HOLD_MS}).raise_for_status()
    async with tenant.raw(None) as graph:
        responses = await burst(graph, [inbox(BURGEMEESTER)] * 6)
    assert sorted(r.status_code for r in responses) == [200] * 4 + [429] * 2


async def test_the_mailbox_budget_per_window_answers_429_with_the_wait_in_retry_after(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"budget": 3}).raise_for_status()
    async with tenant.raw(SECRETARY_A) as graph:
        allowed = [(await graph.get(inbox(BURGEMEESTER))).status_code for _ in range(3)]
        over = await graph.get(inbox(BURGEMEESTER))
        other_mailbox = await graph.get(inbox(GEMEENTESECRETARIS))
    assert allowed == [200, 200, 200]
    assert over.status_code == 429
    assert over.json()["error"]["code"] == "ApplicationThrottled"
    assert 1 <= int(over.headers["Retry-After"]) <= 601
    assert other_mailbox.status_code == 200


async def test_latency_is_added_to_every_request(tenant: Tenant, admin: httpx.Client) -> None:
    admin.post("/limits", json={"latency_ms": 50}).raise_for_status()
    admin.post("/counters/reset").raise_for_status()
    async with tenant.raw(SECRETARY_A) as graph:
        for url in ("/me", inbox(BURGEMEESTER)):
            resp = await graph.get(url)
            assert resp.status_code == 200
    seen = admin.get("/counters").json()
    assert seen["total"] == 2 and seen["delayedMs"] == 100  # 50 ms on each of the two


# -- the control plane ----------------------------------------------------------------------------
def test_limits_reports_every_setting(admin: httpx.Client) -> None:
    resp = admin.post("/limits", json={"fault_kinds": ["429", "503"], "batch_parallel": 2})
    assert resp.status_code == 200
    settings = resp.json()["settings"]
    assert settings["faultKinds"] == ["429", "503"]
    assert settings["batchParallel"] == 2


BAD_LIMITS = {
    "unknown field": b'{"speed": 3}',
    "string for a number": b'{"latency_ms": "fast"}',
    "bool for a number": b'{"concurrency": true}',
    "null": b'{"budget": null}',
    "fault rate above one": b'{"fault_rate": 1.5}',
    "negative latency": b'{"latency_ms": -1}',
    "zero concurrency": b'{"concurrency": 0}',
    "unknown fault kind": b'{"fault_kinds": ["500"]}',
    "fault kinds as a string": b'{"fault_kinds": "429"}',
    "a list body": b"[1, 2]",
    "not json": b"{latency_ms: 5}",
}


@pytest.mark.parametrize("body", BAD_LIMITS.values(), ids=BAD_LIMITS.keys())
def test_limits_rejects_bad_input_with_a_400_json_error(admin: httpx.Client, body: bytes) -> None:
    resp = admin.post("/limits", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BadRequest"


def test_a_rejected_limits_change_changes_nothing(admin: httpx.Client) -> None:
    before = admin.get("/counters").json()["settings"]
    resp = admin.post("/limits", json={"latency_ms": 250, "concurrency": "four"})
    assert resp.status_code == 400
    assert admin.get("/counters").json()["settings"] == before
