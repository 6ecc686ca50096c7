"""The pane's Postverwerking as HTML: the list with a "Gezien" per mail, the notice after a
click naming who had seen it first, the team table's count cell; mail text arrives escaped."""

from __future__ import annotations

import uuid

import httpx

from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY
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
