"""Re-planning as the back office meets it: proposals start after the hours the calamity just
cleared and lie inside her working hours, each naming who of the attendees is free; a tapped
proposal shows the invitation to check and edit, and only confirming sends it, once. Everything
is read back from the calendars in the sandbox; the clock is the tenant's (TODAY, 10:00)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import httpx

from automations.clock import SetClock
from tests.dates import AMSTERDAM, local, working_days_after
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, WETHOUDERS
from tests.server.test_calamity_api import BAS, clear, find, graph

BRINKHORST = WETHOUDERS[0]
HOSTILE = '<img src=x onerror="alert(1)"> Overleg & "havens"'


def when(moment: dt.datetime) -> dict[str, str]:
    local_time = moment.astimezone(AMSTERDAM).replace(tzinfo=None).isoformat(timespec="seconds")
    return {"dateTime": local_time, "timeZone": "W. Europe Standard Time"}


async def meeting(tenant: Tenant, subject: str, start: dt.datetime) -> None:
    """Her meeting with Bas Kuipers and wethouder Brinkhorst (by name), an hour long."""
    people = [(BAS, "Bas Kuipers"), (BRINKHORST, "Joost Brinkhorst")]
    event = {
        "subject": subject,
        "start": when(start),
        "end": when(start + dt.timedelta(hours=1)),
        "body": {"contentType": "text", "content": "Agenda: <b>havenvisie</b>"},
        "attendees": [
            {"emailAddress": {"address": a, "name": n}, "type": "required"} for a, n in people
        ],
    }
    await graph(tenant, BURGEMEESTER, "POST", f"/users/{BURGEMEESTER}/events", event)


async def on_leave(tenant: Tenant, first: dt.date) -> None:
    """Wethouder Brinkhorst is away for the whole horizon (out of office)."""
    event = {
        "subject": "Verlof",
        "start": when(local(first)),
        "end": when(local(first + dt.timedelta(weeks=8))),
        "showAs": "oof",
    }
    await graph(tenant, BRINKHORST, "POST", f"/users/{BRINKHORST}/events", event)


async def cleared(
    api: httpx.AsyncClient, login, tenant: Tenant, subject: str, day: dt.date
) -> tuple[dict[str, Any], dt.datetime]:
    """Her meeting at 10:00 on ``day``, cleared in a window from 09:00 to 12:00; the backlog
    entry and the window's end."""
    await meeting(tenant, subject, local(day, 10))
    window = (local(day, 9), local(day, 12))
    result = await clear(api, login, (window[0].isoformat(), window[1].isoformat()),
                         calamity="Stroomstoring stadhuis")  # fmt: skip
    assert result["report"]["status"] == "done"
    listed = await api.get(f"/api/v1/backlog?mailbox={BURGEMEESTER}", headers=login(SECRETARY_A))
    [entry] = [e for e in listed.json()["backlog"] if e["subject"] == subject]
    return entry, window[1]


