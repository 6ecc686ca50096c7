"""Seeded fault injection: what the product's clients see, and that it is reproducible."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

INBOX = f"/users/{BURGEMEESTER}/mailFolders/inbox"

# With these seeds and request sequences every kind of fault shows up (see the tests).
EVERY_KIND_SEED = 6
RETRY_SEED = 16  # six requests at rate 0.3 draw one 429, one 503 and one 504


async def outcome(graph: httpx.AsyncClient, url: str) -> str:
    """The status code as text, or "drop" when the connection was cut mid-response."""
    try:
        resp = await graph.get(url)
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return "drop"
    if resp.status_code in (429, 503):
        assert int(resp.headers["Retry-After"]) >= 1
    return str(resp.status_code)


async def outcomes(tenant: Tenant, count: int) -> list[str]:
    async with tenant.raw(SECRETARY_A) as graph:
        return [await outcome(graph, "/me" if i % 2 else INBOX) for i in range(count)]


async def test_every_kind_of_fault_appears_at_fault_rate_one(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"fault_rate": 1, "seed": EVERY_KIND_SEED}).raise_for_status()
    seen = await outcomes(tenant, 8)
    assert set(seen) == {"429", "503", "504", "drop"}
    faults = admin.get("/counters").json()["faults"]
    assert sum(faults.values()) == 8


async def test_throttling_faults_carry_graphs_error_codes(
    tenant: Tenant, admin: httpx.Client
) -> None:
    codes = {}
    async with tenant.raw(SECRETARY_A) as graph:
        for kind in ("429", "503", "504"):
            admin.post("/limits", json={"fault_rate": 1, "fault_kinds": [kind]}).raise_for_status()
            resp = await graph.get("/me")
            codes[resp.status_code] = resp.json()["error"]["code"]
    assert codes == {429: "ApplicationThrottled", 503: "serviceNotAvailable", 504: "UnknownError"}


async def test_the_same_seed_gives_the_same_faults_for_the_same_requests(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"fault_rate": 0.5, "seed": 1234}).raise_for_status()
    first = await outcomes(tenant, 12)
    admin.post("/limits", json={"fault_rate": 0.5, "seed": 1234}).raise_for_status()
    second = await outcomes(tenant, 12)
    assert first == second
    assert "200" in first and len(set(first)) > 2


async def test_a_different_seed_gives_different_faults(tenant: Tenant, admin: httpx.Client) -> None:
    admin.post("/limits", json={"fault_rate": 0.5, "seed": 1}).raise_for_status()
    first = await outcomes(tenant, 12)
    admin.post("/limits", json={"fault_rate": 0.5, "seed": 2}).raise_for_status()
    assert await outcomes(tenant, 12) != first


async def test_faults_inside_a_batch_are_sub_response_statuses(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"fault_rate": 1, "seed": EVERY_KIND_SEED}).raise_for_status()
    requests = [{"id": str(i), "method": "GET", "url": INBOX} for i in range(8)]
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post("/$batch", json={"requests": requests})
    assert resp.status_code == 200
    subs = resp.json()["responses"]
    assert len(subs) == 8
    assert {sub["status"] for sub in subs} == {429, 503, 504}
    for sub in subs:
        if sub["status"] in (429, 503):
            assert int(sub["headers"]["Retry-After"]) >= 1


async def test_a_dropped_connection_inside_a_batch_is_a_504(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"fault_rate": 1, "fault_kinds": ["drop"]}).raise_for_status()
    requests = [{"id": str(i), "method": "GET", "url": "/me"} for i in range(3)]
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post("/$batch", json={"requests": requests})
    assert resp.status_code == 200
    assert [sub["status"] for sub in resp.json()["responses"]] == [504, 504, 504]


async def test_the_sdk_retry_handler_gets_every_request_through(
    tenant: Tenant, admin: httpx.Client
) -> None:
    settings = {"fault_rate": 0.3, "seed": RETRY_SEED, "fault_kinds": ["429", "503", "504"]}
    admin.post("/limits", json=settings).raise_for_status()
    client = tenant.graph(SECRETARY_A, retry=True)
    mayor = client.users.by_user_id(BURGEMEESTER)
    for _ in range(2):
        assert (await client.me.get()).user_principal_name == SECRETARY_A
        assert (await mayor.get()).mail == BURGEMEESTER
        assert (await mayor.mail_folders.by_mail_folder_id("inbox").get()).id
    faults = admin.get("/counters").json()["faults"]
    assert set(faults) == {"429", "503", "504"}  # each was retried, since every call succeeded


async def test_a_request_can_be_carried_out_before_the_connection_drops(
    tenant: Tenant, admin: httpx.Client
) -> None:
    """The case that makes a retried send or cancel dangerous: the change happened anyway."""
    async with tenant.raw(SECRETARY_A) as graph:
        listing = (await graph.get(f"{INBOX}/messages", params={"$top": "1"})).json()
        message = listing["value"][0]
        admin.post("/limits", json={"fault_rate": 1, "fault_kinds": ["drop_after"]})
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await graph.patch(
                f"/users/{BURGEMEESTER}/messages/{message['id']}", json={"categories": ["Pers"]}
            )
        admin.post("/limits", json=DEFAULT_LIMITS)
        after = (await graph.get(f"/users/{BURGEMEESTER}/messages/{message['id']}")).json()
    assert after["categories"] == ["Pers"]
    assert after["changeKey"] != message["changeKey"]
