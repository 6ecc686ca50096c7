"""However an apply is interrupted, every effect happens exactly once.

The sandbox carries requests out and then drops the answer (``drop_after``), the worst case for
a send: the change happened but the caller never heard. The secretary (or the pane) tries again
with the same operation id; the journal resumes and finds what was made by its tag.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A
from tests.server.test_quicksteps_api import graph_get, new_message

COLLEAGUE = "bas.kuipers@zeeveen.nl"
EFFECTS = f"""
format: 1
steps:
  - name: Alles tegelijk
    actions:
      - {{action: categorize, categories: [Uitgezet]}}
      - {{action: forward, to: [{COLLEAGUE}], comment: "Graag uw advies."}}
      - {{action: reply_draft, body: "Wij komen erop terug."}}
      - {{action: todo_task, list: Uitgezet, title: "Advies over {{{{ subject }}}}"}}
      - {{action: mark_read}}
"""


@pytest.fixture(autouse=True)
async def published(backend: FastAPI, api: httpx.AsyncClient, login) -> None:
    headers = {**login(ADMIN), "Content-Type": "application/yaml"}
    resp = await api.put("/api/v1/quicksteps", content=EFFECTS.encode(), headers=headers)
    assert resp.status_code == 201, resp.text


async def count_effects(tenant: Tenant, mailbox: str, subject: str) -> dict[str, int]:
    forwards = await graph_get(
        tenant,
        f"/users/{COLLEAGUE}/mailFolders/inbox/messages?$filter=subject eq 'FW: {subject}'",
        upn=COLLEAGUE,
    )
    drafts = await graph_get(
        tenant,
        f"/users/{mailbox}/mailFolders/drafts/messages?$filter=subject eq 'RE: {subject}'",
        upn=mailbox,
    )
    lists = await graph_get(tenant, f"/users/{SECRETARY_A}/todo/lists", upn=SECRETARY_A)
    tasks = 0
    for lst in lists["value"]:
        escaped = f"Advies over {subject}".replace("'", "''")
        page = await graph_get(
            tenant,
            f"/users/{SECRETARY_A}/todo/lists/{lst['id']}/tasks?$filter=title eq '{escaped}'",
            upn=SECRETARY_A,
        )
        assert "@odata.nextLink" not in page
        tasks += len(page["value"])
    return {"forwards": len(forwards["value"]), "drafts": len(drafts["value"]), "tasks": tasks}


async def apply_once(api, login, mailbox: str, message_id: str, operation: str) -> httpx.Response:
    body = {
        "mailbox": mailbox,
        "step": "Alles tegelijk",
        "messages": [message_id],
        "operation_id": operation,
    }
    return await api.post("/api/v1/quicksteps/apply", json=body, headers=login(SECRETARY_A))


@pytest.mark.parametrize("seed", range(6))
async def test_an_interrupted_apply_resumed_makes_everything_once(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client, seed: int
) -> None:
    message_id = await new_message(tenant, f"Advies gevraagd {seed}")
    subject = (await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}"))["subject"]
    operation = str(uuid.uuid4())
    # Half of all requests are carried out and then their answer is lost.
    faults = {"fault_rate": 0.5, "seed": seed, "fault_kinds": ["drop_after"], "retry_after_s": 0}
    admin.post("/limits", json=faults).raise_for_status()
    first = await apply_once(api, login, BURGEMEESTER, message_id, operation)
    admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    again = await apply_once(api, login, BURGEMEESTER, message_id, operation)

    assert first.status_code in (200, 503, 504), first.text
    assert again.status_code == 200, again.text
    assert all(a["status"] == "done" for a in again.json()["messages"][0]["actions"])
    assert await count_effects(tenant, BURGEMEESTER, subject) == {
        "forwards": 1,
        "drafts": 1,
        "tasks": 1,
    }
    message = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    assert message["categories"].count("Uitgezet") == 1 and message["isRead"] is True


async def test_a_double_click_runs_once(api: httpx.AsyncClient, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Dubbelklik")
    subject = (await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}"))["subject"]
    operation = str(uuid.uuid4())
    both = await asyncio.gather(
        apply_once(api, login, BURGEMEESTER, message_id, operation),
        apply_once(api, login, BURGEMEESTER, message_id, operation),
    )
    assert sorted(r.status_code for r in both) in ([200, 200], [200, 409])
    again = await apply_once(api, login, BURGEMEESTER, message_id, operation)
    assert again.status_code == 200
    assert await count_effects(tenant, BURGEMEESTER, subject) == {
        "forwards": 1,
        "drafts": 1,
        "tasks": 1,
    }


@pytest.mark.slow
async def test_two_hundred_applies_at_twenty_percent_faults_each_effect_once(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client
) -> None:
    mailboxes = [BURGEMEESTER, GEMEENTESECRETARIS]
    work = []
    for n in range(200):
        mailbox = mailboxes[n % 2]
        message_id = await new_message(tenant, f"Storm {n}", mailbox=mailbox)
        work.append((mailbox, message_id, str(uuid.uuid4())))
    faults = {"fault_rate": 0.2, "seed": 7, "retry_after_s": 0}
    admin.post("/limits", json=faults).raise_for_status()
    pending = list(work)
    clicks = asyncio.Semaphore(20)  # twenty secretaries' panes at once

    async def click(mailbox: str, message_id: str, operation: str) -> httpx.Response:
        async with clicks:
            return await apply_once(api, login, mailbox, message_id, operation)

    for _round in range(10):  # the pane retries a failed apply with the same operation id
        answers = await asyncio.gather(*(click(*w) for w in pending))
        for r in answers:
            if r.status_code == 200:
                [result] = r.json()["messages"]
                assert {a["status"] for a in result["actions"]} == {"done"}, result
        pending = [w for w, r in zip(pending, answers, strict=True) if r.status_code != 200]
        if not pending:
            break
    admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert pending == []
    for mailbox, message_id, _ in work:
        url = f"/users/{mailbox}/messages/{message_id}"
        subject = (await graph_get(tenant, url, upn=mailbox))["subject"]
        counts = await count_effects(tenant, mailbox, subject)
        assert counts == {"forwards": 1, "drafts": 1, "tasks": 1}, (subject, counts)
