"""A calamity as the pilot asked for it: any from–to or a quick choice ("vanmiddag",
"morgenochtend"), and Monique clearing both executives she serves (Ingrid and Maarten) in one
go — one journaled clear each, exactly once, also after her worker died midway."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from fastapi import FastAPI

from automations.calamity.flows import member_id
from automations.clock import SetClock
from tests.dates import TODAY, dutch_day, local, next_working_day, seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, SECRETARY_B
from tests.server.test_calamity_api import (
    BAS,
    WED,
    WEDNESDAY,
    cancellations,
    find,
    find_all,
    graph,
    invite,
)
from tests.server.test_hardening_crash import PAST_THE_LEASE, killed_after, killed_before
from tests.server.waiting import followed, waiting, worker_dies

BOTH = [BURGEMEESTER, GEMEENTESECRETARIS]


async def preview(
    api: httpx.AsyncClient, login, body: dict, path: str = "preview"
) -> httpx.Response:
    return await api.post(f"/api/v1/calamity/{path}", json=body, headers=login(SECRETARY_A))


async def test_a_quick_choice_is_computed_from_the_clock(api: httpx.AsyncClient, login) -> None:
    # The product's clock stands at TODAY 10:00 (tests/conftest.py).
    said = {}
    for choice in ("vanmiddag", "morgenochtend", "vandaag"):
        resp = await preview(api, login, {"mailbox": BURGEMEESTER, "window": choice})
        assert resp.status_code == 200, resp.text
        said[choice] = (resp.json()["start"], resp.json()["end"])
    assert said["vanmiddag"] == (local(TODAY, 12).isoformat(), local(TODAY, 17).isoformat())
    morning = next_working_day(TODAY)
    assert said["morgenochtend"] == (local(morning, 8).isoformat(), local(morning, 12).isoformat())
    assert said["vandaag"][1] == local(TODAY + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "Kies een periode"),
        ({"start": local(TODAY, 9).isoformat(), "end": local(TODAY, 9).isoformat()},
         "einde na het begin"),
        ({"start": local(TODAY).isoformat(),
          "end": local(TODAY + dt.timedelta(days=15)).isoformat()}, "hoogstens 14 dagen"),
        ({"start": local(TODAY).isoformat()}, "begin en het einde"),
    ],
    ids=["no window", "empty", "fifteen days", "no end"],
)  # fmt: skip
async def test_a_window_that_cannot_be_cleared_is_refused_in_dutch(
    api: httpx.AsyncClient, login, body: dict, says: str
) -> None:
    for path, extra in (
        ("preview", {"mailbox": BURGEMEESTER}),
        ("group/preview", {"mailboxes": BOTH}),
    ):
        resp = await preview(api, login, {**body, **extra}, path)
        assert resp.status_code == 422, resp.text
        error = resp.json()["error"]
        assert error["code"] == "invalid_window" and says in error["message"], error
        assert set(error) == {"code", "message", "request_id"}


async def two_agendas(tenant: Tenant, day: str, label: str) -> None:
    """On ``day``: Maarten organises a meeting with Bas, is invited to one of Bas's and has a
    study day (all day: it stays); Ingrid organises three meetings with Bas."""
    await invite(tenant, GEMEENTESECRETARIS, f"{label} overleg", day, "14:00", [BAS])
    await invite(tenant, BAS, f"{label} werkbezoek", day, "16:00", [GEMEENTESECRETARIS])
    midnight = {"dateTime": f"{day}T00:00:00", "timeZone": "W. Europe Standard Time"}
    after = dt.date.fromisoformat(day) + dt.timedelta(days=1)
    study = {"subject": f"{label} studiedag", "isAllDay": True, "start": midnight,
             "end": {**midnight, "dateTime": f"{after}T00:00:00"}}  # fmt: skip
    await graph(tenant, GEMEENTESECRETARIS, "POST", f"/users/{GEMEENTESECRETARIS}/events", study)
    for hour in ("09:00", "10:00", "11:00"):
        await invite(tenant, BURGEMEESTER, f"{label} {hour}", day, hour, [BAS])


def window_of(day: str) -> dict[str, str]:
    start = dt.date.fromisoformat(day)
    return {
        "start": local(start).isoformat(),
        "end": local(start + dt.timedelta(days=1)).isoformat(),
    }


async def test_both_executives_are_cleared_in_one_go_exactly_once(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    label = "Beide"
    await two_agendas(tenant, WED, label)
    window = {"start": WEDNESDAY[0], "end": WEDNESDAY[1]}
    shown = await preview(api, login, {"mailboxes": BOTH, **window}, "group/preview")
    assert shown.status_code == 200, shown.text
    group = shown.json()
    assert [r["mailbox"] for r in group["reports"]] == BOTH
    ingrid, maarten = group["reports"]
    assert ingrid["operation_id"] == member_id(group["operation_id"], BURGEMEESTER)
    [all_day] = [i for i in maarten["items"] if i["all_day"]]
    assert all_day["action"] == "keep" and all_day["outcome"] == "blijft staan"
    planned = {i["subject"]: i["outcome"] for i in maarten["items"]}
    assert planned[f"{label} overleg"] == "wordt geannuleerd"
    assert planned[f"{label} werkbezoek"] == "wordt afgemeld"

    body = {"mailboxes": BOTH, **window, "operation_id": group["operation_id"]}
    done = await api.post(
        "/api/v1/calamity/group/execute", json=body, headers=waiting(login(SECRETARY_A))
    )
    assert done.status_code == 200, done.text
    cleared = done.json()
    assert cleared["status"] == "done" and [r["status"] for r in cleared["reports"]] == ["done"] * 2
    outcomes = {i["subject"]: i["outcome"] for i in cleared["reports"][1]["items"]}
    assert outcomes[f"{label} overleg"] == "geannuleerd"
    assert outcomes[f"{label} werkbezoek"] == "afgemeld"
    assert {i["outcome"] for i in cleared["reports"][0]["items"]} <= {
        "geannuleerd", "afgemeld", "verwijderd", "blijft staan"}  # fmt: skip
    left = {e["subject"] for e in await find_all(tenant, GEMEENTESECRETARIS, *WEDNESDAY)}
    assert not {f"{label} overleg", f"{label} werkbezoek"} & left

    again = await api.post(
        "/api/v1/calamity/group/execute", json=body, headers=waiting(login(SECRETARY_A))
    )
    assert again.json()["reports"] == cleared["reports"]
    assert await cancellations(tenant, BAS, f"{label} overleg") == 1
    progress = await api.get(f"/api/v1/calamity/group/{group['operation_id']}",
                             params={"mailbox": BOTH}, headers=login(SECRETARY_A))  # fmt: skip
    assert progress.status_code == 200 and progress.json()["reports"] == cleared["reports"]
    single = await api.get(f"/api/v1/calamity/{maarten['operation_id']}",
                           headers=login(SECRETARY_A))  # fmt: skip
    assert single.json()["items"] == cleared["reports"][1]["items"]


async def test_a_group_is_refused_whole_when_one_agenda_is_not_hers(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    window = {"start": WEDNESDAY[0], "end": WEDNESDAY[1]}
    body = {"mailboxes": [GEMEENTESECRETARIS, "joost.brinkhorst@zeeveen.nl"], **window}
    refused = await preview(api, login, body, "group/preview")
    assert refused.status_code == 403
    other = await api.post("/api/v1/calamity/group/preview", json={"mailboxes": BOTH, **window},
                           headers=login(SECRETARY_B))  # fmt: skip
    assert other.status_code == 403
    unseen = {"mailboxes": BOTH, **window, "operation_id": "nooit-bekeken-1234"}
    first = await api.post("/api/v1/calamity/group/execute", json=unseen,
                           headers=waiting(login(SECRETARY_A)))  # fmt: skip
    assert first.status_code == 400 and first.json()["error"]["code"] == "preview_first"


async def test_a_group_whose_worker_died_is_finished_from_either_agenda(
    backend: FastAPI, api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    label, day = "Gestorven", seed_day("thu").isoformat()
    await two_agendas(tenant, day, label)
    window = window_of(day)
    group = (await preview(api, login, {"mailboxes": BOTH, **window}, "group/preview")).json()
    body = {"mailboxes": BOTH, **window, "operation_id": group["operation_id"]}
    ingrid = member_id(group["operation_id"], BURGEMEESTER)
    killed_after(monkeypatch, 2, only=ingrid)  # dies in Ingrid's clear
    killed_before(monkeypatch, member_id(group["operation_id"], GEMEENTESECRETARIS))  # not run
    await worker_dies(backend, api.post("/api/v1/calamity/group/execute", json=body,
                                        headers=login(SECRETARY_A)))  # fmt: skip
    monkeypatch.undo()
    clock.hold()
    clock.advance(PAST_THE_LEASE)
    state = await api.get(f"/api/v1/calamity/{ingrid}", headers=login(SECRETARY_A))
    assert state.json()["status"] == "interrupted"
    pane = await api.get("/pane/agenda/inhoud", params={"mailbox": BURGEMEESTER},
                         headers=login(SECRETARY_A))  # fmt: skip
    [shown] = re.findall(r'data-testid="onderbroken-leegmaken".*?</p>', pane.text, re.S)
    assert f"/pane/agenda/leegmaken/{ingrid}/afmaken" in shown
    assert await find(tenant, GEMEENTESECRETARIS, f"{label} overleg", *window.values())

    finished = await api.post(f"/api/v1/calamity/{ingrid}/resume", headers=login(SECRETARY_A))
    assert finished.status_code == 200 and finished.json()["status"] == "done"
    other = member_id(group["operation_id"], GEMEENTESECRETARIS)
    maarten = await api.get(f"/api/v1/calamity/{other}", headers=login(SECRETARY_A))
    assert maarten.json()["status"] == "done"
    assert not await find(tenant, GEMEENTESECRETARIS, f"{label} overleg", *window.values())
    assert await cancellations(tenant, BAS, f"{label} overleg") == 1
    again = await api.post(
        "/api/v1/calamity/group/execute", json=body, headers=waiting(login(SECRETARY_A))
    )
    assert again.json()["status"] == "done"
    assert await cancellations(tenant, BAS, f"{label} overleg") == 1


async def test_the_pane_previews_her_own_period_for_both_and_reports_by_day(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    label, fri = "Paneel", seed_day("fri")
    await two_agendas(tenant, fri.isoformat(), label)
    agenda = await api.get("/pane/agenda/inhoud", params={"mailbox": BURGEMEESTER},
                           headers=login(SECRETARY_A))  # fmt: skip
    assert "Ook de agenda van Maarten Oosterveld" in agenda.text and "Morgenochtend" in agenda.text
    body = {"mailbox": BURGEMEESTER, "window": "eigen", "also": [GEMEENTESECRETARIS],
            "start": f"{fri}T08:00", "end": f"{fri}T18:00"}  # fmt: skip
    shown = await api.post("/pane/agenda/leegmaken/voorbeeld", json=body,
                           headers=login(SECRETARY_A))  # fmt: skip
    assert shown.status_code == 200, shown.text
    assert shown.text.count('data-testid="leegmaken-agenda"') == 2
    assert "Maarten Oosterveld" in shown.text and f"{label} werkbezoek" in shown.text
    [vals] = re.findall(r"data-vals='([^']*)' data-voorbeeld", shown.text)
    operation = re.search(r'"operation_id": "([^"]+)"', vals)
    assert operation is not None
    window = window_of(fri.isoformat())  # the whole day: the study day too
    run = {"mailbox": BURGEMEESTER, "also": [GEMEENTESECRETARIS], **window,
           "operation_id": operation.group(1), "cancel_message": "Gaat niet door.",
           "decline_message": "Kan niet."}  # fmt: skip
    clicked = await api.post("/pane/agenda/leegmaken/uitvoeren", json=run,
                             headers=login(SECRETARY_A))  # fmt: skip
    progress = (f"/pane/agenda/leegmaken/{operation.group(1)}/voortgang"
                f"?ook={BURGEMEESTER}&ook={GEMEENTESECRETARIS}")  # fmt: skip
    report = await followed(api, clicked, progress, login(SECRETARY_A))
    assert 'data-status="done"' in report.text and "Agenda&#39;s leeggemaakt" in report.text
    days = re.findall(r'data-testid="verslag-dag">([^<]+)<', report.text)
    assert days and set(days) == {dutch_day(fri)}
    items = re.findall(r'data-testid="verslag-item">(.*?)</li>', report.text, re.S)
    mine = {re.sub(r"<[^>]+>", "", i).split(label)[0].strip(): i for i in items if label in i}
    assert any("geannuleerd" in k for k in mine) and any("afgemeld" in k for k in mine)
    [study] = [i for i in items if f"{label} studiedag" in i]
    assert "blijft staan" in study and "hele dag" in study and "00:00" not in study
    bad = await api.post("/pane/agenda/leegmaken/voorbeeld", headers=login(SECRETARY_A),
                         json={**body, "end": body["start"]})  # fmt: skip
    assert bad.status_code == 422 and "einde na het begin" in bad.text
