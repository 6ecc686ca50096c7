"""Postverwerking over the API: Monique sees the burgemeester's new mail, marks it "gezien",
Ellen sees who did; Karin (another team) is refused by name."""

from __future__ import annotations

import uuid

import httpx

from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY, SECRETARY_B
from tests.server.test_quicksteps_api import new_message

MONIQUE, ELLEN = SECRETARY_A, SECRETARY_A_FRIDAY
URL = f"/api/v1/processing/{BURGEMEESTER}"


async def test_new_mail_listed_then_seen_shows_who(api: httpx.AsyncClient, login, tenant) -> None:
    mail = await new_message(tenant, "Uitnodiging jubileum")
    listed = await api.get(URL, headers=login(MONIQUE))
    assert listed.status_code == 200, listed.text
    [shown] = [m for m in listed.json()["unhandled"] if m["id"] == mail]
    assert shown["from"] and "@" not in shown["from"]

    body = {"message_ids": [mail], "operation_id": str(uuid.uuid4())}
    seen = await api.post(f"{URL}/seen", json=body, headers=login(MONIQUE))
    assert seen.status_code == 200, seen.text
    assert seen.json()["marked"] == [mail]

    after = (await api.get(URL, headers=login(ELLEN))).json()
    assert mail not in {m["id"] for m in after["unhandled"]}
    [done] = [m for m in after["handled"] if m["id"] == mail]
    assert done["handled"]["how"] == "seen"
    assert done["handled"]["by_name"] == "Monique Verschuren"

    undone = await api.post(f"{URL}/unseen", json={**body, "operation_id": str(uuid.uuid4())},
                            headers=login(ELLEN))  # fmt: skip
    assert undone.status_code == 200, undone.text
    back = (await api.get(URL, headers=login(MONIQUE))).json()
    assert mail in {m["id"] for m in back["unhandled"]}


async def test_counts_per_executive(api: httpx.AsyncClient, login, tenant) -> None:
    await new_message(tenant, "Vraag over subsidie")
    found = await api.get("/api/v1/processing/counts", headers=login(MONIQUE))
    assert found.status_code == 200, found.text
    assert found.json()[BURGEMEESTER] >= 1


async def test_another_team_is_refused_naming_people(api: httpx.AsyncClient, login) -> None:
    listed = await api.get(URL, headers=login(SECRETARY_B))
    assert listed.status_code == 403
    error = listed.json()["error"]
    assert error["code"] == "access_denied"
    assert error["message"].startswith("Karin Molenaar werkt niet voor Ingrid Zwanenburg")
    body = {"message_ids": ["x"], "operation_id": str(uuid.uuid4())}
    seen = await api.post(f"{URL}/seen", json=body, headers=login(SECRETARY_B))
    assert seen.status_code == 403 and seen.json()["error"]["code"] == "access_denied"


async def test_since_without_time_zone_is_refused(api: httpx.AsyncClient, login) -> None:
    listed = await api.get(URL, params={"since": "2026-11-24T08:00:00"}, headers=login(MONIQUE))
    assert listed.status_code == 422
    assert "error" in listed.json()
