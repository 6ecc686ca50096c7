"""A secretary puts a message out to a department; the answer is noticed; late ones get a nudge."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
from fastapi import FastAPI

from tests.dates import TODAY, dutch_day, working_days_after
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_quicksteps_api import graph_get, local_date, new_message
from tests.server.waiting import waiting

JURIDISCH = "hans.verbeek@zeeveen.nl"
RO = "bas.kuipers@zeeveen.nl"
DEADLINE = working_days_after(TODAY, 5)  # the step's term: five working days


async def dispatch(api, login, message_id: str, department: str, **extra) -> httpx.Response:
    body = {
        "mailbox": BURGEMEESTER,
        "step": "Uitzetten bij vakafdeling",
        "messages": [message_id],
        "operation_id": str(uuid.uuid4()),
        "choices": {"department": department},
        **extra,
    }
    return await api.post(
        "/api/v1/quicksteps/apply", json=body, headers=waiting(login(SECRETARY_A))
    )


async def dispatches(api, login, **params) -> list[dict]:
    resp = await api.get("/api/v1/dispatches", params=params, headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    return resp.json()["dispatches"]


async def test_dispatching_forwards_labels_flags_and_tracks(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id = await new_message(tenant, "Aanvraag omgevingsvergunning dakkapel")
    preview = await api.post(
        "/api/v1/quicksteps/preview",
        json={
            "mailbox": BURGEMEESTER,
            "step": "Uitzetten bij vakafdeling",
            "messages": [message_id],
            "choices": {"department": "ruimtelijke-ordening"},
        },
        headers=login(SECRETARY_A),
    )
    assert preview.status_code == 200, preview.text
    [change] = preview.json()["messages"][0]["changes"]
    assert change.startswith("Uitzetten bij Ruimtelijke Ordening (bas.kuipers@zeeveen.nl)")
    assert dutch_day(DEADLINE) in change

    resp = await dispatch(api, login, message_id, "ruimtelijke-ordening")
    assert resp.status_code == 200, resp.text
    assert resp.json()["messages"][0]["actions"][0]["status"] == "done"

    message = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    assert "Uitgezet: Ruimtelijke Ordening" in message["categories"]
    assert local_date(message["flag"]["dueDateTime"]) == DEADLINE.isoformat()
    inbox = await graph_get(
        tenant,
        f"/users/{RO}/mailFolders/inbox/messages?$filter=subject eq 'FW: {message['subject']}'"
        "&$select=id,body",
        upn=RO,
    )
    [forwarded] = inbox["value"]
    assert f"vóór {dutch_day(DEADLINE)}" in forwarded["body"]["content"]
    [tracked] = await dispatches(api, login, mailbox=BURGEMEESTER, message=message_id)
    assert tracked["department"] == "Ruimtelijke Ordening" and tracked["status"] == "open"
    assert tracked["deadline"] == DEADLINE.isoformat() and tracked["overdue"] is False

    # The department answers in the same conversation; the next check notices.
    async with tenant.raw(RO) as graph:
        reply = await graph.post(
            f"/users/{RO}/messages/{forwarded['id']}/replyAll",
            json={"comment": "Wij nemen contact op met de aanvrager."},
        )
        assert reply.status_code == 202, reply.text
    check = await api.post(
        "/api/v1/dispatches/check", params={"mailbox": BURGEMEESTER}, headers=login(SECRETARY_A)
    )
    assert check.status_code == 200 and check.json()["answered"] >= 1
    [answered] = await dispatches(api, login, mailbox=BURGEMEESTER, message=message_id)
    assert answered["status"] == "answered" and answered["answered_at"]
    again = await api.post(
        "/api/v1/dispatches/check", params={"mailbox": BURGEMEESTER}, headers=login(SECRETARY_A)
    )
    assert again.json()["answered"] == 0  # nothing new since the last delta


async def test_an_overdue_dispatch_gets_one_reminder_per_click(
    api: httpx.AsyncClient, login, tenant: Tenant, backend: FastAPI
) -> None:
    message_id = await new_message(tenant, "Bezwaarschrift parkeervergunning")
    assert (await dispatch(api, login, message_id, "juridische-zaken")).status_code == 200
    backend.state.clock.advance(dt.timedelta(days=10))  # past the deadline of 5 working days
    [late] = [
        d for d in await dispatches(api, login, status="overdue") if d["message_id"] == message_id
    ]
    assert late["overdue"] is True

    click = {"operation_id": str(uuid.uuid4())}
    for _ in range(2):  # a double click
        resp = await api.post(
            f"/api/v1/dispatches/{late['id']}/remind", json=click, headers=login(SECRETARY_A)
        )
        assert resp.status_code == 200, resp.text
    assert resp.json()["reminders"] == 1
    subject = (await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}"))["subject"]
    received = await graph_get(
        tenant,
        f"/users/{JURIDISCH}/mailFolders/inbox/messages?$filter=subject eq 'FW: {subject}'"
        "&$select=body",
        upn=JURIDISCH,
    )
    assert len(received["value"]) == 2  # the dispatch and one reminder
    assert any("Herinnering" in m["body"]["content"] for m in received["value"])


async def test_a_dispatch_needs_a_known_department(api: httpx.AsyncClient, login, tenant) -> None:
    message_id = await new_message(tenant, "Zonder afdeling")
    resp = await dispatch(api, login, message_id, "onbekend")
    assert resp.status_code == 400 and "afdeling" in resp.json()["error"]["message"]


async def test_another_team_sees_no_dispatches_of_this_mailbox(
    api: httpx.AsyncClient, login
) -> None:
    resp = await api.get(
        "/api/v1/dispatches", params={"mailbox": BURGEMEESTER}, headers=login(SECRETARY_B)
    )
    assert resp.status_code == 403


async def test_another_team_cannot_send_a_reminder(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id = await new_message(tenant, "Herinnering van buiten")
    assert (await dispatch(api, login, message_id, "financien")).status_code == 200
    [mine] = await dispatches(api, login, mailbox=BURGEMEESTER, message=message_id)
    resp = await api.post(
        f"/api/v1/dispatches/{mine['id']}/remind",
        json={"operation_id": str(uuid.uuid4())},
        headers=login(SECRETARY_B),
    )
    assert resp.status_code == 403
    [still] = await dispatches(api, login, mailbox=BURGEMEESTER, message=message_id)
    assert still["reminders"] == 0
