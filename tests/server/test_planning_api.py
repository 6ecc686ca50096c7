"""Plannen through the API and the guests' public page: Karin plans an overleg for the three
wethouders, holds three options, both guests answer on their page (which shows nothing of the
other), and booking — twice — leaves one meeting and no options. A tampered, an expired and a
hammered link are refused as pages, not as JSON."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import httpx

from automations.clock import SetClock
from tests.automations.planning.test_flows import (
    ANOUK,
    BAS,
    FATIMA,
    GUESTS,
    JOOST,
    KARIN,
    PIETERJAN,
    events_called,
    holds_of,
    links_sent,
)
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A

BASE = "/api/v1/planning"


def op() -> str:
    return str(uuid.uuid4())


async def made(api: httpx.AsyncClient, login, clock: SetClock, **extra: Any) -> dict[str, Any]:
    today = clock.now().date()
    body = {
        "title": f"Bestuurlijk overleg kustverdediging {uuid.uuid4().hex[:4]}",
        "executives": [JOOST, FATIMA, PIETERJAN],
        "internal": [{"address": BAS}, {"address": ANOUK, "required": False}],
        "external": [{"address": a, "name": n} for a, n in GUESTS],
        "duration_minutes": 60, "online": True,
        "window_start": (today + dt.timedelta(days=14)).isoformat(),
        "window_end": (today + dt.timedelta(days=41)).isoformat(),
        "conditions": {"not_on": [1], "mornings_only": False}, **extra,
    }  # fmt: skip
    resp = await api.post(BASE, json=body, headers=login(KARIN))
    assert resp.status_code == 201, resp.text
    return resp.json()


async def held(api: httpx.AsyncClient, login, clock: SetClock, n: int = 3) -> dict[str, Any]:
    request = await made(api, login, clock)
    found = await api.get(f"{BASE}/{request['id']}/candidates", headers=login(KARIN))
    assert found.status_code == 200, found.text
    starts = [c["start"] for c in found.json()["candidates"][:n]]
    resp = await api.post(f"{BASE}/{request['id']}/options",
                          json={"starts": starts, "operation_id": op()},
                          headers=login(KARIN))  # fmt: skip
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_plan_hold_answer_and_book_once(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    request = await held(api, login, clock)
    assert request["status"] == "holding" and len(request["options"]) == 3
    assert all(sorted(o["held_for"]) == sorted([JOOST, FATIMA, PIETERJAN])
               for o in request["options"])  # fmt: skip
    links = await links_sent(tenant, request["title"])
    first, second, _ = (o["id"] for o in request["options"])

    page = await api.get(f"/gast/{links['gs@kustland.example']}")
    assert page.status_code == 200 and request["title"] in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "burgemeester@buurdorp.example" not in page.text  # nothing of the other guest
    assert "Buurdorp" not in page.text
    assert page.text.count('name="past"') == 3
    answered = await api.post(f"/gast/{links['gs@kustland.example']}",
                              data={"past": [first, second]})  # fmt: skip
    assert answered.status_code == 200 and "Uw keuze is opgeslagen" in answered.text
    await api.post(f"/gast/{links['burgemeester@buurdorp.example']}", data={"past": [second]})

    queue = (await api.get("/api/v1/queue", headers=login(KARIN))).json()["items"]
    [work] = [i for i in queue if i["key"] == f"planning:{request['id']}"]
    assert work["kind_label"] == "Overleg plannen" and work["mailbox"] == JOOST
    assert work["detail"] == "2 van 2 gasten antwoordden" and work["due"] == request["decide_by"]
    grid = (await api.get(f"{BASE}/{request['id']}/matrix", headers=login(KARIN))).json()
    cells = {(c["address"], c["option"]): c["state"] for c in grid["cells"]}
    assert cells[("burgemeester@buurdorp.example", first)] == "past niet"
    assert grid["fits"][second] == max(grid["fits"].values())

    body = {"option": second, "operation_id": op()}
    booked = await api.post(f"{BASE}/{request['id']}/book", json=body, headers=login(KARIN))
    assert booked.status_code == 200, booked.text
    again = await api.post(f"{BASE}/{request['id']}/book", json={**body, "operation_id": op()},
                           headers=login(KARIN))  # fmt: skip
    assert again.json()["status"] == "booked" and again.json() == booked.json()
    for who in (JOOST, FATIMA, PIETERJAN, BAS, ANOUK):
        assert await holds_of(tenant, who, request["title"]) == []
        assert len(await events_called(tenant, who, request["title"])) == 1
    after = (await api.get("/api/v1/queue", headers=login(KARIN))).json()["items"]
    assert f"planning:{request['id']}" not in [i["key"] for i in after]  # booked: done
    gone = await api.get(f"/gast/{links['gs@kustland.example']}")
    assert gone.status_code == 410 and "verlopen" in gone.text


async def test_a_tampered_or_expired_link_is_a_page_saying_so(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    request = await held(api, login, clock, n=1)
    links = await links_sent(tenant, request["title"])
    token = links["gs@kustland.example"]
    tampered = await api.get(f"/gast/{token[:-3]}abc")
    assert tampered.status_code == 404 and "ongeldig" in tampered.text
    assert tampered.headers["content-type"].startswith("text/html")
    clock.advance(dt.timedelta(days=60))  # past the decision date
    expired = await api.post(f"/gast/{token}", data={"past": [request["options"][0]["id"]]})
    assert expired.status_code == 410 and "verlopen" in expired.text


async def test_a_hammered_link_is_slowed_down(
    api: httpx.AsyncClient, backend, login, tenant: Tenant, clock: SetClock
) -> None:
    statuses = [(await api.get(f"/gast/{'x' * 43}")).status_code for _ in range(25)]
    assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}


async def test_refusals_say_what_is_wrong(api: httpx.AsyncClient, login, clock: SetClock) -> None:
    today = clock.now().date()
    base = {"title": "Overleg", "executives": [JOOST], "duration_minutes": 60,
            "window_start": (today + dt.timedelta(days=7)).isoformat(),
            "window_end": (today + dt.timedelta(days=14)).isoformat()}  # fmt: skip
    other_team = await api.post(BASE, json=base, headers=login(SECRETARY_A))
    assert other_team.status_code == 403
    odd = await api.post(BASE, json={**base, "duration_minutes": 50}, headers=login(KARIN))
    assert odd.status_code == 422 and "veelvoud van 15" in odd.json()["error"]["message"]
    past = await api.post(BASE, json={**base, "window_start": (today - dt.timedelta(days=1))
                                      .isoformat()}, headers=login(KARIN))  # fmt: skip
    assert past.status_code == 422 and past.json()["error"]["code"] == "unprocessable"
    bad = await api.post(BASE, json={**base, "external": [{"address": "geen adres"}]},
                         headers=login(KARIN))  # fmt: skip
    assert bad.status_code == 422 and "geen geldig e-mailadres" in bad.json()["error"]["message"]
    request = await made(api, login, clock)
    outside = await api.post(f"{BASE}/{request['id']}/options", headers=login(KARIN), json={
        "starts": [f"{today + dt.timedelta(days=100)}T10:00:00+01:00"],
        "operation_id": op()})  # fmt: skip
    assert outside.status_code in (400, 422)
    assert re.search(r"buiten de periode|Controleer", outside.text)
