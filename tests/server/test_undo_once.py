"""A quick step is undone once, whichever way in: the step's own outcome (API and pane) and
Laatste acties. A second undo is refused (``already_undone``, naming who and when) before
anything reaches Graph; undos racing each other take effect once.

What Graph holds is read back from the sandbox, not from our own answers.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from automations.graph import BatchRequest, GraphSession
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY
from tests.server.test_quicksteps_api import apply, graph_get, new_message

RECENT = f"/api/v1/mailboxes/{BURGEMEESTER}/recent"
UNDO = "/api/v1/quicksteps/undo"
PANE_UNDO = "/pane/snelle-stappen/ongedaan-maken"
# "… al ongedaan gemaakt door <naam> om <tijd>."
REFUSAL = re.compile(r"al ongedaan gemaakt door (.+) om \d\d:\d\d\.")


async def filed(api: httpx.AsyncClient, login, tenant: Tenant, subject: str) -> tuple[str, str]:
    """A message "Afgehandeld" (moved, categorised, read, flagged); its id and the apply's."""
    message = await new_message(tenant, subject)
    operation = str(uuid.uuid4())
    resp = await apply(api, login, "Afgehandeld", [message], operation_id=operation)
    assert resp.status_code == 200, resp.text
    return message, operation


def undo_body(operation: str, undo: str | None = None) -> dict[str, str]:
    return {"operation_id": operation, "undo_operation_id": undo or str(uuid.uuid4())}


def refused_by(resp: httpx.Response) -> str:
    assert resp.status_code == 409, resp.text
    error = resp.json()["error"]
    assert error["code"] == "already_undone"
    found = REFUSAL.search(error["message"])
    assert found, error["message"]
    return found.group(1)


async def message_state(tenant: Tenant, message: str) -> dict[str, Any]:
    got = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message}")
    return {k: got[k] for k in ("parentFolderId", "categories", "isRead", "flag")}


@pytest.fixture
def restores(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """What the product sends to Graph to change messages: (method, message) per request."""
    sent: Counter[str] = Counter()
    batch = GraphSession.batch

    async def counting(self: GraphSession, requests: Sequence[BatchRequest]) -> Any:
        for r in requests:
            if r.method == "PATCH" or r.url.endswith("/move"):
                sent[f"{r.method} {r.url.split('/messages/')[-1]}"] += 1
        return await batch(self, requests)

    monkeypatch.setattr(GraphSession, "batch", counting)
    return sent


async def test_a_second_undo_is_refused_whichever_way_in_and_graph_is_left_alone(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message, operation = await filed(api, login, tenant, "Tweemaal terug")
    first = undo_body(operation)
    done = await api.post(UNDO, json=first, headers=login(SECRETARY_A))
    assert done.status_code == 200, done.text
    assert done.json()["messages"][0]["status"] == "done"
    # Afterwards someone files the message by hand: a second undo must not touch it.
    async with tenant.raw(BURGEMEESTER) as graph:
        changed = await graph.patch(
            f"/users/{BURGEMEESTER}/messages/{message}",
            json={"categories": ["Handmatig"], "isRead": True},
        )
        changed.raise_for_status()
    by_hand = await message_state(tenant, message)

    again = await api.post(UNDO, json=undo_body(operation), headers=login(SECRETARY_A))
    assert refused_by(again) == "uzelf"
    assert again.json()["error"]["message"].startswith("Deze snelle stap is al ongedaan")
    pane = await api.post(PANE_UNDO, json=undo_body(operation), headers=login(SECRETARY_A))
    assert pane.status_code == 409 and "al ongedaan gemaakt door uzelf om" in pane.text
    colleague = await api.post(f"{RECENT}/{operation}/undo", headers=login(SECRETARY_A_FRIDAY))
    assert refused_by(colleague) == "Monique Verschuren"
    mine = await api.post(f"{RECENT}/{operation}/undo", headers=login(SECRETARY_A))
    assert refused_by(mine) == "uzelf"

    assert await message_state(tenant, message) == by_hand
    repeated = await api.post(UNDO, json=first, headers=login(SECRETARY_A))  # a retry: the same
    assert repeated.status_code == 200 and repeated.json() == done.json()
    assert await message_state(tenant, message) == by_hand
    lines = (await api.get(RECENT, headers=login(SECRETARY_A))).json()["actions"]
    [line] = [a for a in lines if a["operation_id"] == operation]
    assert line["undone_by"] == "ik" and not line["undoable"]
    assert sum(a["kind"] == "quickstep.undo" for a in lines) == 1


async def test_undos_racing_each_other_take_effect_once(
    api: httpx.AsyncClient, login, tenant: Tenant, restores: Counter[str]
) -> None:
    message, operation = await filed(api, login, tenant, "Drie handen tegelijk")
    before_undo = await message_state(tenant, message)
    restores.clear()  # what the apply sent

    answers = await asyncio.gather(
        api.post(UNDO, json=undo_body(operation), headers=login(SECRETARY_A)),
        api.post(PANE_UNDO, json=undo_body(operation), headers=login(SECRETARY_A)),
        api.post(f"{RECENT}/{operation}/undo", headers=login(SECRETARY_A_FRIDAY)),
        api.post(UNDO, json=undo_body(operation), headers=login(SECRETARY_A_FRIDAY)),
    )

    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], [a.text for a in answers]
    for lost in (a for a in answers if a.status_code == 409):
        assert "al ongedaan gemaakt door" in lost.text
    assert restores == {f"PATCH {message}": 1, f"POST {message}/move": 1}
    back = await message_state(tenant, message)
    assert back["parentFolderId"] != before_undo["parentFolderId"]  # in the Inbox again
    assert back["categories"] == [] and back["isRead"] is False


async def test_two_clicks_on_the_same_line_at_once_take_effect_once(
    api: httpx.AsyncClient, login, tenant: Tenant, restores: Counter[str]
) -> None:
    message, operation = await filed(api, login, tenant, "Dubbelklik")
    restores.clear()  # what the apply sent

    answers = await asyncio.gather(
        *(api.post(f"{RECENT}/{operation}/undo", headers=login(SECRETARY_A)) for _ in range(2))
    )

    # The same undo twice: the first result again, or "busy" while the first one runs.
    codes = sorted(a.status_code for a in answers)
    assert codes in ([200, 200], [200, 409]), [a.text for a in answers]
    for busy in (a for a in answers if a.status_code == 409):
        assert busy.json()["error"]["code"] == "operation_in_progress"
    assert restores == {f"PATCH {message}": 1, f"POST {message}/move": 1}
