"""A secretary reads an executive's Inbox and calendar through the backend, as Graph has them."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.conftest import TODAY
from tests.dates import working_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B


async def test_the_inbox_lists_the_newest_messages_as_graph_has_them(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    async with tenant.raw(BURGEMEESTER) as graph:
        listed = (
            await graph.get(
                f"/users/{BURGEMEESTER}/mailFolders/inbox/messages",
                params={"$orderby": "receivedDateTime desc", "$top": "5"},
            )
        ).json()["value"]
    resp = await api.get(
        f"/api/v1/mailboxes/{BURGEMEESTER}/messages", params={"top": 5}, headers=login(SECRETARY_A)
    )
    assert resp.status_code == 200
    messages = resp.json()["messages"]
    assert [m["subject"] for m in messages] == [m["subject"] for m in listed]
    assert messages[0]["sender"]["address"] == listed[0]["from"]["emailAddress"]["address"]


async def test_one_message_comes_with_its_text_body(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    async with tenant.raw(BURGEMEESTER) as graph:
        first = (
            await graph.get(f"/users/{BURGEMEESTER}/mailFolders/inbox/messages?$top=1")
        ).json()["value"][0]
    resp = await api.get(
        f"/api/v1/mailboxes/{BURGEMEESTER}/messages/{first['id']}", headers=login(SECRETARY_A)
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["subject"] == first["subject"]
    assert body["to"] and "<html" not in body["body"].lower()


async def test_the_calendar_of_a_day_holds_that_days_items_in_local_time(
    api: httpx.AsyncClient, login
) -> None:
    day = working_day(TODAY).isoformat()  # the demo has meetings on every working day
    resp = await api.get(
        f"/api/v1/mailboxes/{BURGEMEESTER}/calendar",
        params={"start": f"{day}T00:00:00", "end": f"{day}T23:59:00"},
        headers=login(SECRETARY_A),
    )
    assert resp.status_code == 200
    events = resp.json()["events"]
    assert events, "the demo week has meetings today"
    assert all(e["start"][:10] <= day <= e["end"][:10] for e in events)
    assert [e["start"] for e in events] == sorted(e["start"] for e in events)
    one = await api.get(
        f"/api/v1/mailboxes/{BURGEMEESTER}/events/{events[0]['id']}", headers=login(SECRETARY_A)
    )
    assert one.json()["subject"] == events[0]["subject"]


async def test_another_team_reads_nothing_and_graph_is_not_asked(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client
) -> None:
    async with tenant.raw(BURGEMEESTER) as graph:
        message = (await graph.get(f"/users/{BURGEMEESTER}/messages?$top=1")).json()["value"][0]
        event = (await graph.get(f"/users/{BURGEMEESTER}/events?$top=1")).json()["value"][0]
    admin.post("/counters/reset")
    paths = (
        "messages",
        f"messages/{message['id']}",
        f"calendar?start={TODAY}T00:00&end={TODAY + dt.timedelta(days=1)}T00:00",
        f"events/{event['id']}",
    )
    for mailbox in (BURGEMEESTER, BURGEMEESTER.upper()):
        for path in paths:
            resp = await api.get(f"/api/v1/mailboxes/{mailbox}/{path}", headers=login(SECRETARY_B))
            assert resp.status_code == 403, path
            assert resp.json()["error"]["code"] == "access_denied"
    assert admin.get("/counters").json()["requests"] == {}


async def test_everyone_reads_her_own_mailbox(api: httpx.AsyncClient, login) -> None:
    resp = await api.get(f"/api/v1/mailboxes/{SECRETARY_B}/messages", headers=login(SECRETARY_B))
    assert resp.status_code == 200


async def test_bad_input_gets_one_clear_error(api: httpx.AsyncClient, login) -> None:
    cases = {
        "messages?folder=../../users": 400,
        "messages?top=0": 422,
        "messages?top=101": 422,
        "messages/AAMkAGI2ADoesNotExist=": 404,
        f"calendar?start={TODAY}T10:00&end={TODAY}T09:00": 400,
        f"calendar?start={TODAY}T00:00&end={TODAY + dt.timedelta(days=364)}T00:00": 400,
        "calendar?start=gisteren&end=morgen": 422,
    }
    for path, status in cases.items():
        resp = await api.get(f"/api/v1/mailboxes/{BURGEMEESTER}/{path}", headers=login(SECRETARY_A))
        assert resp.status_code == status, path
        assert set(resp.json()["error"]) == {"code", "message", "request_id"}
