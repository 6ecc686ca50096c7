"""Every quick-step action, applied through the API and read back from Graph (the sandbox)."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import TODAY
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A
from tests.server.test_quicksteps_api import SENDER, apply, graph_get, local_date, new_message

COLLEAGUE = "lotte.vermeulen@zeeveen.nl"
ON_DATE = (TODAY + dt.timedelta(days=7)).isoformat()  # a fixed date a week ahead
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()
EVERY_ACTION = f"""
format: 1
steps:
  - name: Kopie en urgent
    actions:
      - {{action: copy, folder: Inbox/Kopieën}}
      - {{action: importance, level: high}}
      - {{action: mark_unread}}
  - name: Weg ermee
    actions:
      - {{action: delete}}
  - name: Opvolgen op datum
    actions:
      - {{action: flag, due: "{ON_DATE}"}}
      - {{action: categorize, categories: [Raad, Nieuw label], colors: {{Nieuw label: preset9}}}}
  - name: Voltooien
    actions:
      - {{action: mark_complete}}
  - name: Opruimen
    actions:
      - {{action: clear_flag}}
      - {{action: clear_categories}}
      - {{action: mark_read}}
  - name: Melden aan Lotte
    actions:
      - action: new_message
        to: [{COLLEAGUE}]
        subject: "Ter info: {{{{ subject }}}}"
        body: "Zie het bericht van {{{{ sender_name }}}} aan {{{{ mailbox }}}}."
        send: true
      - action: new_message
        to: [{COLLEAGUE}]
        subject: "Concept over {{{{ subject }}}}"
  - name: Antwoord aan allen
    actions:
      - {{action: reply_draft, reply_all: true, body: "Dank, we pakken het op."}}
  - name: Als bijlage naar Lotte
    actions:
      - {{action: forward_as_attachment, to: [{COLLEAGUE}], comment: "Zie bijlage."}}
  - name: Taak
    actions:
      - action: todo_task
        list: Opvolging
        title: "Bellen over {{{{ subject }}}}"
        due: tomorrow
