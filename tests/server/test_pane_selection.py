"""Several messages selected (item multi-select) as the server renders them: the selection, the
refusal, the limits, and a quick step on all of them with its per-message outcome and retry."""

from __future__ import annotations

import html
import json
import re
import uuid

import httpx
from markupsafe import escape

from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B

HOSTILE = '<script>window.__pwned=1</script>Begroting "><img src=x onerror=alert(1)>'
STEP = "Ter afhandeling backoffice"


async def inbox_ids(tenant: Tenant, mailbox: str, top: int) -> list[str]:
    async with tenant.raw(mailbox) as graph:
        url = f"/users/{mailbox}/mailFolders/inbox/messages?$top={top}&$select=id"
        return [m["id"] for m in (await graph.get(url)).json()["value"]]


async def test_the_selection_is_counted_named_and_escaped(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    ids = await inbox_ids(tenant, BURGEMEESTER, 5)
    selected = [{"id": i, "subject": f"Bericht {n}"} for n, i in enumerate(ids)]
    selected[0]["subject"] = HOSTILE
    resp = await api.post(
        "/pane/bericht/inhoud",
        json={"mailbox": BURGEMEESTER, "messages": selected},
        headers=login(SECRETARY_A),
    )
    assert resp.status_code == 200, resp.text
    assert "5 berichten geselecteerd in het postvak van Ingrid Zwanenburg" in resp.text
    assert "<script>window.__pwned" not in resp.text and "<img src=x" not in resp.text
    assert str(escape(HOSTILE)) in resp.text
    assert "Snelle stappen op 5 berichten" in resp.text
    assert re.search(r'data-post="[^"]*/pane/selectie/voorbeeld"', resp.text)


async def test_another_team_is_refused_and_learns_no_subject(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    ids = await inbox_ids(tenant, BURGEMEESTER, 2)
    resp = await api.post(
        "/pane/bericht/inhoud",
        json={"mailbox": BURGEMEESTER, "messages": [{"id": i, "subject": "Geheim"} for i in ids]},
        headers=login(SECRETARY_B),
    )
    assert resp.status_code == 403
    assert "Geheim" not in resp.text and 'role="alert"' in resp.text


async def test_over_fifty_has_no_steps_and_over_a_hundred_is_refused(
    api: httpx.AsyncClient, login
) -> None:
    many = [{"id": f"AAMk{n}", "subject": f"Bericht {n}"} for n in range(60)]
    resp = await api.post(
        "/pane/bericht/inhoud",
        json={"mailbox": BURGEMEESTER, "messages": many},
        headers=login(SECRETARY_A),
    )
    assert resp.status_code == 200
    assert "ten hoogste 50 berichten tegelijk" in resp.text
    assert "/pane/selectie/voorbeeld" not in resp.text
    too_many = [{"id": f"AAMk{n}"} for n in range(101)]
    resp = await api.post(
        "/pane/bericht/inhoud",
        json={"mailbox": BURGEMEESTER, "messages": too_many},
        headers=login(SECRETARY_A),
    )
    assert resp.status_code == 422


async def test_one_operation_per_message_outcome_and_a_retry_for_what_was_not_done(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    ids = await inbox_ids(tenant, BURGEMEESTER, 3)
    gone = ids[0][:-6] + "AAAAA="  # a message that is not (or no longer) there
    body = {"mailbox": BURGEMEESTER, "step": STEP, "messages": [*ids, gone]}
    preview = await api.post("/pane/selectie/voorbeeld", json=body, headers=login(SECRETARY_A))
    assert preview.status_code == 200, preview.text
    assert f"{STEP} op 4 berichten: dit gaat er gebeuren" in preview.text
    assert preview.text.count('data-testid="voorbeeld-bericht"') == 4
    assert "Wordt overgeslagen" in preview.text and "Toepassen op 3 berichten" in preview.text

    operation = str(uuid.uuid4())
    applied = await api.post(
        "/pane/selectie/toepassen",
        json={**body, "operation_id": operation},
        headers=login(SECRETARY_A),
    )
    assert applied.status_code == 200, applied.text
    assert f"{STEP} op 4 berichten: 1 niet gelukt" in applied.text
    assert applied.text.count('data-status="gedaan"') == 3
    assert applied.text.count('data-status="mislukt"') == 1
    retry = re.search(r"data-vals='([^']*)' data-operation=\"operation_id\"", applied.text)
    assert retry is not None
    assert json.loads(html.unescape(retry.group(1)))["messages"] == [gone]
    assert "Ongedaan maken" in applied.text and operation in applied.text

    again = await api.post(  # the same click again: the same operation, nothing done twice
        "/pane/selectie/toepassen",
        json={**body, "operation_id": operation},
        headers=login(SECRETARY_A),
    )
    assert again.status_code == 200
    assert again.text.count('data-status="gedaan"') == 3

    undone = await api.post(
        "/pane/snelle-stappen/ongedaan-maken",
        json={"operation_id": operation, "undo_operation_id": str(uuid.uuid4())},
        headers=login(SECRETARY_A),
    )
    assert undone.status_code == 200 and "Teruggezet" in undone.text
