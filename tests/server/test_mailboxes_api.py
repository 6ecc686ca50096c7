"""A secretary opens the mailboxes of the executives she serves, and no others."""

from __future__ import annotations

import httpx

from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, SECRETARY_B, STAFF


async def inbox_counts(tenant: Tenant, upn: str) -> tuple[int, int]:
    async with tenant.raw(upn) as graph:
        inbox = (await graph.get(f"/users/{upn}/mailFolders/inbox")).json()
    return inbox["unreadItemCount"], inbox["totalItemCount"]


async def test_a_secretary_sees_her_executives_inboxes(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    resp = await api.get("/api/v1/mailboxes", headers=login(SECRETARY_A))
    assert resp.status_code == 200
    found = {m["upn"]: m for m in resp.json()["mailboxes"]}
    assert set(found) == {BURGEMEESTER, GEMEENTESECRETARIS}
    unread, total = await inbox_counts(tenant, BURGEMEESTER)
    assert (found[BURGEMEESTER]["unread"], found[BURGEMEESTER]["total"]) == (unread, total)
    assert found[BURGEMEESTER]["display_name"] == "Ingrid Zwanenburg"


async def test_an_executive_sees_only_her_own(api: httpx.AsyncClient, login) -> None:
    resp = await api.get("/api/v1/mailboxes", headers=login(BURGEMEESTER))
    assert [m["upn"] for m in resp.json()["mailboxes"]] == [BURGEMEESTER]


async def test_a_secretary_of_another_team_is_refused_before_graph_is_asked(
    api: httpx.AsyncClient, login, admin: httpx.Client, tenant: Tenant
) -> None:
    mailbox_id = (await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).get()).id
    admin.post("/counters/reset")
    resp = await api.get(f"/api/v1/mailboxes/{BURGEMEESTER}", headers=login(SECRETARY_B))
    assert resp.status_code == 403
    error = resp.json()["error"]
    assert error["code"] == "access_denied"
    assert "Karin Molenaar werkt niet voor Ingrid Zwanenburg" in error["message"]
    assert SECRETARY_B not in error["message"]  # people by name, not by address
    assert admin.get("/counters").json()["requests"].get(mailbox_id, 0) == 0


async def test_someone_outside_the_roster_opens_nothing(
    api: httpx.AsyncClient, login, admin: httpx.Client
) -> None:
    admin.post("/counters/reset")
    assert (await api.get("/api/v1/mailboxes", headers=login(STAFF))).json() == {"mailboxes": []}
    resp = await api.get(f"/api/v1/mailboxes/{BURGEMEESTER}", headers=login(STAFF))
    assert resp.status_code == 403
    assert "niet in het rooster" in resp.json()["error"]["message"]  # our policy, not Graph's
    assert admin.get("/counters").json()["requests"] == {}
