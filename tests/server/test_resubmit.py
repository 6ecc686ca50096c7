"""Herzien en opnieuw aanbieden: after a rejection the secretary revises the draft and offers it
again; the new version replaces the old request, the history stays. And the executive's notice
carries the draft's text and the note, so she can decide from the mail.

Every effect is read back from Graph (the sandbox): the drafts, the notices, what was sent.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
)
from tests.server.test_approvals_api import approve, in_folder, mail_from_hans, prepare, seen
from tests.server.test_quicksteps_api import SENDER

REVISED = "<p>Beste Hans,</p><p>Wij nemen uw vraag in behandeling.</p>"
HOSTILE = (
    "<p>Beste Hans,</p><script>alert(1)</script>"
    '<img src="https://beacon.example/x.png" onerror="alert(2)">'
    '<p onclick="steal()">Wij <b>bellen</b> u.</p><a href="javascript:alert(3)">klik</a>'
    "<style>p{display:none}</style>"
)


async def rejected(
    api: httpx.AsyncClient, login, tenant: Tenant, subject: str, comment: str = "Minder stellig."
) -> tuple[dict[str, Any], str]:
    """Monique asked, the burgemeester rejected; returns (the approval, exact subject)."""
    message_id, subject = await mail_from_hans(tenant, subject)
    approval = (await prepare(api, login, message_id))["approval"]
    resp = await api.post(f"/api/v1/approvals/{approval['id']}/reject",
                          json={"comment": comment}, headers=login(BURGEMEESTER))  # fmt: skip
    assert resp.status_code == 200 and resp.json()["status"] == "rejected", resp.text
    return resp.json(), subject


async def revise_in_outlook(tenant: Tenant, approval: dict[str, Any], html: str) -> None:
    """The secretary edits the draft in the executive's Drafts folder (Outlook: Graph PATCH)."""
    async with tenant.raw(SECRETARY_A) as graph:
        url = f"/users/{BURGEMEESTER}/messages/{approval['draft_id']}"
        body = {"contentType": "html", "content": html}
        (await graph.patch(url, json={"body": body})).raise_for_status()


async def resubmit(
    api: httpx.AsyncClient, login, approval_id: str, actor: str = SECRETARY_A, **body: Any
) -> httpx.Response:
    body.setdefault("operation_id", str(uuid.uuid4()))
    return await api.post(
        f"/api/v1/approvals/{approval_id}/resubmit", json=body, headers=login(actor)
    )


async def request_notices(tenant: Tenant, subject: str) -> list[dict[str, Any]]:
    return await in_folder(tenant, BURGEMEESTER, "inbox", f"Ter goedkeuring: RE: {subject}")


