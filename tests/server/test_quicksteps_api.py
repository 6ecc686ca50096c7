"""A secretary applies the team's quick steps to mail in her executive's mailbox, via the API.

Every effect is read back from Graph (the sandbox), not from our own answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from automations.replies.service import parse as parse_templates
from server.startup import DEMO_TEMPLATES
from tests.conftest import TODAY
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.waiting import waiting

SENDER = "hans.verbeek@zeeveen.nl"  # Juridische Zaken


async def new_message(tenant: Tenant, subject: str, mailbox: str = BURGEMEESTER) -> str:
    """A colleague mails the executive; returns the new message's id in her Inbox."""
    subject = f"{subject} [{uuid.uuid4().hex[:6]}]"
    async with tenant.raw(SENDER) as graph:
        sent = await graph.post(
            f"/users/{SENDER}/sendMail",
            json={
                "message": {
                    "subject": subject,
                    "body": {"contentType": "text", "content": "Graag uw reactie."},
                    "toRecipients": [{"emailAddress": {"address": mailbox}}],
                }
            },
        )
        sent.raise_for_status()
    found = await graph_get(
        tenant,
        f"/users/{mailbox}/mailFolders/inbox/messages?$filter=subject eq '{subject}'&$select=id",
        upn=mailbox,
    )
    [message] = found["value"]
    return message["id"]


def local_date(value: dict[str, str]) -> str:
    """A Graph dateTimeTimeZone (UTC or W. Europe) as the date in the Netherlands."""
    moment = dt.datetime.fromisoformat(value["dateTime"][:19])
    zone = dt.UTC if value["timeZone"] == "UTC" else ZoneInfo("Europe/Amsterdam")
    return moment.replace(tzinfo=zone).astimezone(ZoneInfo("Europe/Amsterdam")).date().isoformat()


async def graph_get(tenant: Tenant, url: str, upn: str | None = BURGEMEESTER) -> Any:
    async with tenant.raw(upn) as graph:
        resp = await graph.get(url)
        resp.raise_for_status()
        return resp.json()


async def apply(
    api: httpx.AsyncClient, login, step: str, ids: list[str], **extra: Any
) -> httpx.Response:
    body = {
        "mailbox": BURGEMEESTER,
        "step": step,
        "messages": ids,
        "operation_id": extra.pop("operation_id", str(uuid.uuid4())),
    }
    headers = waiting(login(extra.pop("actor", SECRETARY_A)))  # several: a worker's, waited for
    return await api.post("/api/v1/quicksteps/apply", json=body, headers=headers)


async def test_the_secretary_sees_the_teams_steps(api: httpx.AsyncClient, login) -> None:
    resp = await api.get("/api/v1/quicksteps", headers=login(SECRETARY_A))
    assert resp.status_code == 200
    names = [s["name"] for s in resp.json()["steps"]]
    assert "Ter afhandeling backoffice" in names and "Persvraag naar Communicatie" in names


