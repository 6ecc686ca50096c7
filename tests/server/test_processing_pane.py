"""The pane's Postverwerking as HTML: the list with a "Gezien" per mail, the notice after a
click naming who had seen it first, the team table's count cell; mail text arrives escaped."""

from __future__ import annotations

import uuid

import httpx

from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY, SECRETARY_B
from tests.server.test_quicksteps_api import new_message

MONIQUE, ELLEN = SECRETARY_A, SECRETARY_A_FRIDAY
VIEW = "/pane/postverwerking/inhoud"


async def test_list_seen_and_the_colleague_s_earlier_mark(
    api: httpx.AsyncClient, login, tenant
) -> None:
    mail = await new_message(tenant, "<b>Vet</b> onderwerp")
    page = await api.get(VIEW, params={"mailbox": BURGEMEESTER}, headers=login(MONIQUE))
    assert page.status_code == 200, page.text
    assert f'data-bericht="{mail}"' in page.text
    assert "&lt;b&gt;Vet&lt;/b&gt;" in page.text and "<b>Vet</b>" not in page.text

    first = {"mailbox": BURGEMEESTER, "message_ids": [mail], "operation_id": str(uuid.uuid4())}
    seen = await api.post("/pane/postverwerking/gezien", json=first, headers=login(ELLEN))
    assert seen.status_code == 200, seen.text
    assert "1 bericht gezien." in seen.text and f'data-bericht="{mail}"' not in seen.text

    again = {**first, "operation_id": str(uuid.uuid4())}
    late = await api.post("/pane/postverwerking/gezien", json=again, headers=login(MONIQUE))
    assert "1 bericht was al gezien door Ellen Dijkhuis." in late.text


async def test_team_table_count_cell(api: httpx.AsyncClient, login, tenant) -> None:
    await new_message(tenant, "Telling")
    cell = await api.get("/pane/postverwerking/telling", params={"executive": BURGEMEESTER},
                         headers=login(MONIQUE))  # fmt: skip
    assert cell.status_code == 200, cell.text
    assert 'data-testid="post-telling"' in cell.text
    assert "nog niet verwerkt" in cell.text


async def test_werkvoorraad_asks_for_the_counts(api: httpx.AsyncClient, login) -> None:
    page = await api.get("/pane/werkvoorraad/inhoud", params={"mailbox": BURGEMEESTER},
                         headers=login(MONIQUE))  # fmt: skip
    assert page.status_code == 200, page.text
    assert page.text.count('data-testid="post-cel"') == 2  # the burgemeester, the secretaris


async def test_seen_on_a_selection_finds_the_mail_by_outlooks_current_id(
    api: httpx.AsyncClient, login, tenant
) -> None:
    """Outlook names a selected mail by its current id, which changed when it was moved out
    and back; "gezien" still takes it off the team's list (which knows the immutable id), a
    mail no longer there is named as such, and subjects from Outlook arrive escaped."""
    mail = await new_message(tenant, "Heen en terug")
    gone = await new_message(tenant, "Al verwijderd")
    async with tenant.raw(BURGEMEESTER, prefer=None) as graph:  # Outlook's (regular) ids
        base = f"/users/{BURGEMEESTER}/messages"
        (await graph.delete(f"{base}/{gone}")).raise_for_status()  # to Deleted Items
        (await graph.delete(f"{base}/{gone}")).raise_for_status()  # and out of it
        moved = await graph.post(f"{base}/{mail}/move", json={"destinationId": "archive"})
        back = await graph.post(f"{base}/{moved.json()['id']}/move",
                                json={"destinationId": "inbox"})  # fmt: skip
        current = back.json()["id"]
    assert current != mail
    body = {"mailbox": BURGEMEESTER, "messages": [current, gone],
            "labels": {current: "<i>Heen</i>", gone: "Weg"},
            "operation_id": str(uuid.uuid4())}  # fmt: skip
    seen = await api.post("/pane/selectie/gezien", json=body, headers=login(MONIQUE))
    assert seen.status_code == 200, seen.text
    assert "1 bericht gezien<" in seen.text, seen.text
    assert 'data-status="weg"' in seen.text, seen.text
    assert "&lt;i&gt;Heen&lt;/i&gt;" in seen.text and "<i>Heen" not in seen.text
    listed = await api.get(VIEW, params={"mailbox": BURGEMEESTER}, headers=login(ELLEN))
    assert f'data-bericht="{mail}"' not in listed.text.split('data-testid="post-verwerkt"')[0]


async def test_seen_on_a_selection_only_in_a_mailbox_she_works_in(
    api: httpx.AsyncClient, login, tenant
) -> None:
    mail = await new_message(tenant, "Niet van haar")
    body = {"mailbox": BURGEMEESTER, "messages": [mail], "operation_id": str(uuid.uuid4())}
    refused = await api.post("/pane/selectie/gezien", json=body, headers=login(SECRETARY_B))
    assert refused.status_code == 403
    listed = await api.get(VIEW, params={"mailbox": BURGEMEESTER}, headers=login(MONIQUE))
    assert f'data-bericht="{mail}"' in listed.text
