"""The back office puts meeting documents from the burgemeester's mail into meeting folders —
locally and in the SharePoint library — and reads the tree back: names, sizes, hashes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import os
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from msgraph.generated.models.attachment_item import AttachmentItem
from msgraph.generated.models.attachment_type import AttachmentType
from msgraph.generated.users.item.messages.item.attachments.create_upload_session.create_upload_session_post_request_body import (  # noqa: E501
    CreateUploadSessionPostRequestBody,
)

from automations.clock import local_today
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_quicksteps_api import graph_get

SENDER = "hans.verbeek@zeeveen.nl"
KB, MB = 1024, 1024 * 1024


def pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size - 9)


def docx(size: int) -> bytes:
    return b"PK\x03\x04" + os.urandom(size - 4)


@pytest.fixture(autouse=True)
def setup(backend: FastAPI, tmp_path: Path) -> Path:
    root = tmp_path / "vergadermappen"
    backend.state.settings = backend.state.settings.model_copy(update={"meetings_root": root})
    return root


async def mail(tenant: Tenant, files: list[tuple[str, bytes]], subject: str = "Stukken") -> str:
    """Hans sends the burgemeester a message with these files; its id in her Inbox."""
    subject = f"{subject} [{uuid.uuid4().hex[:6]}]"
    async with tenant.raw(SENDER) as graph:
        made = await graph.post(
            f"/users/{SENDER}/messages",
            json={
                "subject": subject,
                "toRecipients": [{"emailAddress": {"address": BURGEMEESTER}}],
            },
        )
        made.raise_for_status()
        draft = made.json()["id"]
        for name, data in files:
            if len(data) < 3 * MB:
                body = {"@odata.type": "#microsoft.graph.fileAttachment", "name": name,
                        "contentBytes": base64.b64encode(data).decode()}  # fmt: skip
                (
                    await graph.post(f"/users/{SENDER}/messages/{draft}/attachments", json=body)
                ).raise_for_status()
                continue
            request = CreateUploadSessionPostRequestBody(
                attachment_item=AttachmentItem(
                    attachment_type=AttachmentType.File, name=name, size=len(data)
                )
            )
            messages = tenant.graph(SENDER).users.by_user_id(SENDER).messages
            session = await messages.by_message_id(draft).attachments.create_upload_session.post(
                request
            )
            async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
                for start in range(0, len(data), 4 * MB):
                    part = data[start : start + 4 * MB]
                    headers = {
                        "Content-Range": f"bytes {start}-{start + len(part) - 1}/{len(data)}"
                    }
                    (
                        await anonymous.put(session.upload_url, content=part, headers=headers)
                    ).raise_for_status()
        (await graph.post(f"/users/{SENDER}/messages/{draft}/send")).raise_for_status()
    inbox = f"/users/{BURGEMEESTER}/mailFolders/inbox/messages"
    found = await graph_get(tenant, f"{inbox}?$filter=subject eq '{quote(subject)}'&$select=id")
    return found["value"][0]["id"]


async def meeting(api: httpx.AsyncClient, login, kind: str, title: str, items: list[str]) -> dict:
    made = await api.post(
        "/api/v1/meetings",
        json={"type": kind, "date": "2026-12-01", "title": title},
        headers=login(SECRETARY_A),
    )
    assert made.status_code == 201, made.text
    out = made.json()
    out["items"] = []
    for title in items:
        item = await api.post(
            f"/api/v1/meetings/{out['id']}/items", json={"title": title}, headers=login(SECRETARY_A)
        )
        assert item.status_code == 201, item.text
        out["items"].append(item.json())
    return out


async def push(
    api: httpx.AsyncClient, login, message: str, item: str, **extra: Any
) -> httpx.Response:
    body = {"mailbox": BURGEMEESTER, "message": message, "agenda_item": item,
            "operation_id": str(uuid.uuid4()), **extra}  # fmt: skip
    return await api.post("/api/v1/meetings/push", json=body, headers=login(SECRETARY_A))


async def library_file(tenant: Tenant, path: str) -> bytes | None:
    async with tenant.raw(SECRETARY_A) as graph:
        sites = (await graph.get("/sites?search=Bestuursondersteuning")).json()["value"]
        drives = (await graph.get(f"/sites/{sites[0]['id']}/drives")).json()["value"]
        drive = next(d["id"] for d in drives if d["name"] == "Vergaderstukken")
        resp = await graph.get(
            f"/drives/{drive}/root:/{quote(path)}:/content", follow_redirects=True
        )
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        return resp.content


async def library_versions(tenant: Tenant, path: str) -> int:
    async with tenant.raw(SECRETARY_A) as graph:
        sites = (await graph.get("/sites?search=Bestuursondersteuning")).json()["value"]
        drives = (await graph.get(f"/sites/{sites[0]['id']}/drives")).json()["value"]
        drive = next(d["id"] for d in drives if d["name"] == "Vergaderstukken")
        resp = await graph.get(f"/drives/{drive}/root:/{quote(path)}:/versions")
        return len(resp.json()["value"])


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_small_medium_and_large_attachments_land_in_both_targets_byte_for_byte(
    api: httpx.AsyncClient, login, tenant: Tenant, setup: Path
) -> None:
    files = [("agenda.pdf", pdf(10 * KB)), ("Raadsvoorstel.docx", docx(5 * MB)),
             ("Bijlagenboek.pdf", pdf(40 * MB))]  # fmt: skip
    message = await mail(tenant, files)
    local = await meeting(api, login, "directie", "MT-overleg", ["Opening", "Begroting 2027"])
    college = await meeting(api, login, "college", "Collegevergadering", ["Raadsvoorstel"])

    into_local = await push(api, login, message, local["items"][1]["id"])
    assert into_local.status_code == 200, into_local.text
    placed = {d["original"]: d for d in into_local.json()["documents"]}
    assert placed["Bijlagenboek.pdf"]["file_name"] == "02-Begroting 2027-Bijlagenboek.pdf"
    folder = setup / "Directie" / "2026-12-01 MT-overleg" / "02 Begroting 2027"
    for name, data in files:
        stored = folder / placed[name]["file_name"]
        assert stored.stat().st_size == len(data)
        assert sha(stored.read_bytes()) == sha(data) == placed[name]["sha256"]
    assert (setup / "Directie" / "2026-12-01 MT-overleg" / "index.json").exists()

    into_library = await push(api, login, message, college["items"][0]["id"])
    assert into_library.status_code == 200, into_library.text
    base = "College van B&W/2026-12-01 Collegevergadering/01 Raadsvoorstel"
    for doc in into_library.json()["documents"]:
        content = await library_file(tenant, f"{base}/{doc['file_name']}")
        assert content is not None and sha(content) == doc["sha256"]
    sizes = {d["original"]: d["size"] for d in into_library.json()["documents"]}
    assert sizes == {name: len(data) for name, data in files}

    labelled = await graph_get(
        tenant, f"/users/{BURGEMEESTER}/messages/{message}?$select=categories"
    )
    assert "In vergadermap" in labelled["categories"]
    overview = await api.get(f"/api/v1/meetings/{local['id']}", headers=login(SECRETARY_A))
    assert overview.json()["missing"] == [1]  # "Opening" has no documents yet


async def test_twice_the_same_file_is_one_document_and_new_content_is_a_new_version(
    api: httpx.AsyncClient, login, tenant: Tenant, setup: Path
) -> None:
    first = await mail(tenant, [("notulen.pdf", pdf(20 * KB))])
    again = await mail(tenant, [("notulen.pdf", pdf(30 * KB))])
    for kind, title in (("directie", "MT-overleg versies"), ("college", "College versies")):
        made = await meeting(api, login, kind, title, ["Notulen"])
        item = made["items"][0]["id"]
        one = await push(api, login, first, item)
        twice = await push(api, login, first, item)  # another click, another operation
        assert [d["status"] for d in one.json()["documents"]] == ["stored"]
        assert [d["status"] for d in twice.json()["documents"]] == ["duplicate"]
        newer = await push(api, login, again, item)
        assert [(d["status"], d["version"]) for d in newer.json()["documents"]] == [
            ("new_version", 2)
        ]
        overview = (
            await api.get(f"/api/v1/meetings/{made['id']}", headers=login(SECRETARY_A))
        ).json()
        assert [d["version"] for d in overview["items"][0]["documents"]] == [1, 2]
    folder = setup / "Directie" / "2026-12-01 MT-overleg versies" / "01 Notulen"
    assert sorted(p.name for p in folder.iterdir()) == [".versies", "01-Notulen-notulen.pdf"]
    assert [p.name for p in (folder / ".versies").iterdir()] == ["01-Notulen-notulen.pdf.v1"]
    path = "College van B&W/2026-12-01 College versies/01 Notulen/01-Notulen-notulen.pdf"
    assert await library_versions(tenant, path) == 2


async def test_the_same_mail_pushed_twice_is_one_eml_even_when_its_mime_differs(
    api: httpx.AsyncClient, login, tenant: Tenant, setup: Path
) -> None:
    """Issue 19: Graph's MIME of one mail differs between reads (a new multipart boundary),
    and the first push's label changes its changeKey. The mail is recognised by its immutable
    id, also after it was filed elsewhere (its regular id changed): one ``.eml``, one version."""
    message = await mail(tenant, [("advies.pdf", pdf(8 * KB))], subject="Advies")
    made = await meeting(api, login, "directie", "MT-overleg eml", ["Advies"])
    item = made["items"][0]["id"]
    url = f"/users/{BURGEMEESTER}/messages/{message}"
    async with tenant.raw(BURGEMEESTER) as graph:
        reads = [(await graph.get(f"{url}/$value")).content for _ in range(2)]
    assert reads[0] != reads[1]  # the premise: the bytes are no identity
    before = await graph_get(tenant, f"{url}?$select=changeKey")
    async with tenant.raw(BURGEMEESTER, prefer="") as regular:  # as an add-in may send it
        inbox_id = (await regular.get(f"{url}?$select=id")).json()["id"]

    one = await push(api, login, inbox_id, item, include_mail=True)
    assert [d["status"] for d in one.json()["documents"]] == ["stored", "stored"]
    after = await graph_get(tenant, f"{url}?$select=changeKey")
    assert after["changeKey"] != before["changeKey"]  # labelled "In vergadermap"
    async with tenant.raw(BURGEMEESTER, prefer="") as regular:
        moved = await regular.post(f"{url}/move", json={"destinationId": "archive"})
        moved.raise_for_status()
    assert moved.json()["id"] != inbox_id  # a regular id follows the folder

    twice = await push(api, login, moved.json()["id"], item, include_mail=True)
    assert twice.status_code == 200, twice.text
    statuses = [(d["status"], d["version"]) for d in twice.json()["documents"]]
    assert statuses == [("duplicate", 1), ("duplicate", 1)]
    assert twice.json()["documents"][1] == one.json()["documents"][1] | {"status": "duplicate"}
    overview = (await api.get(f"/api/v1/meetings/{made['id']}", headers=login(SECRETARY_A))).json()
    docs = sorted((d["file_name"], d["version"]) for d in overview["items"][0]["documents"])
    assert docs == [(one.json()["documents"][1]["file_name"], 1), ("01-Advies-advies.pdf", 1)]
    folder = setup / "Directie" / "2026-12-01 MT-overleg eml" / "01 Advies"
    assert not (folder / ".versies").exists()


async def test_the_attachments_of_two_mails_go_into_one_agenda_item_as_one_operation(
    api: httpx.AsyncClient, login, tenant: Tenant, setup: Path
) -> None:
    """Two mails selected together: their attachments under one item, the names unique
    across both (both have a "bijlage.pdf"), both mails labelled, once per operation id."""
    first = await mail(tenant, [("bijlage.pdf", pdf(3 * KB)), ("advies.docx", docx(4 * KB))])
    second = await mail(tenant, [("bijlage.pdf", pdf(5 * KB))], subject="Aanvulling")
    made = await meeting(api, login, "directie", "MT-overleg twee mails", ["Woningbouw"])
    item = made["items"][0]["id"]
    body = {"mailbox": BURGEMEESTER, "messages": [first, second], "agenda_item": item,
            "operation_id": str(uuid.uuid4())}  # fmt: skip
    resp = await api.post("/api/v1/meetings/push", json=body, headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    names = sorted(d["file_name"] for d in resp.json()["documents"])
    assert names == ["01-Woningbouw-advies.docx", "01-Woningbouw-bijlage-2.pdf",
                     "01-Woningbouw-bijlage.pdf"]  # fmt: skip
    folder = setup / "Directie" / "2026-12-01 MT-overleg twee mails" / "01 Woningbouw"
    assert sorted(p.name for p in folder.iterdir()) == names
    for message in (first, second):
        labelled = await graph_get(
            tenant, f"/users/{BURGEMEESTER}/messages/{message}?$select=categories"
        )
        assert "In vergadermap" in labelled["categories"]
    again = await api.post("/api/v1/meetings/push", json=body, headers=login(SECRETARY_A))
    assert again.json() == resp.json()  # the same operation: nothing twice
    assert len(list(folder.iterdir())) == 3

    both = await api.post("/api/v1/meetings/push", json={**body, "message": first},
                          headers=login(SECRETARY_A))  # fmt: skip
    assert both.status_code == 422 and both.json()["error"]["code"] == "unprocessable"
    assert "niet beide" in both.json()["error"]["message"], both.json()
    elsewhere = await api.post(
        "/api/v1/meetings/push",
        json={**body, "operation_id": str(uuid.uuid4()), "attachments": ["niet-van-deze"]},
        headers=login(SECRETARY_A),
    )
    assert elsewhere.status_code == 400
    assert elsewhere.json()["error"]["message"] == (
        "Een gekozen bijlage hoort niet bij deze berichten."
    )


async def test_hostile_names_are_made_safe_and_the_mapping_is_shown(
    api: httpx.AsyncClient, login, tenant: Tenant, setup: Path
) -> None:
    hostile = ["../../etc/passwd", "CON.pdf", "x" * 300 + ".pdf", "rapport\u202efdp.exe"]
    message = await mail(tenant, [(n, pdf(2 * KB)) for n in hostile])
    made = await meeting(api, login, "directie", "MT-overleg namen", ["Stukken"])
    resp = await push(api, login, message, made["items"][0]["id"])
    assert resp.status_code == 200, resp.text
    mapping = {d["original"]: d["file_name"] for d in resp.json()["documents"]}
    assert mapping["../../etc/passwd"] == "01-Stukken-passwd"
    assert mapping["CON.pdf"] == "01-Stukken-_CON.pdf"
    assert len(mapping["x" * 300 + ".pdf"]) <= 120 and mapping["x" * 300 + ".pdf"].endswith(".pdf")
    assert "\u202e" not in mapping["rapport\u202efdp.exe"]
    assert all(d["renamed"] for d in resp.json()["documents"])
    written = [p for p in setup.rglob("*") if p.is_file() and p.name != "index.json"]
    assert len(written) == 4 and all(setup in p.parents for p in written)
    assert not (setup.parent / "etc").exists()


async def test_the_mail_itself_as_eml_and_a_meeting_exported_as_one_zip(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    data = pdf(50 * KB)
    message = await mail(tenant, [("besluitenlijst.pdf", data)], subject="Besluitenlijst")
    made = await meeting(api, login, "directie", "MT-overleg export", ["Besluitenlijst"])
    resp = await push(api, login, message, made["items"][0]["id"], include_mail=True)
    names = [d["file_name"] for d in resp.json()["documents"]]
    assert names[0] == "01-Besluitenlijst-besluitenlijst.pdf" and names[1].endswith(".eml")
    exported = await api.get(f"/api/v1/meetings/{made['id']}/export", headers=login(SECRETARY_A))
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.content)) as zf:
        listed = sorted(zf.namelist())
        assert "index.csv" in listed and "index.json" in listed
        assert sha(zf.read("01 Besluitenlijst/01-Besluitenlijst-besluitenlijst.pdf")) == sha(data)
        assert "besluitenlijst.pdf" in zf.read("index.csv").decode()


async def test_only_the_secretariat_may_push_and_only_from_mailboxes_it_serves(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message = await mail(tenant, [("stuk.pdf", pdf(KB))])
    made = await meeting(api, login, "directie", "MT-overleg rechten", ["Stukken"])
    body = {"mailbox": BURGEMEESTER, "message": message, "agenda_item": made["items"][0]["id"],
            "operation_id": str(uuid.uuid4())}  # fmt: skip
    for outsider in (SECRETARY_B, BURGEMEESTER):
        resp = await api.post("/api/v1/meetings/push", json=body, headers=login(outsider))
        assert resp.status_code == 403, outsider
    missing = await api.post(
        "/api/v1/meetings/push", json={**body, "agenda_item": "bestaat-niet"},
        headers=login(SECRETARY_A),
    )  # fmt: skip
    assert missing.status_code == 404


async def test_under_twenty_percent_faults_every_push_completes_with_the_right_bytes(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client
) -> None:
    files = [("groot.pdf", pdf(9 * MB)), ("klein.pdf", pdf(20 * KB))]
    message = await mail(tenant, files)
    made = await meeting(api, login, "college", "College storm", ["Stukken"])
    admin.post("/limits", json={"fault_rate": 0.2, "seed": 3, "retry_after_s": 0})
    operation, resp = str(uuid.uuid4()), None
    try:
        for _ in range(10):  # the pane retries with the same operation id
            resp = await push(api, login, message, made["items"][0]["id"], operation_id=operation)
            if resp.status_code == 200:
                break
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert resp is not None and resp.status_code == 200, resp.text if resp else None
    base = "College van B&W/2026-12-01 College storm/01 Stukken"
    for doc, (_, data) in zip(resp.json()["documents"], files, strict=True):
        content = await library_file(tenant, f"{base}/{doc['file_name']}")
        assert content is not None and sha(content) == sha(data)


@pytest.mark.parametrize("seed", range(4))
async def test_an_upload_session_cut_off_midway_resumes_without_corrupting_the_file(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client, seed: int
) -> None:
    """Ranges whose answer is lost after SharePoint stored them (drop-after): the upload asks
    where the session stands and goes on from there, never sending a range twice."""
    data = pdf(12 * MB)
    message = await mail(tenant, [("onderbroken.pdf", data)])
    made = await meeting(api, login, "college", f"College onderbroken {seed}", ["Stukken"])
    faults = {"fault_rate": 0.3, "seed": seed, "fault_kinds": ["drop_after", "503"],
              "retry_after_s": 0}  # fmt: skip
    admin.post("/limits", json=faults).raise_for_status()
    operation, resp = str(uuid.uuid4()), None
    try:
        for _ in range(10):
            resp = await push(api, login, message, made["items"][0]["id"], operation_id=operation)
            if resp.status_code == 200:
                break
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert resp is not None and resp.status_code == 200, resp.text if resp else None
    [doc] = resp.json()["documents"]
    path = f"College van B&W/2026-12-01 College onderbroken {seed}/01 Stukken/{doc['file_name']}"
    content = await library_file(tenant, path)
    assert content is not None and len(content) == len(data) and sha(content) == sha(data)


async def test_documents_placed_close_the_queue_item_and_can_be_opened_again(
    api: httpx.AsyncClient, login, tenant: Tenant, backend: FastAPI, setup: Path
) -> None:
    """A push into an agenda item of the coming week tells the team's open panes that its
    "Stukken ontbreken" is done; the document opens as a download, never in our origin."""
    data = pdf(12 * KB)
    message = await mail(tenant, [("vaststelling.pdf", data)])
    soon = (local_today(backend.state.clock) + dt.timedelta(days=2)).isoformat()
    made = await api.post("/api/v1/meetings", json={"type": "directie", "date": soon,
                          "title": "MT-overleg deze week"}, headers=login(SECRETARY_A))  # fmt: skip
    item = await api.post(f"/api/v1/meetings/{made.json()['id']}/items", json={"title": "Stuk"},
                          headers=login(SECRETARY_A))  # fmt: skip
    item_id = item.json()["id"]
    async with backend.state.events.subscribe() as heard:
        resp = await push(api, login, message, item_id)
        assert resp.status_code == 200, resp.text
        events = [heard.get_nowait() for _ in range(heard.qsize())]
    closed = [(e["type"], e["key"]) for e in events if e["mailbox"] == BURGEMEESTER]
    assert closed == [("closed", f"documents:{item_id}")]

    overview = await api.get(f"/api/v1/meetings/{made.json()['id']}", headers=login(SECRETARY_A))
    [doc] = overview.json()["items"][0]["documents"]
    opened = await api.get(f"/api/v1/meetings/documents/{doc['id']}", headers=login(SECRETARY_A))
    assert opened.status_code == 200 and opened.content == data
    assert opened.headers["content-disposition"].startswith("attachment;")
    assert opened.headers["x-content-type-options"] == "nosniff"
    refused = await api.get(f"/api/v1/meetings/documents/{doc['id']}", headers=login(BURGEMEESTER))
    assert refused.status_code == 403


async def test_an_agenda_item_is_edited_until_documents_name_its_folder(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    made = await meeting(api, login, "directie", "MT-overleg bewerken", ["Stuk"])
    path = f"/api/v1/meetings/{made['id']}/items/{made['items'][0]['id']}"
    renamed = await api.patch(path, json={"title": "Stukken", "number": 3},
                              headers=login(SECRETARY_A))  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["number"], renamed.json()["title"]) == (3, "Stukken")
    message = await mail(tenant, [("stuk.pdf", pdf(KB))])
    assert (await push(api, login, message, made["items"][0]["id"])).status_code == 200
    fixed = await api.patch(path, json={"title": "Iets anders"}, headers=login(SECRETARY_A))
    assert fixed.status_code == 409 and fixed.json()["error"]["code"] == "conflict"
    secret = await api.patch(path, json={"confidential": True}, headers=login(SECRETARY_A))
    assert secret.status_code == 200
    assert all(d["confidential"] for d in secret.json()["documents"])
    elsewhere = await api.patch(
        f"/api/v1/meetings/elders/items/{made['items'][0]['id']}",
        json={"confidential": False},
        headers=login(SECRETARY_A),
    )
    assert elsewhere.status_code == 404
    executive = await api.patch(path, json={"confidential": False}, headers=login(BURGEMEESTER))
    assert executive.status_code == 403
