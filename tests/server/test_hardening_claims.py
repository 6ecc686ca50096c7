"""Claims are told only to the team: someone outside it is refused before any claim is looked
up, learns nobody's name, and leaves no "went ahead anyway" in the audit log."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from automations.context import Actor
from automations.errors import AccessDenied
from automations.queue.flows import ensure_unclaimed
from automations.roster.service import snapshot
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
    STAFF,
    WETHOUDERS,
)
from tests.server.test_quicksteps_api import new_message
from tests.server.waiting import waiting

WETHOUDER = WETHOUDERS[0]  # team B's: Karin works in her mailbox, Monique does not
KARIN = ("Karin", "Molenaar", "bezig")  # what must not reach an outsider

OUTSIDERS = pytest.mark.parametrize(
    "outsider", [SECRETARY_A, STAFF], ids=["secretary-of-another-team", "not-on-the-roster"]
)


async def karin_picks_up(api: httpx.AsyncClient, login, tenant: Tenant) -> str:
    """Mail in the wethouder's mailbox that Karin (team B) has picked up; returns its id."""
    message_id = await new_message(tenant, "Voor de wethouder", mailbox=WETHOUDER)
    body = {"key": f"message:{message_id}", "mailbox": WETHOUDER}
    picked = await api.post("/api/v1/queue/claims", json=body, headers=login(SECRETARY_B))
    assert picked.status_code == 201, picked.text
    return message_id


async def went_ahead_anyway(api: httpx.AsyncClient, login) -> list[dict]:
    found = await api.get("/api/v1/audit", params={"action": "queue.despite_claim"},
                          headers=login(ADMIN))  # fmt: skip
    assert found.status_code == 200, found.text
    entries: list[dict] = found.json()["entries"]
    return entries


def tells_nothing(resp: httpx.Response) -> None:
    assert resp.status_code == 403, resp.text
    assert not [word for word in KARIN if word in resp.text]


def step(message_id: str, mailbox: str = WETHOUDER) -> dict:
    return {"mailbox": mailbox, "step": "Afgehandeld", "messages": [message_id],
            "operation_id": str(uuid.uuid4()), "despite_claim": True}  # fmt: skip


@OUTSIDERS
@pytest.mark.parametrize("door", ["/api/v1/quicksteps/apply", "/pane/snelle-stappen/toepassen"])
async def test_an_outsider_applying_a_step_despite_a_claim_is_refused_and_not_audited(
    api: httpx.AsyncClient, login, tenant: Tenant, outsider: str, door: str
) -> None:
    message_id = await karin_picks_up(api, login, tenant)
    resp = await api.post(door, json=step(message_id), headers=login(outsider))
    tells_nothing(resp)
    if door.startswith("/api/"):
        assert resp.json()["error"]["code"] == "access_denied"
    assert await went_ahead_anyway(api, login) == []


@OUTSIDERS
@pytest.mark.parametrize("door", ["/api/v1/drafts", "/pane/concept/klaarzetten"])
async def test_an_outsider_drafting_a_reply_despite_a_claim_is_refused_and_not_audited(
    api: httpx.AsyncClient, login, tenant: Tenant, outsider: str, door: str
) -> None:
    message_id = await karin_picks_up(api, login, tenant)
    draft = {"mailbox": WETHOUDER, "message": message_id, "template": "Ontvangstbevestiging",
             "html": "<p>Dank u.</p>", "operation_id": str(uuid.uuid4()),
             "despite_claim": True}  # fmt: skip
    tells_nothing(await api.post(door, json=draft, headers=login(outsider)))
    assert await went_ahead_anyway(api, login) == []


async def test_ensure_unclaimed_checks_the_mailbox_before_any_claim(
    api: httpx.AsyncClient, login, tenant: Tenant, backend: FastAPI
) -> None:
    """Whoever calls it (a flow that forgot to authorise first), the check comes first."""
    message_id = await karin_picks_up(api, login, tenant)
    deps = backend.state.deps
    async with deps.sessions() as session:
        outsider = Actor(SECRETARY_A, await snapshot(session))
    for despite in (False, True):
        with pytest.raises(AccessDenied) as refused:
            await ensure_unclaimed(deps, outsider, mailbox=WETHOUDER, message_ids=[message_id],
                                   despite=despite)  # fmt: skip
        assert not [word for word in KARIN if word in refused.value.message]
    assert await went_ahead_anyway(api, login) == []


async def test_a_claim_in_another_mailbox_is_not_told_through_ones_own(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    """Monique names a mailbox she works in (the burgemeester's) with the wethouder's mail:
    Karin's claim on it is neither shown, nor taken over, nor gone ahead of."""
    message_id = await karin_picks_up(api, login, tenant)
    ellens = {"key": f"message:{uuid.uuid4().hex}", "mailbox": BURGEMEESTER}
    assert (await api.post("/api/v1/queue/claims", json=ellens,
                           headers=login(SECRETARY_A_FRIDAY))).status_code == 201  # fmt: skip

    for take_over in (False, True):
        body = {"key": f"message:{message_id}", "mailbox": BURGEMEESTER, "take_over": take_over}
        tells_nothing(await api.post("/api/v1/queue/claims", json=body, headers=login(SECRETARY_A)))
    strip = await api.get("/pane/bericht/bezig", params={"mailbox": BURGEMEESTER,
                          "item": message_id}, headers=login(SECRETARY_A))  # fmt: skip
    assert strip.status_code == 200, strip.text
    assert not [word for word in KARIN[:2] if word in strip.text]
    for despite in (False, True):
        body = {**step(message_id, mailbox=BURGEMEESTER), "despite_claim": despite}
        resp = await api.post(
            "/api/v1/quicksteps/apply", json=body, headers=waiting(login(SECRETARY_A))
        )
        assert resp.status_code != 409 and "Karin" not in resp.text, resp.text
    assert await went_ahead_anyway(api, login) == []

    theirs = await api.get("/pane/bericht/bezig", params={"mailbox": WETHOUDER,
                           "item": message_id}, headers=login(SECRETARY_B))  # fmt: skip
    assert "U bent hiermee bezig" in theirs.text  # still hers
