"""A calamity: the front office clears the burgemeester's agenda through the API, and the back
office plans it again. Everything is read back from the calendars in the sandbox."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.dates import TODAY, local, seed_day
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A, SECRETARY_B, WETHOUDERS
from tests.server.test_quicksteps_api import graph_get
from tests.server.waiting import waiting

BAS = "bas.kuipers@zeeveen.nl"
BRINKHORST = WETHOUDERS[0]
# The seed's Wednesday and Thursday (its demo week is the ISO week of TODAY).
WED = seed_day("wed").isoformat()
WEDNESDAY = (local(seed_day("wed")).isoformat(), local(seed_day("fri")).isoformat())
# A week of its own for sixty meetings: Monday to Friday of the week after next.
LATER = [seed_day("mon", week=2) + dt.timedelta(days=n) for n in range(5)]
LATER_WINDOW = (local(LATER[0]).isoformat(), local(seed_day("sat", week=2)).isoformat())


def when(day: str, hhmm: str) -> dict[str, str]:
    return {"dateTime": f"{day}T{hhmm}:00", "timeZone": "W. Europe Standard Time"}


async def graph(tenant: Tenant, upn: str, method: str, url: str, body: Any = None) -> Any:
    async with tenant.raw(upn) as client:
        resp = await client.request(method, url, json=body)
        resp.raise_for_status()
        return resp.json() if resp.content else None


async def invite(tenant: Tenant, organizer: str, subject: str, day: str, hhmm: str, to: list[str]):
    event = {
        "subject": subject,
        "start": when(day, hhmm),
        "end": when(day, f"{int(hhmm[:2]) + 1:02d}{hhmm[2:]}"),
        "attendees": [{"emailAddress": {"address": a}, "type": "required"} for a in to],
    }
    return await graph(tenant, organizer, "POST", f"/users/{organizer}/events", event)


async def find(tenant: Tenant, upn: str, subject: str, start: str, end: str) -> list[dict]:
    url = (
        f"/users/{upn}/calendarView?startDateTime={quote(start)}&endDateTime={quote(end)}"
        "&$select=id,subject,isCancelled,attendees,type,responseStatus,start&$top=200"
    )
    return [e for e in (await graph_get(tenant, url, upn=upn))["value"] if e["subject"] == subject]


async def make_the_week_harder(tenant: Tenant) -> None:
    """Wednesday gains a free block, a tentatively accepted visit, a meeting its organizer
    already cancelled, and an exception in her daily series."""
    await graph(
        tenant, BURGEMEESTER, "POST", f"/users/{BURGEMEESTER}/events",
        {"subject": "Vrij blok", "start": when(WED, "11:00"),
         "end": when(WED, "12:00"), "showAs": "free"},
    )  # fmt: skip
    await invite(tenant, BAS, "Werkbezoek haven", WED, "15:00", [BURGEMEESTER])
    [visit] = await find(tenant, BURGEMEESTER, "Werkbezoek haven", *WEDNESDAY)
    url = f"/users/{BURGEMEESTER}/events/{visit['id']}/tentativelyAccept"
    await graph(tenant, BURGEMEESTER, "POST", url, {"sendResponse": True})
    called_off = await invite(tenant, BAS, "Afgeblazen overleg", WED, "17:00", [BURGEMEESTER])
    url = f"/users/{BAS}/events/{called_off['id']}/cancel"
    await graph(tenant, BAS, "POST", url, {"comment": "Gaat niet door."})
    [dagstart] = await find(
        tenant, BURGEMEESTER, "Dagstart", *WEDNESDAY[:1], local(seed_day("wed"), 23).isoformat()
    )
    url = f"/users/{BURGEMEESTER}/events/{dagstart['id']}"
    await graph(
        tenant, BURGEMEESTER, "PATCH", url,
        {"start": when(WED, "08:45"), "end": when(WED, "09:00")},
    )  # fmt: skip


async def clear(api: httpx.AsyncClient, login, window: tuple[str, str], **extra: Any) -> dict:
    body = {"mailbox": BURGEMEESTER, "start": window[0], "end": window[1], **extra}
    preview = await api.post("/api/v1/calamity/preview", json=body, headers=login(SECRETARY_A))
    assert preview.status_code == 200, preview.text
    body["operation_id"] = extra.get("operation_id") or preview.json()["operation_id"]
    done = await api.post(
        "/api/v1/calamity/execute", json=body, headers=waiting(login(SECRETARY_A))
    )
    assert done.status_code == 200, done.text
    return {"preview": preview.json(), "report": done.json()}


def by_subject(items: list[dict]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for i in items:
        out.setdefault(i["subject"], []).append((i["action"], i["reason"]))
    return out


async def test_the_preview_classifies_every_kind_of_item_and_the_clear_does_exactly_that(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    await make_the_week_harder(tenant)
    body = {"mailbox": BURGEMEESTER, "start": WEDNESDAY[0], "end": WEDNESDAY[1]}
    preview = await api.post("/api/v1/calamity/preview", json=body, headers=login(SECRETARY_A))
    assert preview.status_code == 200, preview.text
    seen = by_subject(preview.json()["items"])
    assert (
        seen["Dagstart"] == [("cancel", "zij organiseert: deelnemers krijgen een annulering")] * 2
    )
    assert seen["Bilateraal burgemeester - wethouder Brinkhorst"][0][0] == "cancel"
    assert seen["Tandarts"] == [("keep", "privé")]
    assert seen["Vrij blok"] == [("keep", "staat als vrij")]
    assert seen["Werkbezoek haven"] == [
        ("decline", "georganiseerd door Bas Kuipers: afslaan met bericht")
    ]
    assert seen["Canceled: Afgeblazen overleg"] == [("keep", "al geannuleerd door de organisator")]
    assert seen["Burgemeester van dienst (piket openbare orde)"] == [("keep", "hele dag")]
    assert seen["Raadsvergadering"] == [("keep", "categorie ‘Niet verplaatsen’")]
    assert seen["Regionaal Veiligheidsoverleg"][0][0] == "decline"  # external organizer
    kinds = {i["subject"]: i["series"] for i in preview.json()["items"]}
    assert kinds["Dagstart"] is True and kinds["Werkbezoek haven"] is False
    tandarts_before = await find(tenant, BURGEMEESTER, "Tandarts", *WEDNESDAY)

    body["operation_id"] = preview.json()["operation_id"]
    resp = await api.post(
        "/api/v1/calamity/execute", json=body, headers=waiting(login(SECRETARY_A))
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["status"] == "done"
    for item in report["items"]:
        expected = "kept" if item["action"] == "keep" else "done"
        assert item["status"] == expected, item

    # The wethouder's copy of her bilateral says cancelled; Bas sees her decline.
    subject = "Bilateraal burgemeester - wethouder Brinkhorst"
    [copy] = await find(tenant, BRINKHORST, f"Canceled: {subject}", *WEDNESDAY)
    assert copy["isCancelled"] is True
    [visit] = await find(tenant, BAS, "Werkbezoek haven", *WEDNESDAY)
    [her] = [a for a in visit["attendees"] if a["emailAddress"]["address"] == BURGEMEESTER]
    assert her["status"]["response"] == "declined"
    # Her calendar keeps exactly the kept items.
    left = {e["subject"] for e in await find_all(tenant, BURGEMEESTER, *WEDNESDAY)}
    kept = {i["subject"] for i in report["items"] if i["action"] == "keep"}
    assert left == kept
    assert await find(tenant, BURGEMEESTER, "Tandarts", *WEDNESDAY) == tandarts_before

    # Every cleared item waits in the backlog with what it takes to plan it again.
    backlog = await api.get(f"/api/v1/backlog?mailbox={BURGEMEESTER}", headers=login(SECRETARY_A))
    entries = {e["subject"]: e for e in backlog.json()["backlog"]}
    cleared = {i["subject"] for i in report["items"] if i["action"] != "keep"}
    assert cleared <= set(entries)
    bilateral = entries["Bilateraal burgemeester - wethouder Brinkhorst"]
    assert [a["address"] for a in bilateral["attendees"]] == [BRINKHORST]
    assert bilateral["duration_minutes"] == 30 and bilateral["action"] == "cancel"

    audit = await api.get(f"/api/v1/audit?mailbox={BURGEMEESTER}", headers=login(SECRETARY_A))
    logged = [(e["action"], e["item_id"]) for e in audit.json()["entries"]]
    for item in report["items"]:
        if item["action"] != "keep":
            assert (f"calamity.{item['action']}", item["id"]) in logged, item

    # Clicking again (same operation) sends nothing new.
    again = await api.post(
        "/api/v1/calamity/execute", json=body, headers=waiting(login(SECRETARY_A))
    )
    assert again.json()["items"] == report["items"]
    assert (
        await cancellations(tenant, BRINKHORST, "Bilateraal burgemeester - wethouder Brinkhorst")
        == 1
    )


async def find_all(tenant: Tenant, upn: str, start: str, end: str) -> list[dict]:
    url = (
        f"/users/{upn}/calendarView?startDateTime={quote(start)}&endDateTime={quote(end)}"
        "&$select=id,subject&$top=200"
    )
    return (await graph_get(tenant, url, upn=upn))["value"]


async def cancellations(tenant: Tenant, upn: str, subject: str) -> int:
    wanted = quote(f"Canceled: {subject}".replace("'", "''"))
    url = f"/users/{upn}/messages?$filter=subject eq '{wanted}'&$select=id&$top=100"
    return len((await graph_get(tenant, url, upn=upn))["value"])


async def sixty_meetings(tenant: Tenant, day: str, attendee: str) -> None:
    """Twelve meetings a day for the week after next, organised by her with one attendee."""
    requests = []
    for n in range(60):
        date = LATER[n // 12].isoformat()
        start = f"{7 + n % 12:02d}:00"
        requests.append(
            {
                "id": str(n),
                "method": "POST",
                "url": f"/users/{BURGEMEESTER}/events",
                "headers": {"Content-Type": "application/json"},
                "body": {
                    "subject": f"{day} {n:02d}",
                    "start": when(date, start),
                    "end": when(date, start[:2] + ":30"),
                    "attendees": [{"emailAddress": {"address": attendee}, "type": "required"}],
                },
            }
        )
    for i in range(0, 60, 20):
        answer = await graph(
            tenant, BURGEMEESTER, "POST", "/$batch", {"requests": requests[i : i + 20]}
        )
        assert all(r["status"] == 201 for r in answer["responses"]), answer


@pytest.mark.parametrize("seed", range(3))
async def test_a_clear_interrupted_anywhere_and_run_again_handles_each_item_once(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client, seed: int
) -> None:
    """Graph acts and the answer is lost (drop-after): a second click under the same id
    finishes what is missing; no attendee gets a second cancellation."""
    label = f"Onderbroken {seed}"
    await sixty_meetings(tenant, label, BAS)
    window = LATER_WINDOW
    body = {"mailbox": BURGEMEESTER, "start": window[0], "end": window[1]}
    preview = await api.post("/api/v1/calamity/preview", json=body, headers=login(SECRETARY_A))
    mine = [i for i in preview.json()["items"] if i["subject"].startswith(label)]
    assert len(mine) == 60 and {i["action"] for i in mine} == {"cancel"}
    body["operation_id"] = preview.json()["operation_id"]
    faults = {"fault_rate": 0.3, "seed": seed, "fault_kinds": ["drop_after"], "retry_after_s": 0}
    admin.post("/limits", json=faults).raise_for_status()
    try:
        for _ in range(10):
            resp = await api.post(
                "/api/v1/calamity/execute", json=body, headers=waiting(login(SECRETARY_A))
            )
            if resp.status_code == 200 and resp.json()["status"] == "done":
                break
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert resp.json()["status"] == "done", resp.text
    statuses = {i["status"] for i in resp.json()["items"] if i["subject"].startswith(label)}
    assert statuses == {"done"}
    for n in range(60):
        assert await cancellations(tenant, BAS, f"{label} {n:02d}") == 1, n
    assert [
        e for e in await find_all(tenant, BURGEMEESTER, *window) if e["subject"].startswith(label)
    ] == []


async def test_a_sixty_item_clear_completes_under_twenty_percent_faults(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client
) -> None:
    label = "Storm"
    await sixty_meetings(tenant, label, BRINKHORST)
    window = LATER_WINDOW
    admin.post("/limits", json={"fault_rate": 0.2, "seed": 5, "retry_after_s": 0})
    try:
        result = await clear(api, login, window)
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    report = result["report"]
    assert report["status"] == "done", report
    assert {i["status"] for i in report["items"] if i["subject"].startswith(label)} == {"done"}
    url = (
        f"/users/{BRINKHORST}/calendarView?startDateTime={quote(window[0])}"
        f"&endDateTime={quote(window[1])}&$select=subject,isCancelled&$top=200"
    )
    found = (await graph_get(tenant, url, upn=BRINKHORST))["value"]
    copies = [e for e in found if label in e["subject"]]
    assert len(copies) == 60 and all(e["isCancelled"] for e in copies)
    for n in range(60):
        assert await cancellations(tenant, BRINKHORST, f"{label} {n:02d}") == 1, n


async def test_only_her_front_and_back_office_or_an_admin_may_clear(
    api: httpx.AsyncClient, login
) -> None:
    body = {"mailbox": BURGEMEESTER, "start": WEDNESDAY[0], "end": WEDNESDAY[1]}
    for outsider in (SECRETARY_B, BURGEMEESTER, BAS):
        resp = await api.post("/api/v1/calamity/preview", json=body, headers=login(outsider))
        assert resp.status_code == 403, outsider
    body["operation_id"] = str(uuid.uuid4())
    resp = await api.post(
        "/api/v1/calamity/execute", json=body, headers=waiting(login(SECRETARY_B))
    )
    assert resp.status_code == 403
    ok = await api.post(
        "/api/v1/calamity/preview", json={**body, "operation_id": None}, headers=login(ADMIN)
    )
    assert ok.status_code == 200


async def test_toggled_items_and_bad_windows(api: httpx.AsyncClient, login) -> None:
    body = {"mailbox": BURGEMEESTER, "start": local(seed_day("mon")).isoformat(),
            "end": local(seed_day("tue")).isoformat()}  # fmt: skip
    first = (
        await api.post("/api/v1/calamity/preview", json=body, headers=login(SECRETARY_A))
    ).json()
    items = {i["subject"]: i for i in first["items"]}
    toggled = [
        items["Driehoeksoverleg (burgemeester, politie, OM)"]["id"],
        items["Agendacommissie"]["id"],
    ]
    resp = await api.post(
        "/api/v1/calamity/preview", json={**body, "toggled": toggled}, headers=login(SECRETARY_A)
    )
    flipped = {i["subject"]: i for i in resp.json()["items"]}
    assert flipped["Driehoeksoverleg (burgemeester, politie, OM)"]["action"] == "decline"
    assert flipped["Driehoeksoverleg (burgemeester, politie, OM)"]["toggled"] is True
    assert flipped["Agendacommissie"] == {**items["Agendacommissie"], "action": "keep",
                                         "reason": "op verzoek laten staan", "status": "kept",
                                         "toggled": True, "outcome": "blijft staan"}  # fmt: skip
    backwards = {**body, "start": body["end"], "end": body["start"]}
    bad = await api.post("/api/v1/calamity/preview", json=backwards, headers=login(SECRETARY_A))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_window"
    assert "einde na het begin" in bad.json()["error"]["message"]
    naive = {**body, "start": f"{seed_day('thu')}T00:00:00"}
    assert (
        await api.post("/api/v1/calamity/preview", json=naive, headers=login(SECRETARY_A))
    ).status_code == 422


async def test_the_back_office_plans_a_cleared_meeting_again_in_a_proposed_slot(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    friday = (local(seed_day("fri")).isoformat(), local(seed_day("sat")).isoformat())
    result = await clear(api, login, friday, calamity="Brand in het stadhuis")
    assert result["report"]["status"] == "done"
    listed = await api.get(f"/api/v1/backlog?mailbox={BURGEMEESTER}", headers=login(SECRETARY_A))
    entries = {e["subject"]: e for e in listed.json()["backlog"]}
    visit = entries["Felicitatiebezoek diamanten bruidspaar Meijerink"]
    assert visit["calamity"] == "Brand in het stadhuis" and visit["status"] == "open"

    proposed = await api.post(
        f"/api/v1/backlog/{visit['id']}/proposals", headers=login(SECRETARY_A)
    )
    assert proposed.status_code == 200, proposed.text
    slots = proposed.json()["slots"]
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()  # proposals start tomorrow
    assert slots and all(s["start"] >= tomorrow for s in slots)
    chosen = slots[0]["start"]
    for _ in range(2):  # a double click invites once
        planned = await api.post(
            f"/api/v1/backlog/{visit['id']}/plan",
            json={"start": chosen},
            headers=login(SECRETARY_A),
        )
        assert planned.status_code == 200, planned.text
    assert planned.json()["status"] == "planned"
    day_after = local(dt.date.fromisoformat(chosen[:10]), 23, 59).isoformat()
    again = await find(tenant, BURGEMEESTER, visit["subject"], chosen, day_after)
    assert len(again) == 1
    invited = [a["emailAddress"]["address"] for a in again[0]["attendees"]]
    assert invited == [a["address"] for a in visit["attendees"] if a["address"] != BURGEMEESTER]

    opening = entries["Opening Cultuurhuis De Baak (onder voorbehoud)"]
    no_reason = await api.post(
        f"/api/v1/backlog/{opening['id']}/drop", json={"reason": " "}, headers=login(SECRETARY_A)
    )
    assert no_reason.status_code == 400
    dropped = await api.post(
        f"/api/v1/backlog/{opening['id']}/drop",
        json={"reason": "Opening is verzet naar het voorjaar."},
        headers=login(SECRETARY_A),
    )
    assert dropped.json()["status"] == "dropped"
    still = await api.get(f"/api/v1/backlog?mailbox={BURGEMEESTER}", headers=login(SECRETARY_A))
    assert {e["id"] for e in still.json()["backlog"]}.isdisjoint({visit["id"], opening["id"]})
    outsider = await api.get(f"/api/v1/backlog?mailbox={BURGEMEESTER}", headers=login(SECRETARY_B))
    assert outsider.status_code == 403