async def test_backoffice_step_categorizes_flags_reads_and_moves(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id = await new_message(tenant, "Klacht over de gladheidsbestrijding")
    resp = await apply(api, login, "Ter afhandeling backoffice", [message_id])
    assert resp.status_code == 200, resp.text
    [result] = resp.json()["messages"]
    assert [a["status"] for a in result["actions"]] == ["done"] * 4

    message = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    assert "Backoffice" in message["categories"]
    assert message["isRead"] is True and message["isDraft"] is False
    assert message["flag"]["flagStatus"] == "flagged"
    assert local_date(message["flag"]["dueDateTime"]) == str(TODAY + dt.timedelta(days=1))
    folder = await graph_get(
        tenant, f"/users/{BURGEMEESTER}/mailFolders/{message['parentFolderId']}"
    )
    assert folder["displayName"] == "Backoffice"
    inbox = await graph_get(tenant, f"/users/{BURGEMEESTER}/mailFolders/inbox")
    assert folder["parentFolderId"] == inbox["id"]
    # the master list is a mailbox setting: read back with the app identity, as it was made
    master = await graph_get(tenant, f"/users/{BURGEMEESTER}/outlook/masterCategories", None)
    assert {"displayName": "Backoffice", "color": "preset7"}.items() <= next(
        c for c in master["value"] if c["displayName"] == "Backoffice"
    ).items()


async def test_a_press_question_is_forwarded_once_even_when_submitted_twice(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    subject = f"Persvraag {uuid.uuid4().hex[:6]}"
    message_id = await new_message(tenant, subject)
    operation = str(uuid.uuid4())
    first = await apply(
        api, login, "Persvraag naar Communicatie", [message_id], operation_id=operation
    )
    again = await apply(
        api, login, "Persvraag naar Communicatie", [message_id], operation_id=operation
    )
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()

    received = await graph_get(
        tenant,
        f"/users/lotte.vermeulen@zeeveen.nl/mailFolders/inbox/messages?$filter=contains(subject,'{subject}')",
        upn="lotte.vermeulen@zeeveen.nl",
    )
    assert len(received["value"]) == 1
    assert received["value"][0]["subject"].startswith(f"FW: {subject}")
    message = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    assert "Pers" in message["categories"]


async def test_a_reply_draft_waits_in_the_executives_drafts(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    subject = f"Uitnodiging {uuid.uuid4().hex[:6]}"
    message_id = await new_message(tenant, subject)
    resp = await apply(api, login, "Concept klaarzetten", [message_id])
    assert resp.status_code == 200, resp.text
    drafts = await graph_get(
        tenant,
        f"/users/{BURGEMEESTER}/mailFolders/drafts/messages?$filter=contains(subject,'{subject}')"
        "&$select=subject,body,toRecipients",
    )
    [draft] = drafts["value"]
    # Greeted as a reply template greets him: the team's preference for his address.
    templates = parse_templates(DEMO_TEMPLATES.read_text(encoding="utf-8"))
    assert f"{templates.salutations[SENDER]},<br>" in draft["body"]["content"]
    assert draft["toRecipients"][0]["emailAddress"]["address"] == SENDER


async def test_a_secretary_of_another_team_is_refused_and_nothing_changes(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id = await new_message(tenant, "Niet voor team B")
    before = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    resp = await apply(api, login, "Afgehandeld", [message_id], actor=SECRETARY_B)
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "access_denied"
    after = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    assert (after["categories"], after["isRead"], after["parentFolderId"]) == (
        before["categories"],
        before["isRead"],
        before["parentFolderId"],
    )


async def test_preview_says_what_will_happen_and_changes_nothing(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id = await new_message(tenant, "Voorbeeld bekijken")
    before = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    body = {"mailbox": BURGEMEESTER, "step": "Afgehandeld", "messages": [message_id]}
    resp = await api.post("/api/v1/quicksteps/preview", json=body, headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    [message] = resp.json()["messages"]
    assert message["subject"].startswith("Voorbeeld bekijken")
    assert message["changes"][0] == "Markering: voltooid"
    assert message["changes"][-1].startswith("Verplaatsen naar Postvak IN/Afgehandeld")
    after = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    assert after == before


async def test_undo_puts_folder_and_properties_back_and_keeps_what_was_sent(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id = await new_message(tenant, "Per ongeluk afgehandeld")
    before = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    operation = str(uuid.uuid4())
    assert (
        await apply(api, login, "Afgehandeld", [message_id], operation_id=operation)
    ).status_code == 200
    moved = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    assert moved["parentFolderId"] != before["parentFolderId"]

    body = {"operation_id": operation, "undo_operation_id": str(uuid.uuid4())}
    resp = await api.post("/api/v1/quicksteps/undo", json=body, headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    [result] = resp.json()["messages"]
    assert result["status"] == "done" and len(result["undone"]) == 4

    after = await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")
    for key in ("parentFolderId", "categories", "isRead"):
        assert after[key] == before[key], key
    assert after["flag"]["flagStatus"] == before["flag"]["flagStatus"]

    forwarded_id = await new_message(tenant, "Persvraag terugdraaien")
    forward_op = str(uuid.uuid4())
    await apply(api, login, "Persvraag naar Communicatie", [forwarded_id], operation_id=forward_op)
    body = {"operation_id": forward_op, "undo_operation_id": str(uuid.uuid4())}
    [kept] = (
        await api.post("/api/v1/quicksteps/undo", json=body, headers=login(SECRETARY_A))
    ).json()["messages"]
    assert any("verstuurd; dat kan niet terug" in k for k in kept["kept"])


async def test_only_the_team_may_undo(api: httpx.AsyncClient, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Niet van jou")
    operation = str(uuid.uuid4())
    await apply(api, login, "Afgehandeld", [message_id], operation_id=operation)
    body = {"operation_id": operation, "undo_operation_id": str(uuid.uuid4())}
    resp = await api.post("/api/v1/quicksteps/undo", json=body, headers=login(SECRETARY_B))
    assert resp.status_code == 403


async def test_the_progress_line_counts_done_messages_for_her_team_only(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    ids = [await new_message(tenant, f"Voortgang {n}") for n in range(3)]
    op = str(uuid.uuid4())
    url = "/pane/selectie/voortgang"
    before = await api.get(url, params={"operation_id": op}, headers=login(SECRETARY_A))
    assert before.status_code == 200 and "klaar" not in before.text  # not planned yet
    done = await apply(api, login, "Ter afhandeling backoffice", ids, operation_id=op)
    assert done.status_code == 200, done.text
    after = await api.get(url, params={"operation_id": op}, headers=login(SECRETARY_A))
    assert "3 van 3 berichten klaar" in after.text
    other = await api.get(url, params={"operation_id": op}, headers=login(SECRETARY_B))
    assert other.status_code == 403 and "klaar" not in other.text


async def test_several_messages_are_handed_to_a_worker_and_followed_to_their_outcome(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    ids = [await new_message(tenant, f"Werker {n}") for n in range(3)]
    op = str(uuid.uuid4())
    body = {"mailbox": BURGEMEESTER, "step": "Afgehandeld", "messages": ids, "operation_id": op}
    started = await api.post("/api/v1/quicksteps/apply", json=body, headers=login(SECRETARY_A))
    assert started.status_code == 202, started.text  # no Prefer: answered at once
    assert started.headers["location"] == f"/api/v1/quicksteps/applies/{op}"
    assert started.json()["status"] == "running"

    async def outcome() -> httpx.Response:
        return await api.get(f"/api/v1/quicksteps/applies/{op}", headers=login(SECRETARY_A))

    followed = await outcome()
    for _ in range(600):
        if followed.status_code == 200:
            break
        assert followed.status_code == 202 and followed.json()["total"] in (0, 3)
        await asyncio.sleep(0.02)
        followed = await outcome()
    assert followed.status_code == 200, followed.text
    assert followed.json()["status"] == "done"
    assert sorted(m["id"] for m in followed.json()["messages"]) == sorted(ids)
    # Sent again (a lost answer): the same outcome, nothing applied twice.
    again = await api.post(
        "/api/v1/quicksteps/apply", json=body, headers=waiting(login(SECRETARY_A))
    )
    assert again.status_code == 200 and again.json()["messages"] == followed.json()["messages"]
    other = await api.get(f"/api/v1/quicksteps/applies/{op}", headers=login(SECRETARY_B))
    assert other.status_code == 403
