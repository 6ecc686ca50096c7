"""A clear of both executives where the worker that took Maarten's clear died before it
started it: Ingrid's agenda was cleared (her clear is a task of its own), Maarten's was
planned but never started. Seconds later Maarten's reads as interrupted
(the API, the group's progress, his agenda's "onderbroken" list), and "Afmaken" finishes it;
nothing is done twice, also when the group is run again afterwards.

The death is simulated in-process as in ``test_hardening_crash``: the worker raises a
``BaseException`` as it turns to Maarten's clear, so nothing more is written.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from automations.calamity import clearing
from automations.calamity.flows import member_id
from automations.clock import SetClock
from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A
from tests.server.test_calamity_api import BAS, cancellations, find
from tests.server.test_calamity_windows import BOTH, preview, two_agendas, window_of
from tests.server.test_hardening_crash import PAST_THE_LEASE, Killed, killed_before
from tests.server.waiting import waiting, worker_dies

INTERRUPTED = "/pane/agenda/leegmaken/onderbroken"


async def status(api: httpx.AsyncClient, login, operation: str) -> str:
    resp = await api.get(f"/api/v1/calamity/{operation}", headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    found: str = resp.json()["status"]
    return found


async def outcome(api: httpx.AsyncClient, login, mailbox: str, operation: str) -> str:
    """How Laatste acties in ``mailbox`` calls the operation."""
    resp = await api.get(f"/api/v1/mailboxes/{mailbox}/recent", headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    [line] = [a for a in resp.json()["actions"] if a["operation_id"] == operation]
    said: str = line["outcome"]
    return said


async def listed(api: httpx.AsyncClient, login, mailbox: str) -> str:
    resp = await api.get(INTERRUPTED, params={"mailbox": mailbox}, headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    return resp.text


async def test_the_executive_a_dead_worker_never_started_is_interrupted_and_finished_once(
    backend: FastAPI, api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    label, day = "Tussenin", seed_day("thu").isoformat()
    await two_agendas(tenant, day, label)
    window = window_of(day)
    group = (await preview(api, login, {"mailboxes": BOTH, **window}, "group/preview")).json()
    body = {"mailboxes": BOTH, **window, "operation_id": group["operation_id"]}
    ingrid = member_id(group["operation_id"], BURGEMEESTER)
    maarten = member_id(group["operation_id"], GEMEENTESECRETARIS)
    killed_before(monkeypatch, maarten)
    await worker_dies(backend, api.post("/api/v1/calamity/group/execute", json=body,
                                        headers=login(SECRETARY_A)))  # fmt: skip
    monkeypatch.undo()
    clock.hold()

    assert await status(api, login, ingrid) == "done"
    assert await status(api, login, maarten) == "running"  # its worker's lease still runs
    assert maarten not in await listed(api, login, GEMEENTESECRETARIS)
    assert await outcome(api, login, GEMEENTESECRETARIS, maarten) == "gepland"

    clock.advance(PAST_THE_LEASE)  # nobody took his clear up: its worker is gone
    assert await status(api, login, maarten) == "interrupted"
    assert await outcome(api, login, GEMEENTESECRETARIS, maarten) == "onderbroken"
    progress = await api.get(
        f"/api/v1/calamity/group/{group['operation_id']}",
        params={"mailbox": BOTH}, headers=login(SECRETARY_A),
    )  # fmt: skip
    assert progress.json()["status"] == "interrupted"
    assert [r["status"] for r in progress.json()["reports"]] == ["done", "interrupted"]
    resume = f"/pane/agenda/leegmaken/{maarten}/afmaken"
    [shown] = re.findall(
        r'data-testid="onderbroken-leegmaken".*?</p>', await listed(api, login, GEMEENTESECRETARIS),
        re.S,
    )  # fmt: skip
    assert re.search(r"onderbroken</span>.*: 0 van \d+ afgehandeld", shown) and resume in shown
    assert ingrid not in await listed(api, login, BURGEMEESTER)  # hers is done
    pane = await api.get(
        f"/pane/agenda/leegmaken/{group['operation_id']}/voortgang",
        params={"ook": BOTH}, headers=login(SECRETARY_A),
    )  # fmt: skip
    assert "Leegmaken onderbroken" in pane.text and resume in pane.text
    assert await find(tenant, GEMEENTESECRETARIS, f"{label} overleg", *window.values())

    finished = await api.post(resume, headers=login(SECRETARY_A))
    assert finished.status_code == 200 and 'data-status="done"' in finished.text
    assert await status(api, login, maarten) == "done"
    assert not await find(tenant, GEMEENTESECRETARIS, f"{label} overleg", *window.values())
    assert maarten not in await listed(api, login, GEMEENTESECRETARIS)
    again = await api.post(
        "/api/v1/calamity/group/execute", json=body, headers=waiting(login(SECRETARY_A))
    )
    assert again.status_code == 200 and again.json()["status"] == "done"
    assert await cancellations(tenant, BAS, f"{label} overleg") == 1
    for hour in ("09:00", "10:00", "11:00"):
        assert await cancellations(tenant, BAS, f"{label} {hour}") == 1, hour


async def test_a_single_clear_whose_worker_died_before_it_started_is_interrupted(
    backend: FastAPI, api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    label, day = "Nooitbegonnen", seed_day("fri").isoformat()
    await two_agendas(tenant, day, label)
    window = window_of(day)
    shown = await preview(api, login, {"mailbox": BURGEMEESTER, **window})
    operation = shown.json()["operation_id"]
    body = {"mailbox": BURGEMEESTER, **window, "operation_id": operation}

    async def dead(*args: Any, **kwargs: Any) -> Any:
        raise Killed

    monkeypatch.setattr(clearing, "_run", dead)  # planned, then the process is gone
    await worker_dies(backend, api.post("/api/v1/calamity/execute", json=body,
                                        headers=login(SECRETARY_A)))  # fmt: skip
    monkeypatch.undo()
    clock.hold()
    clock.advance(PAST_THE_LEASE)

    assert await status(api, login, operation) == "interrupted"
    assert f"/pane/agenda/leegmaken/{operation}/afmaken" in await listed(api, login, BURGEMEESTER)
    resumed = await api.post(f"/api/v1/calamity/{operation}/resume", headers=login(SECRETARY_A))
    assert resumed.status_code == 200 and resumed.json()["status"] == "done"
    for hour in ("09:00", "10:00", "11:00"):
        assert await cancellations(tenant, BAS, f"{label} {hour}") == 1, hour