async def test_revise_and_resubmit_replaces_the_request_and_sends_the_revision_once(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    old, subject = await rejected(api, login, tenant, "Herzien en opnieuw")
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    assert draft["categories"] == ["Afgekeurd"]
    await revise_in_outlook(tenant, old, REVISED)

    click = str(uuid.uuid4())
    resp = await resubmit(api, login, old["id"], operation_id=click, note="Aangepast, zie tekst.")
    assert resp.status_code == 201, resp.text
    new = resp.json()
    assert new["id"] != old["id"] and new["revises"] == old["id"]
    assert new["status"] == "waiting" and new["requested_by"] == SECRETARY_A
    assert new["change_key"] != old["change_key"] and new["note"] == "Aangepast, zie tekst."
    assert new["notice_error"] is None
    again = await resubmit(api, login, old["id"], operation_id=click)  # the same click: once
    assert again.status_code == 201 and again.json()["id"] == new["id"]
    other_click = await resubmit(api, login, old["id"])  # a second click: the waiting one
    assert other_click.status_code == 201 and other_click.json()["id"] == new["id"]
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    assert draft["categories"] == ["Ter goedkeuring"]
    assert len(await request_notices(tenant, subject)) == 2  # the first request, and this one

    # Her queue holds the new version only; the old one is closed as revised.
    queue = await api.get("/api/v1/approvals?status=open", headers=login(BURGEMEESTER))
    open_ids = [a["id"] for a in queue.json()["approvals"]]
    assert new["id"] in open_ids and old["id"] not in open_ids
    revised = await api.get("/api/v1/approvals?status=revised", headers=login(SECRETARY_A))
    assert old["id"] in [a["id"] for a in revised.json()["approvals"]]
    work = await api.get("/api/v1/queue", headers=login(SECRETARY_A))
    keys = [i["key"] for i in work.json()["items"]]
    assert f"approval:{new['id']}" in keys and f"approval:{old['id']}" not in keys

    # The history: the new version knows the one it replaced, with her comment, and v.v.
    detail = await seen(api, login, new["id"])
    assert [h["id"] for h in detail["history"]] == [old["id"]]
    assert detail["history"][0]["comment"] == "Minder stellig."
    assert detail["history"][0]["status"] == "revised"
    assert "Wij nemen uw vraag in behandeling." in detail["draft_html"]
    assert (await seen(api, login, old["id"]))["replaced_by"]["id"] == new["id"]

    # The old request cannot be approved; the new one sends the revised text, once.
    late = await approve(api, login, old["id"])
    assert late.status_code == 409 and late.json()["error"]["code"] == "approval_closed"
    assert await in_folder(tenant, SENDER, "inbox", f"RE: {subject}") == []
    tap = str(uuid.uuid4())
    for _ in range(2):
        sent = await approve(api, login, new["id"], change_key=detail["draft_change_key"],
                             operation_id=tap)  # fmt: skip
        assert sent.status_code == 200 and sent.json()["status"] == "sent", sent.text
    [received] = await in_folder(tenant, SENDER, "inbox", f"RE: {subject}")
    assert "Wij nemen uw vraag in behandeling." in received["body"]["content"]
    assert len(await in_folder(tenant, BURGEMEESTER, "sentitems", f"RE: {subject}")) == 1
    closed = await resubmit(api, login, old["id"])
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "approval_closed"

    audit = await api.get(f"/api/v1/audit?mailbox={BURGEMEESTER}", headers=login(ADMIN))
    requests = [e for e in audit.json()["entries"] if e["action"] == "approval.request"
                and e["details"].get("approval") == new["id"]]  # fmt: skip
    assert len(requests) == 1 and requests[0]["details"]["revises"] == old["id"]


async def test_any_secretary_serving_her_may_resubmit_and_nobody_else(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    old, _ = await rejected(api, login, tenant, "Een collega herziet")
    for outsider in (SECRETARY_B, BURGEMEESTER):  # another team; she herself decides
        refused = await resubmit(api, login, old["id"], actor=outsider)
        assert refused.status_code == 403, (outsider, refused.text)
        assert refused.json()["error"]["code"] == "access_denied"
    colleague = await resubmit(api, login, old["id"], actor=SECRETARY_A_FRIDAY)
    assert colleague.status_code == 201, colleague.text
    assert colleague.json()["requested_by"] == SECRETARY_A_FRIDAY


async def test_only_a_rejected_draft_is_offered_again(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, _ = await mail_from_hans(tenant, "Wacht nog")
    waiting = (await prepare(api, login, message_id))["approval"]
    refused = await resubmit(api, login, waiting["id"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "approval_closed"
    assert "Alleen een afgekeurd concept" in refused.json()["error"]["message"]


async def test_two_secretaries_resubmitting_at_once_make_one_new_request(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    old, subject = await rejected(api, login, tenant, "Tegelijk opnieuw")
    answers = await asyncio.gather(
        resubmit(api, login, old["id"]), resubmit(api, login, old["id"], actor=SECRETARY_A_FRIDAY)
    )
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    listed = await api.get("/api/v1/approvals?status=open", headers=login(BURGEMEESTER))
    assert [a["revises"] for a in listed.json()["approvals"]].count(old["id"]) == 1
    assert len(await request_notices(tenant, subject)) == 2


@pytest.mark.parametrize("seed", range(3))
async def test_a_resubmit_retried_after_lost_answers_offers_once(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client, seed: int
) -> None:
    """Graph carries the updates out and the answers are lost: the retries of the click (with
    its text edited here) make one new request, one notice, and write the text once."""
    old, subject = await rejected(api, login, tenant, f"Verloren antwoord {seed}")
    detail = await seen(api, login, old["id"])
    faults = {"fault_rate": 0.5, "seed": seed, "fault_kinds": ["drop_after"], "retry_after_s": 0}
    admin.post("/limits", json=faults).raise_for_status()
    click, statuses = str(uuid.uuid4()), []
    try:
        for _ in range(12):
            resp = await resubmit(api, login, old["id"], operation_id=click, html=REVISED,
                                  change_key=detail["draft_change_key"])  # fmt: skip
            statuses.append(resp.status_code)
            if resp.status_code == 201 and resp.json()["notice_error"] is None:
                break
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert statuses[-1] == 201, statuses
    listed = await api.get("/api/v1/approvals?status=open", headers=login(BURGEMEESTER))
    assert [a["revises"] for a in listed.json()["approvals"]].count(old["id"]) == 1
    assert len(await request_notices(tenant, subject)) == 2
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    assert "Wij nemen uw vraag in behandeling." in draft["body"]["content"]


async def test_the_notice_carries_the_draft_and_the_note_escaped(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Met de tekst erbij")
    made = await prepare(api, login, message_id, request_approval=False)
    async with tenant.raw(SECRETARY_A) as graph:
        url = f"/users/{BURGEMEESTER}/messages/{made['draft']['id']}"
        body = {"contentType": "html", "content": HOSTILE}
        (await graph.patch(url, json={"body": body})).raise_for_status()
    note = 'Let op: <b>spoed</b> <script>alert("n")</script>\nTweede regel'
    body = {"mailbox": BURGEMEESTER, "draft": made["draft"]["id"], "message": message_id,
            "operation_id": str(uuid.uuid4()), "note": note}  # fmt: skip
    asked = await api.post("/api/v1/approvals", json=body, headers=login(SECRETARY_A))
    assert asked.status_code == 201, asked.text

    [notice] = await request_notices(tenant, subject)
    content = notice["body"]["content"]
    assert "Wij <b>bellen</b> u." in content and "Beste Hans," in content  # the draft's text
    assert "Monique Verschuren" in content  # who asks, by name
    assert "Let op: &lt;b&gt;spoed&lt;/b&gt; &lt;script&gt;" in content  # the note, escaped
    assert "Tweede regel" in content
    for hostile in ("<script", "onerror", "onclick", "javascript:", "beacon.example", "<style",
                    "<img"):  # fmt: skip
        assert hostile not in content, hostile
    assert f"/goedkeuren/{asked.json()['id']}" in content


async def test_the_notice_leaves_out_the_quoted_original_and_cuts_a_long_draft(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id, subject = await mail_from_hans(tenant, "Kort en lang")
    await prepare(api, login, message_id)
    [notice] = await request_notices(tenant, subject)
    assert "Hartelijk dank voor uw bericht" in notice["body"]["content"]
    assert "Kunt u hierop reageren?" not in notice["body"]["content"]  # the quote: in her inbox

    old, long_subject = await rejected(api, login, tenant, "Heel lang concept")
    await revise_in_outlook(
        tenant, old, "".join(f"<p>Alinea {n} met tekst.</p>" for n in range(3000))
    )
    assert (await resubmit(api, login, old["id"])).status_code == 201
    notices = await request_notices(tenant, long_subject)
    [long] = [n for n in notices if "Alinea 1 " in n["body"]["content"]]
    assert "… (lees verder in Outlook)" in long["body"]["content"]
    assert "Alinea 2999 " not in long["body"]["content"]
    assert len(long["body"]["content"]) < 20_000
    assert "Minder stellig." in long["body"]["content"]  # what she said of the last version


async def test_in_the_pane_the_secretary_revises_the_text_and_offers_it_again(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    old, subject = await rejected(
        api, login, tenant, "Herzien in het paneel", "Korter <b>graag</b>."
    )
    page = await api.get(f"/pane/goedkeuren/{old['id']}/inhoud", headers=login(SECRETARY_A))
    assert page.status_code == 200 and 'data-testid="herzien"' in page.text
    assert "Opnieuw aanbieden" in page.text and "Korter &lt;b&gt;graag&lt;/b&gt;." in page.text
    hers = await api.get(f"/pane/goedkeuren/{old['id']}/inhoud", headers=login(BURGEMEESTER))
    assert 'data-testid="herzien"' not in hers.text  # she does not offer it to herself
    box = {"mailbox": BURGEMEESTER}
    listing = await api.get("/pane/goedkeuren/inhoud", params=box, headers=login(SECRETARY_A))
    assert "Herzien…" in listing.text

    url = f"/pane/goedkeuren/{old['id']}/opnieuw-aanbieden"
    detail = await seen(api, login, old["id"])
    await revise_in_outlook(tenant, old, "<p>Intussen in Outlook gewijzigd.</p>")
    stale = {"operation_id": str(uuid.uuid4()), "change_key": detail["draft_change_key"],
             "html": HOSTILE, "note": "Korter gemaakt."}  # fmt: skip
    refused = await api.post(url, json=stale, headers=login(SECRETARY_A))
    assert refused.status_code == 200 and 'data-testid="weigering"' in refused.text
    assert "Het concept is gewijzigd; bekijk het opnieuw." in refused.text
    assert (await seen(api, login, old["id"]))["approval"]["status"] == "rejected"

    fresh = {**stale, "change_key": (await seen(api, login, old["id"]))["draft_change_key"]}
    done = await api.post(url, json=fresh, headers=login(SECRETARY_A))
    assert done.status_code == 200 and 'data-testid="opnieuw-aangeboden"' in done.text
    assert "staat ter goedkeuring bij Ingrid Zwanenburg" in done.text
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    assert "Wij <b>bellen</b> u." in draft["body"]["content"]
    assert "<script" not in draft["body"]["content"] and "onclick" not in draft["body"]["content"]
    assert draft["categories"] == ["Ter goedkeuring"]

    # Her list: the new version only, marked as revised; its page shows the history.
    mine = await api.get("/pane/goedkeuren/inhoud", params=box, headers=login(BURGEMEESTER))
    assert mine.text.count(subject) == 1 and "herziene versie" in mine.text
    listed = await api.get("/api/v1/approvals?status=open", headers=login(BURGEMEESTER))
    [new] = [a for a in listed.json()["approvals"] if a["revises"] == old["id"]]
    assert new["note"] == "Korter gemaakt."
    opened = await api.get(f"/pane/goedkeuren/{new['id']}/inhoud", headers=login(BURGEMEESTER))
    assert 'data-testid="geschiedenis"' in opened.text and "Versie 1: afgekeurd" in opened.text
    assert "Korter &lt;b&gt;graag&lt;/b&gt;." in opened.text
    assert "Goedkeuren en verzenden" in opened.text
    before = await api.get(f"/pane/goedkeuren/{old['id']}/inhoud", headers=login(SECRETARY_A))
    assert 'data-testid="vervangen"' in before.text and 'data-testid="herzien"' not in before.text
