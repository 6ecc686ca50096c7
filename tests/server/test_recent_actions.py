"""Laatste acties: today's operations in a mailbox, by me and by colleagues, with undo once.

What the undo restores is read back from the sandbox, not from our own answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from automations.clock import SetClock
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY, SECRETARY_B
from tests.server.test_quicksteps_api import apply, graph_get, new_message

RECENT = f"/api/v1/mailboxes/{BURGEMEESTER}/recent"


async def recent(api: httpx.AsyncClient, login, upn: str = SECRETARY_A) -> list[dict[str, Any]]:
    resp = await api.get(RECENT, headers=login(upn))
    assert resp.status_code == 200, resp.text
    actions: list[dict[str, Any]] = resp.json()["actions"]
    return actions


async def applied(api: httpx.AsyncClient, login, step: str, message: str, actor: str) -> str:
    resp = await apply(api, login, step, [message], actor=actor)
    assert resp.status_code == 200, resp.text
    operation_id: str = resp.json()["operation_id"]
    return operation_id


async def test_the_list_shows_everyones_steps_today_newest_first(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    first = await new_message(tenant, "Subsidie <b>speeltuin</b>")
    second = await new_message(tenant, "Verzoek om gesprek")
    third = await new_message(tenant, "Uitnodiging opening")
    ops = [await applied(api, login, "Ter kennisname bestuurder", first, SECRETARY_A)]
    clock.advance(dt.timedelta(minutes=1))
    ops.append(await applied(api, login, "Afgehandeld", second, SECRETARY_A))
    clock.advance(dt.timedelta(minutes=1))
    ops.append(await applied(api, login, "Ter afhandeling backoffice", third, SECRETARY_A_FRIDAY))

    actions = await recent(api, login)

    mine = [a for a in actions if a["operation_id"] in ops]
    assert [a["operation_id"] for a in mine] == ops[::-1]
    assert [a["who"] for a in mine] == ["Ellen Dijkhuis", "ik", "ik"]
    assert mine[0]["what"] == "Snelle stap ‘Ter afhandeling backoffice’"
    assert mine[2]["subjects"][0].startswith("Subsidie <b>speeltuin</b>")
    assert all(a["outcome"] == "gelukt" and a["undoable"] for a in mine)
    assert all(len(a["at"]) == 5 and a["at"][2] == ":" for a in mine)
    seen_by_ellen = await recent(api, login, SECRETARY_A_FRIDAY)
    assert [a["who"] for a in seen_by_ellen if a["operation_id"] in ops] == [
        "ik", "Monique Verschuren", "Monique Verschuren",
    ]  # fmt: skip


async def test_undo_from_the_list_restores_the_message_once(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message = await new_message(tenant, "Bezwaar parkeervergunning")
    before = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message}")
    op = await applied(api, login, "Afgehandeld", message, SECRETARY_A)
    moved = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message}")
    assert moved["parentFolderId"] != before["parentFolderId"]

    undo = f"{RECENT}/{op}/undo"
    resp = await api.post(undo, headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    [result] = resp.json()["messages"]
    assert result["status"] == "done"

    back = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message}")
    assert back["parentFolderId"] == before["parentFolderId"]
    assert back["categories"] == before["categories"]
    [line] = [a for a in await recent(api, login) if a["operation_id"] == op]
    assert not line["undoable"] and line["undone_by"] == "ik"
    undos = [a for a in await recent(api, login) if a["kind"] == "quickstep.undo"]
    assert [a["what"] for a in undos][:1] == ["Ongedaan gemaakt: ‘Afgehandeld’"]

    again = await api.post(undo, headers=login(SECRETARY_A))  # her second click: the same
    assert again.status_code == 200 and again.json() == resp.json()
    other = await api.post(undo, headers=login(SECRETARY_A_FRIDAY))  # a colleague: refused
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "already_undone"
    assert "door Monique Verschuren om " in other.json()["error"]["message"]
    count = sum(a["kind"] == "quickstep.undo" for a in await recent(api, login))
    assert count == len(undos)


async def test_a_secretary_of_another_team_is_refused(api: httpx.AsyncClient, login) -> None:
    resp = await api.get(RECENT, headers=login(SECRETARY_B))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "access_denied"


async def test_a_secretary_of_another_team_may_not_undo(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message = await new_message(tenant, "Vraag over afvalinzameling")
    op = await applied(api, login, "Ter kennisname bestuurder", message, SECRETARY_A)
    resp = await api.post(f"{RECENT}/{op}/undo", headers=login(SECRETARY_B))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "access_denied"


async def test_yesterdays_operations_are_not_listed(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    message = await new_message(tenant, "Jaarverslag bibliotheek")
    op = await applied(api, login, "Ter kennisname bestuurder", message, SECRETARY_A)
    assert op in [a["operation_id"] for a in await recent(api, login)]
    clock.advance(dt.timedelta(days=1))
    assert op not in [a["operation_id"] for a in await recent(api, login)]
