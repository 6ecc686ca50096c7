"""The front office prepares an answer, the executive approves exactly what she saw, via the API.

Every effect is read back from Graph (the sandbox): the executive's Sent Items and Drafts, the
recipient's Inbox, the notices in the secretaries' mailboxes.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from automations.clock import SetClock
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store.models import ApprovalRow
from server.startup import DEMO_ROSTER
from tests.conftest import TODAY
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_B,
    WETHOUDERS,
)
from tests.server.test_quicksteps_api import SENDER, graph_get

PDF = b"%PDF-1.4\n" + b"0" * 4000 + b"\n%%EOF\n"


async def mail_from_hans(
    tenant: Tenant, subject: str, *, mailbox: str = BURGEMEESTER, attach: bool = False
) -> tuple[str, str]:
    """Hans Verbeek mails the executive; returns (message id in her Inbox, exact subject)."""
    subject = f"{subject} [{uuid.uuid4().hex[:6]}]"
    message: dict[str, Any] = {
        "subject": subject,
        "body": {"contentType": "text", "content": "Kunt u hierop reageren?"},
        "toRecipients": [{"emailAddress": {"address": mailbox}}],
    }
    if attach:
        message["attachments"] = [
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": "advies.pdf",
                "contentType": "application/pdf",
                "contentBytes": base64.b64encode(PDF).decode(),
            }
        ]
    async with tenant.raw(SENDER) as graph:
        sent = await graph.post(f"/users/{SENDER}/sendMail", json={"message": message})
        sent.raise_for_status()
    found = await in_folder(tenant, mailbox, "inbox", subject)
    return found[0]["id"], subject


async def in_folder(tenant: Tenant, upn: str, folder: str, subject: str) -> list[dict]:
    escaped = subject.replace("'", "''")
    url = (
        f"/users/{upn}/mailFolders/{folder}/messages?$filter=subject eq '{escaped}'"
        "&$select=id,subject,body,categories,isDraft,toRecipients&$expand=attachments"
    )
    return (await graph_get(tenant, url, upn=upn))["value"]


async def prepare(api: httpx.AsyncClient, login, message_id: str, **extra: Any) -> dict[str, Any]:
    body = {
        "mailbox": extra.pop("mailbox", BURGEMEESTER),
        "message": message_id,
        "template": "Ontvangstbevestiging",
        "operation_id": str(uuid.uuid4()),
        "request_approval": True,
        "note": "Graag vandaag nog.",
        **extra,
    }
    resp = await api.post("/api/v1/drafts", json=body, headers=login(SECRETARY_A))
    assert resp.status_code == 201, resp.text
    return resp.json()


async def approve(
    api: httpx.AsyncClient, login, approval_id: str, actor: str = BURGEMEESTER, **body: Any
) -> httpx.Response:
    body.setdefault("operation_id", str(uuid.uuid4()))
    return await api.post(
        f"/api/v1/approvals/{approval_id}/approve", json=body, headers=login(actor)
    )


async def seen(api: httpx.AsyncClient, login, approval_id: str) -> dict[str, Any]:
    resp = await api.get(f"/api/v1/approvals/{approval_id}", headers=login(BURGEMEESTER))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_prepare_request_approve_sends_exactly_one_message_with_the_approved_text(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Vraag over de kermis")
    made = await prepare(api, login, message_id)
    approval = made["approval"]
    assert approval["status"] == "waiting" and approval["requested_by"] == SECRETARY_A

    # The draft is in her Drafts folder, marked, with the template's text above the quote.
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    assert draft["categories"] == ["Ter goedkeuring"]
    assert "Beste Hans" in draft["body"]["content"]  # the known salutation for Hans
    assert "Kunt u hierop reageren?" in draft["body"]["content"]  # the quoted original
    # She was told, with a link to the approval page.
    [notice] = await in_folder(tenant, BURGEMEESTER, "inbox", f"Ter goedkeuring: RE: {subject}")
    assert f"/goedkeuren/{approval['id']}" in notice["body"]["content"]

    # Her queue shows it; she opens it and approves the version she sees.
    queue = await api.get("/api/v1/approvals?status=open", headers=login(BURGEMEESTER))
    assert approval["id"] in [a["id"] for a in queue.json()["approvals"]]
    detail = await seen(api, login, approval["id"])
    assert detail["changed"] is False and "Beste Hans" in detail["draft_html"]
    assert detail["draft_to"] == [SENDER] and detail["approval"]["note"] == "Graag vandaag nog."
    resp = await approve(api, login, approval["id"], change_key=detail["draft_change_key"])
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "sent" and resp.json()["decided_by"] == BURGEMEESTER

    [sent] = await in_folder(tenant, BURGEMEESTER, "sentitems", f"RE: {subject}")
    assert "Beste Hans" in sent["body"]["content"] and sent["isDraft"] is False
    assert "Ter goedkeuring" not in sent["categories"]
    [received] = await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")
    assert "Hartelijk dank voor uw bericht" in received["body"]["content"]
    assert await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}") == []

    audit = await api.get(f"/api/v1/audit?mailbox={BURGEMEESTER}", headers=login(ADMIN))
    actions = [e["action"] for e in audit.json()["entries"]]
    assert "approval.request" in actions and "approval.approve" in actions


async def test_a_draft_changed_after_the_request_is_refused_until_she_looks_again(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Subsidieaanvraag")
    approval = (await prepare(api, login, message_id))["approval"]
    async with tenant.raw(SECRETARY_A) as graph:  # edited in Outlook, after the request
        draft_url = f"/users/{BURGEMEESTER}/messages/{approval['draft_id']}"
        body = {"contentType": "html", "content": "<p>Een heel ander antwoord.</p>"}
        (await graph.patch(draft_url, json={"body": body})).raise_for_status()

    refused = await approve(api, login, approval["id"], change_key=approval["change_key"])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "draft_changed"
    assert refused.json()["error"]["message"] == "Het concept is gewijzigd; bekijk het opnieuw."
    assert await in_folder(tenant, SENDER, "inbox", f"RE: {subject}") == []
    assert await in_folder(tenant, BURGEMEESTER, "sentitems", f"RE: {subject}") == []

    again = await seen(api, login, approval["id"])  # she looks again
    assert again["changed"] is True and "Een heel ander antwoord." in again["draft_html"]
    assert again["approval"]["status"] == "waiting"
    resp = await approve(api, login, approval["id"], change_key=again["draft_change_key"])
    assert resp.status_code == 200, resp.text
    [received] = await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")
    assert "Een heel ander antwoord." in received["body"]["content"]


async def test_edit_and_send_sends_her_edit_cleaned_in_one_operation(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Uitnodiging jubileum")
    approval = (await prepare(api, login, message_id))["approval"]
    detail = await seen(api, login, approval["id"])
    edited = "<p>Beste Hans, ik kom graag.</p><script>alert(1)</script><p onclick='x()'>Ingrid</p>"
    resp = await approve(
        api, login, approval["id"], change_key=detail["draft_change_key"], html=edited
    )
    assert resp.status_code == 200, resp.text
    [received] = await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")
    content = received["body"]["content"]
    assert "ik kom graag" in content and "<script" not in content and "onclick" not in content
    audit = await api.get(f"/api/v1/audit?mailbox={BURGEMEESTER}", headers=login(BURGEMEESTER))
    assert "approval.edit_and_send" in [e["action"] for e in audit.json()["entries"]]


async def test_a_double_tap_and_a_second_device_send_once(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Dubbel getikt")
    approval = (await prepare(api, login, message_id))["approval"]
    tap = str(uuid.uuid4())
    answers = await asyncio.gather(
        approve(api, login, approval["id"], operation_id=tap),
        approve(api, login, approval["id"], operation_id=tap),
        approve(api, login, approval["id"]),  # her phone, another operation id
    )
    assert 200 in [r.status_code for r in answers]
    assert all(r.status_code in (200, 409) for r in answers), [r.text for r in answers]
    again = await approve(api, login, approval["id"])  # later still: the first result
    assert again.status_code == 200 and again.json()["status"] == "sent"
    assert len(await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")) == 1
    assert len(await in_folder(tenant, BURGEMEESTER, "sentitems", f"RE: {subject}")) == 1


@pytest.mark.parametrize("seed", range(4))
async def test_approve_retried_after_lost_answers_sends_once(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client, seed: int
) -> None:
    """Graph carries the request out and the answer is lost: the retry must not send again."""
    message_id, subject = await mail_from_hans(tenant, f"Time-out {seed}")
    approval = (await prepare(api, login, message_id))["approval"]
    faults = {"fault_rate": 0.5, "seed": seed, "fault_kinds": ["drop_after"], "retry_after_s": 0}
    admin.post("/limits", json=faults).raise_for_status()
    tap, statuses = str(uuid.uuid4()), []
    try:
        for _ in range(12):
            resp = await approve(api, login, approval["id"], operation_id=tap)
            statuses.append(resp.status_code)
            if resp.status_code == 200:
                break
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert statuses[-1] == 200, statuses
    assert len(await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")) == 1


async def test_approvals_under_twenty_percent_faults_each_send_once(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client
) -> None:
    work = []
    for n in range(12):
        message_id, subject = await mail_from_hans(tenant, f"Storm {n}")
        work.append(((await prepare(api, login, message_id))["approval"]["id"], subject))
    admin.post("/limits", json={"fault_rate": 0.2, "seed": 11, "retry_after_s": 0})
    pending = [(a, s, str(uuid.uuid4())) for a, s in work]
    try:
        for _round in range(10):  # the page retries with the same tap id
            answers = await asyncio.gather(
                *(approve(api, login, a, operation_id=tap) for a, _, tap in pending)
            )
            pending = [w for w, r in zip(pending, answers, strict=True) if r.status_code != 200]
            if not pending:
                break
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert pending == []
    for _, subject in work:
        assert len(await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")) == 1, subject


async def test_only_the_executive_herself_decides_on_her_drafts(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Niet van jou")
    approval = (await prepare(api, login, message_id))["approval"]
    for outsider in (GEMEENTESECRETARIS, WETHOUDERS[0], SECRETARY_A):
        resp = await approve(api, login, approval["id"], actor=outsider)
        assert resp.status_code == 403, (outsider, resp.text)
        assert resp.json()["error"]["code"] == "access_denied"
        rejected = await api.post(
            f"/api/v1/approvals/{approval['id']}/reject",
            json={"comment": "nee"},
            headers=login(outsider),
        )
        assert rejected.status_code == 403
    # A secretary of another team may not even look at it.
    peek = await api.get(f"/api/v1/approvals/{approval['id']}", headers=login(SECRETARY_B))
    assert peek.status_code == 403
    assert await in_folder(tenant, SENDER, "inbox", f"RE: {subject}") == []
    assert (await seen(api, login, approval["id"]))["approval"]["status"] == "waiting"


async def test_reject_with_a_comment_goes_back_to_the_secretariat(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Te stellig")
    approval = (await prepare(api, login, message_id))["approval"]
    empty = await api.post(
        f"/api/v1/approvals/{approval['id']}/reject",
        json={"comment": "   "},
        headers=login(BURGEMEESTER),
    )
    assert empty.status_code == 400
    resp = await api.post(
        f"/api/v1/approvals/{approval['id']}/reject",
        json={"comment": "Minder stellig formuleren, graag."},
        headers=login(BURGEMEESTER),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "rejected"
    assert resp.json()["comment"] == "Minder stellig formuleren, graag."

    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    assert draft["categories"] == ["Afgekeurd"]
    roster = Roster.from_document(load_roster_file(DEMO_ROSTER))
    front = roster.front_office_on(BURGEMEESTER, TODAY)  # nobody on a weekend
    for told in {SECRETARY_A, front} - {None}:
        [notice] = await in_folder(tenant, told, "inbox", f"Afgekeurd: RE: {subject}")
        assert "Minder stellig formuleren" in notice["body"]["content"]
    mine = await api.get("/api/v1/approvals?mine=true&status=rejected", headers=login(SECRETARY_A))
    assert approval["id"] in [a["id"] for a in mine.json()["approvals"]]
    late = await approve(api, login, approval["id"])
    assert late.status_code == 409 and late.json()["error"]["code"] == "approval_closed"
    assert await in_folder(tenant, SENDER, "inbox", f"RE: {subject}") == []


async def test_later_keeps_it_in_her_queue(api: httpx.AsyncClient, login, tenant: Tenant) -> None:
    message_id, _ = await mail_from_hans(tenant, "Straks")
    approval = (await prepare(api, login, message_id))["approval"]
    resp = await api.post(f"/api/v1/approvals/{approval['id']}/later", headers=login(BURGEMEESTER))
    assert resp.status_code == 200 and resp.json()["status"] == "waiting"
    assert resp.json()["deferred_at"] is not None
    queue = await api.get("/api/v1/approvals?status=waiting", headers=login(BURGEMEESTER))
    assert approval["id"] in [a["id"] for a in queue.json()["approvals"]]


async def test_a_draft_deleted_or_sent_outside_secretariaat_closes_its_approval(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    first_id, _ = await mail_from_hans(tenant, "Weggegooid")
    second_id, second = await mail_from_hans(tenant, "Zelf verstuurd")
    gone = (await prepare(api, login, first_id))["approval"]
    elsewhere = (await prepare(api, login, second_id))["approval"]
    async with tenant.raw(BURGEMEESTER) as graph:
        base = f"/users/{BURGEMEESTER}/messages"
        (await graph.delete(f"{base}/{gone['draft_id']}")).raise_for_status()
        (await graph.post(f"{base}/{elsewhere['draft_id']}/send")).raise_for_status()

    # Opening shows it closed; the periodic check closes the other.
    assert (await seen(api, login, gone["id"]))["approval"]["status"] == "deleted"
    check = await api.post(
        f"/api/v1/approvals/check?mailbox={BURGEMEESTER}", headers=login(SECRETARY_A)
    )
    assert check.status_code == 200, check.text
    assert [c["id"] for c in check.json()["closed"]] == [elsewhere["id"]]
    assert check.json()["closed"][0]["status"] == "sent_elsewhere"
    late = await approve(api, login, elsewhere["id"])
    assert late.status_code == 409
    assert len(await in_folder(tenant, SENDER, "inbox", f"RE: {second}")) == 1


async def test_a_draft_with_the_original_attachment_and_reply_all(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Met bijlage", attach=True)
    attachments = await graph_get(
        tenant, f"/users/{BURGEMEESTER}/messages/{message_id}/attachments?$select=id,name"
    )
    [pdf] = attachments["value"]
    operation = str(uuid.uuid4())
    for _ in range(2):  # the same click twice: one draft, one attachment
        made = await prepare(
            api, login, message_id, attachments=[pdf["id"]], request_approval=False,
            operation_id=operation, reply_all=True,
        )  # fmt: skip
    assert made["approval"] is None
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    assert [a["name"] for a in draft["attachments"]] == ["advies.pdf"]
    assert base64.b64decode(draft["attachments"][0]["contentBytes"]) == PDF
    assert draft["categories"] == []


async def test_a_secretary_of_another_team_cannot_prepare_a_draft(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Verkeerd team")
    body = {
        "mailbox": BURGEMEESTER,
        "message": message_id,
        "template": "Ontvangstbevestiging",
        "operation_id": str(uuid.uuid4()),
    }
    resp = await api.post("/api/v1/drafts", json=body, headers=login(SECRETARY_B))
    assert resp.status_code == 403
    assert await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}") == []


async def test_a_draft_waiting_too_long_reminds_her_once_per_period(
    api: httpx.AsyncClient, login, tenant: Tenant, backend: FastAPI
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Blijft liggen")
    approval = (await prepare(api, login, message_id))["approval"]
    remind = f"/api/v1/approvals/remind?mailbox={BURGEMEESTER}"
    assert (await api.post(remind, headers=login(SECRETARY_A))).json()["reminded"] == []

    async with backend.state.sessions() as session, session.begin():  # a day and a half ago
        row = await session.get(ApprovalRow, approval["id"])
        row.requested_at = backend.state.clock.now() - dt.timedelta(hours=36)
    first = await api.post(remind, headers=login(SECRETARY_A))
    assert [r["id"] for r in first.json()["reminded"]] == [approval["id"]]
    again = await api.post(remind, headers=login(SECRETARY_A))
    assert again.json()["reminded"] == []  # not again within the period
    reminders = await in_folder(
        tenant, BURGEMEESTER, "inbox", f"Herinnering – ter goedkeuring: RE: {subject}"
    )
    assert len(reminders) == 1
    assert f"/goedkeuren/{approval['id']}" in reminders[0]["body"]["content"]
    outsider = await api.post(remind, headers=login(SECRETARY_B))
    assert outsider.status_code == 403


async def test_a_reminder_that_could_not_be_sent_is_sent_by_the_next_run(
    api: httpx.AsyncClient, login, tenant: Tenant, backend: FastAPI, admin: httpx.Client
) -> None:
    """Microsoft 365 refuses every call while the reminder goes out: the run fails, and the
    next one reminds her (before, the reminder was counted first and so never sent)."""
    message_id, subject = await mail_from_hans(tenant, "Herinnering mislukt")
    approval = (await prepare(api, login, message_id))["approval"]
    async with backend.state.sessions() as session, session.begin():  # a day and a half ago
        row = await session.get(ApprovalRow, approval["id"])
        row.requested_at = backend.state.clock.now() - dt.timedelta(hours=36)
    remind = f"/api/v1/approvals/remind?mailbox={BURGEMEESTER}"
    throttled = {"fault_rate": 1.0, "seed": 1, "fault_kinds": ["429"], "retry_after_s": 0}
    admin.post("/limits", json=throttled).raise_for_status()
    try:
        failed = await api.post(remind, headers=login(SECRETARY_A))
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert failed.status_code >= 400

    retried = await api.post(remind, headers=login(SECRETARY_A))
    assert approval["id"] in [r["id"] for r in retried.json()["reminded"]]
    reminders = await in_folder(
        tenant, BURGEMEESTER, "inbox", f"Herinnering – ter goedkeuring: RE: {subject}"
    )
    assert len(reminders) == 1


async def test_her_phone_does_not_take_over_a_tap_still_on_its_way(
    api: httpx.AsyncClient, login, tenant: Tenant, backend: FastAPI, clock: SetClock
) -> None:
    """Her laptop has claimed the approval and not yet planned the send: her phone waits its
    turn (409, nothing sent) instead of taking the claim away; a claim left half a minute
    without a plan is from a server that died, and the next tap sends."""
    message_id, subject = await mail_from_hans(tenant, "Nog onderweg")
    approval = (await prepare(api, login, message_id))["approval"]
    async with backend.state.sessions() as session, session.begin():
        row = await session.get(ApprovalRow, approval["id"])
        row.status, row.send_operation_id = "sending", "laptop-tap-1"
        row.decided_at = clock.now()
    phone = await approve(api, login, approval["id"])
    assert phone.status_code == 409, phone.text
    assert phone.json()["error"]["code"] == "approval_sending"
    assert "al verzonden" in phone.json()["error"]["message"]
    assert await in_folder(tenant, SENDER, "inbox", f"RE: {subject}") == []

    clock.advance(dt.timedelta(seconds=31))
    later = await approve(api, login, approval["id"])
    assert later.status_code == 200, later.text
    assert len(await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")) == 1


async def test_a_tap_that_died_before_sending_does_not_block_the_next(
    api: httpx.AsyncClient, login, tenant: Tenant, backend: FastAPI
) -> None:
    """The server stopped right after the first tap claimed the approval: the next tap sends."""
    message_id, subject = await mail_from_hans(tenant, "Halverwege gestopt")
    approval = (await prepare(api, login, message_id))["approval"]
    async with backend.state.sessions() as session, session.begin():
        row = await session.get(ApprovalRow, approval["id"])
        row.status, row.send_operation_id = "sending", "never-planned-1"
    resp = await approve(api, login, approval["id"])
    assert resp.status_code == 200, resp.text
    assert len(await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")) == 1