"""


@pytest.fixture(autouse=True)
async def every_action_published(backend: FastAPI, api: httpx.AsyncClient, login) -> None:
    resp = await api.put(
        "/api/v1/quicksteps",
        content=EVERY_ACTION.encode(),
        headers={**login(ADMIN), "Content-Type": "application/yaml"},
    )
    assert resp.status_code == 201, resp.text


async def message(tenant: Tenant, message_id: str) -> dict:
    return await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}")


async def applied(api, login, step: str, message_id: str) -> list[dict]:
    resp = await apply(api, login, step, [message_id])
    assert resp.status_code == 200, resp.text
    [result] = resp.json()["messages"]
    assert all(a["status"] == "done" for a in result["actions"]), result
    return result["actions"]


async def test_copy_importance_and_unread(api, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Kopie graag")
    await applied(api, login, "Kopie en urgent", message_id)
    original = await message(tenant, message_id)
    assert original["importance"] == "high" and original["isRead"] is False
    folders = await graph_get(
        tenant,
        f"/users/{BURGEMEESTER}/mailFolders/inbox/childFolders?$filter=displayName eq 'Kopieën'",
    )
    [folder] = folders["value"]
    copies = await graph_get(
        tenant,
        f"/users/{BURGEMEESTER}/mailFolders/{folder['id']}/messages"
        f"?$filter=subject eq '{original['subject']}'",
    )
    assert len(copies["value"]) == 1 and copies["value"][0]["id"] != message_id


async def test_delete_moves_to_deleted_items(api, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Mag weg")
    await applied(api, login, "Weg ermee", message_id)
    deleted = await graph_get(tenant, f"/users/{BURGEMEESTER}/mailFolders/deleteditems")
    assert (await message(tenant, message_id))["parentFolderId"] == deleted["id"]


async def test_flag_on_a_date_then_complete_then_clear(api, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Opvolgen")
    await applied(api, login, "Opvolgen op datum", message_id)
    flagged = await message(tenant, message_id)
    assert flagged["flag"]["flagStatus"] == "flagged"
    assert local_date(flagged["flag"]["dueDateTime"]) == ON_DATE
    assert flagged["categories"] == ["Raad", "Nieuw label"]
    # the master list is a mailbox setting: read back with the app identity, as it was made
    master = await graph_get(tenant, f"/users/{BURGEMEESTER}/outlook/masterCategories", None)
    assert {"Nieuw label": "preset9"}.items() <= {
        c["displayName"]: c["color"] for c in master["value"]
    }.items()

    await applied(api, login, "Voltooien", message_id)
    assert (await message(tenant, message_id))["flag"]["flagStatus"] == "complete"

    await applied(api, login, "Opruimen", message_id)
    cleared = await message(tenant, message_id)
    assert cleared["flag"]["flagStatus"] == "notFlagged"
    assert cleared["categories"] == [] and cleared["isRead"] is True


async def test_new_messages_sent_and_drafted(api, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Nieuwsbrief")
    subject = (await message(tenant, message_id))["subject"]
    await applied(api, login, "Melden aan Lotte", message_id)
    inbox = await graph_get(
        tenant,
        f"/users/{COLLEAGUE}/mailFolders/inbox/messages?$filter=subject eq 'Ter info: {subject}'"
        "&$select=body,from,sender",
        upn=COLLEAGUE,
    )
    [received] = inbox["value"]
    assert "Zie het bericht van Hans Verbeek aan Ingrid Zwanenburg." in received["body"]["content"]
    assert received["from"]["emailAddress"]["address"] == BURGEMEESTER  # sent from her mailbox
    drafts = await graph_get(
        tenant,
        f"/users/{BURGEMEESTER}/mailFolders/drafts/messages"
        f"?$filter=subject eq 'Concept over {subject}'&$select=isDraft",
    )
    assert [d["isDraft"] for d in drafts["value"]] == [True]


async def test_reply_all_draft_addresses_everyone(api, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Overleg")
    subject = (await message(tenant, message_id))["subject"]
    await applied(api, login, "Antwoord aan allen", message_id)
    drafts = await graph_get(
        tenant,
        f"/users/{BURGEMEESTER}/mailFolders/drafts/messages"
        f"?$filter=contains(subject,'{subject}')&$select=toRecipients,body",
    )
    [draft] = drafts["value"]
    assert SENDER in [r["emailAddress"]["address"] for r in draft["toRecipients"]]
    assert "Dank, we pakken het op." in draft["body"]["content"]


async def test_forward_as_attachment_carries_the_original(api, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Bijlage-doorsturen")
    subject = (await message(tenant, message_id))["subject"]
    await applied(api, login, "Als bijlage naar Lotte", message_id)
    inbox = await graph_get(
        tenant,
        f"/users/{COLLEAGUE}/mailFolders/inbox/messages?$filter=subject eq 'FW: {subject}'"
        "&$expand=attachments",
        upn=COLLEAGUE,
    )
    [received] = inbox["value"]
    [attachment] = received["attachments"]
    assert attachment["@odata.type"] == "#microsoft.graph.itemAttachment"
    assert attachment["name"] == subject


async def test_a_todo_task_links_back_to_the_message(api, login, tenant: Tenant) -> None:
    message_id = await new_message(tenant, "Terugbellen")
    subject = (await message(tenant, message_id))["subject"]
    await applied(api, login, "Taak", message_id)
    lists = await graph_get(tenant, f"/users/{SECRETARY_A}/todo/lists", upn=SECRETARY_A)
    [opvolging] = [lst for lst in lists["value"] if lst["displayName"] == "Opvolging"]
    tasks = await graph_get(
        tenant,
        f"/users/{SECRETARY_A}/todo/lists/{opvolging['id']}/tasks?$expand=linkedResources",
        upn=SECRETARY_A,
    )
    [task] = [t for t in tasks["value"] if t["title"] == f"Bellen over {subject}"]
    assert local_date(task["dueDateTime"]) == TOMORROW
    assert task["linkedResources"][0]["applicationName"] == "Secretariaat"
    assert task["linkedResources"][0]["displayName"] == subject
    assert uuid.UUID(task["linkedResources"][0]["externalId"].split("/")[0])