async def test_proposals_start_after_the_cleared_window_inside_working_hours(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    day = working_days_after(clock.now().astimezone(AMSTERDAM).date(), 1)
    entry, window_end = await cleared(api, login, tenant, "Havenoverleg", day)

    proposed = await api.post(f"/api/v1/backlog/{entry['id']}/proposals",
                              headers=login(SECRETARY_A))  # fmt: skip
    assert proposed.status_code == 200, proposed.text
    slots = proposed.json()["slots"]
    assert slots
    for slot in slots:
        start = dt.datetime.fromisoformat(slot["start"]).astimezone(AMSTERDAM)
        end = dt.datetime.fromisoformat(slot["end"]).astimezone(AMSTERDAM)
        assert start >= window_end and start >= clock.now(), slot  # not the hours just cleared
        assert start.weekday() < 5 and start.date() == end.date(), slot
        assert dt.time(8) <= start.time() and end.time() <= dt.time(17), slot
        assert end - start == dt.timedelta(hours=1)
        names = {a["address"]: a["name"] for a in slot["attendees"]}
        assert names == {BAS: "Bas Kuipers", BRINKHORST: "Joost Brinkhorst"}


async def test_each_proposal_names_who_of_the_attendees_is_free(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    day = working_days_after(clock.now().astimezone(AMSTERDAM).date(), 2)
    entry, _ = await cleared(api, login, tenant, "Bilateraal havenvisie", day)
    await on_leave(tenant, day)

    pane = await api.post(f"/pane/herplannen/{entry['id']}/voorstellen",
                          headers=login(SECRETARY_A))  # fmt: skip
    assert pane.status_code == 200, pane.text
    lines = [
        html.unescape(t) for t in re.findall(r'data-testid="beschikbaarheid">([^<]*)<', pane.text)
    ]
    assert lines
    for line in lines:
        assert "Bas Kuipers" in line and "Afwezig: Joost Brinkhorst" in line, line
        assert "@" not in line  # by name, never a bare address
    assert 'data-testid="voorstel-moment"' in pane.text


async def test_a_tapped_proposal_shows_the_invitation_and_only_confirming_sends_it_once(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    day = working_days_after(clock.now().astimezone(AMSTERDAM).date(), 3)
    entry, _ = await cleared(api, login, tenant, HOSTILE, day)
    slots = (await api.post(f"/api/v1/backlog/{entry['id']}/proposals",
                            headers=login(SECRETARY_A))).json()["slots"]  # fmt: skip
    chosen = slots[0]["start"]
    later = (dt.datetime.fromisoformat(chosen) + dt.timedelta(hours=2)).isoformat()

    shown = await api.post(f"/pane/herplannen/{entry['id']}/uitnodiging",
                           json={"start": chosen}, headers=login(SECRETARY_A))  # fmt: skip
    assert shown.status_code == 200, shown.text
    page = shown.text
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page  # escaped
    assert re.search(r'<textarea[^>]*name="text"', page)  # the text is editable
    assert re.search(r'<input[^>]*name="subject"', page)
    assert "Nieuwe datum voor" in page and "havenvisie" in page
    assert "Bas Kuipers; Joost Brinkhorst" in page and "Uitnodiging versturen" in page
    assert not await find(tenant, BURGEMEESTER, HOSTILE, chosen, later)  # nothing sent yet

    draft = await api.post(f"/api/v1/backlog/{entry['id']}/invitation",
                           json={"start": chosen}, headers=login(SECRETARY_A))  # fmt: skip
    assert draft.status_code == 200 and draft.json()["subject"] == HOSTILE
    assert [a["name"] for a in draft.json()["attendees"]] == ["Bas Kuipers", "Joost Brinkhorst"]

    edited = "Beste allen,\n\nWe zoeken een nieuw moment <b>na de storing</b>.\nGroet, Ingrid"
    for _ in range(2):  # a double tap on the confirm invites once
        sent = await api.post(f"/pane/herplannen/{entry['id']}/inplannen",
                              json={"start": chosen, "subject": HOSTILE, "text": edited},
                              headers=login(SECRETARY_A))  # fmt: skip
        assert sent.status_code == 200, sent.text
        assert "Opnieuw gepland op" in sent.text
    [made] = await find(tenant, BURGEMEESTER, HOSTILE, chosen, later)
    url = f"/users/{BURGEMEESTER}/events/{made['id']}?$select=body,transactionId"
    event = await graph(tenant, BURGEMEESTER, "GET", url)
    assert event["transactionId"] == entry["id"]
    body = event["body"]["content"]
    assert "We zoeken een nieuw moment &lt;b&gt;na de storing&lt;/b&gt;.<br>Groet, Ingrid" in body
    assert "<p>Beste allen,</p>" in body and "<b>" not in body
    assert len(await find(tenant, BAS, HOSTILE, chosen, later)) == 1
    assert len(await find(tenant, BRINKHORST, HOSTILE, chosen, later)) == 1
