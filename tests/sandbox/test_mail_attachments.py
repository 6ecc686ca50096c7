"""Message attachments through msgraph-sdk: list, add, read back, raw bytes, delete."""

from __future__ import annotations

import base64
import email
from email import policy

import pytest
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.file_attachment import FileAttachment
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.recipient import Recipient

from tests.sandbox.graphclients import Tenant

EXEC = "ingrid.zwanenburg@zeeveen.nl"
SECRETARY = "monique.verschuren@zeeveen.nl"
OTHER_EXEC = "joost.brinkhorst@zeeveen.nl"
CONTENT = b"Notitie voor het college\n" * 40


async def new_draft(tenant: Tenant) -> Message:
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    recipient = Recipient(email_address=EmailAddress(address="griffie@zeeveen.nl"))
    return await mailbox.messages.post(Message(subject="Stukken", to_recipients=[recipient]))


def notitie() -> FileAttachment:
    return FileAttachment(name="notitie.txt", content_type="text/plain", content_bytes=CONTENT)


async def test_seeded_message_lists_its_attachments_with_content(tenant: Tenant) -> None:
    mailbox = tenant.graph(EXEC).users.by_user_id(EXEC)
    page = await mailbox.mail_folders.by_mail_folder_id("inbox").messages.get()
    message = next(m for m in page.value if m.has_attachments)
    attachments = await mailbox.messages.by_message_id(message.id).attachments.get()
    first = attachments.value[0]
    assert isinstance(first, FileAttachment)
    assert first.content_bytes and first.size == len(first.content_bytes)


async def test_adding_a_file_marks_the_message_and_changes_its_key(tenant: Tenant) -> None:
    draft = await new_draft(tenant)
    item = tenant.graph(SECRETARY).users.by_user_id(EXEC).messages.by_message_id(draft.id)
    added = await item.attachments.post(notitie())
    assert isinstance(added, FileAttachment) and added.size == len(CONTENT)
    after = await item.get()
    assert after.has_attachments is True and after.change_key != draft.change_key


async def test_an_added_file_reads_back_byte_for_byte(tenant: Tenant) -> None:
    draft = await new_draft(tenant)
    item = tenant.graph(SECRETARY).users.by_user_id(EXEC).messages.by_message_id(draft.id)
    added = await item.attachments.post(notitie())
    fetched = await item.attachments.by_attachment_id(added.id).get()
    assert fetched.content_bytes == CONTENT and fetched.name == "notitie.txt"


async def test_raw_value_is_the_file_itself(tenant: Tenant) -> None:
    draft = await new_draft(tenant)
    item = tenant.graph(SECRETARY).users.by_user_id(EXEC).messages.by_message_id(draft.id)
    added = await item.attachments.post(notitie())
    async with tenant.raw(SECRETARY) as raw:
        resp = await raw.get(f"/users/{EXEC}/messages/{draft.id}/attachments/{added.id}/$value")
    assert resp.status_code == 200 and resp.content == CONTENT
    assert resp.headers["content-type"].startswith("text/plain")


async def test_deleting_an_attachment_removes_it(tenant: Tenant) -> None:
    draft = await new_draft(tenant)
    item = tenant.graph(SECRETARY).users.by_user_id(EXEC).messages.by_message_id(draft.id)
    added = await item.attachments.post(notitie())
    await item.attachments.by_attachment_id(added.id).delete()
    with pytest.raises(ODataError) as err:
        await item.attachments.by_attachment_id(added.id).get()
    assert err.value.error.code == "ErrorItemNotFound"
    assert (await item.get()).has_attachments is False


async def test_attachment_without_a_type_cannot_be_read(tenant: Tenant) -> None:
    draft = await new_draft(tenant)
    payload = {"name": "x.txt", "contentBytes": base64.b64encode(b"x").decode()}
    async with tenant.raw(SECRETARY) as raw:
        resp = await raw.post(f"/users/{EXEC}/messages/{draft.id}/attachments", json=payload)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "UnableToDeserializePostBody"


async def test_attachments_of_another_mailbox_are_not_found(tenant: Tenant) -> None:
    theirs = await tenant.graph(OTHER_EXEC).users.by_user_id(OTHER_EXEC).messages.get()
    mine = tenant.graph(EXEC).users.by_user_id(EXEC)
    with pytest.raises(ODataError) as err:
        await mine.messages.by_message_id(theirs.value[0].id).attachments.get()
    assert err.value.response_status_code == 404 and err.value.error.code == "ErrorItemNotFound"


async def test_an_attached_message_expands_and_reads_as_mime(tenant: Tenant) -> None:
    draft = await new_draft(tenant)
    item = {
        "@odata.type": "#microsoft.graph.message",
        "subject": "Verslag regionaal overleg",
        "body": {"contentType": "html", "content": "<p>Zie bijlage.</p>"},
        "from": {"emailAddress": {"name": "Hans Verbeek", "address": "hans.verbeek@zeeveen.nl"}},
        "toRecipients": [{"emailAddress": {"address": EXEC}}],
    }
    path = f"/users/{EXEC}/messages/{draft.id}/attachments"
    async with tenant.raw(SECRETARY) as raw:
        made = await raw.post(
            path,
            json={
                "@odata.type": "#microsoft.graph.itemAttachment",
                "name": "Verslag",
                "item": item,
            },
        )
        attachment_id = made.json()["id"]
        expanded = await raw.get(
            f"{path}/{attachment_id}", params={"$expand": "microsoft.graph.itemAttachment/item"}
        )
        value = await raw.get(f"{path}/{attachment_id}/$value")
    assert made.status_code == 201 and made.json()["contentType"] is None
    attached = expanded.json()["item"]
    assert attached["@odata.type"] == "#microsoft.graph.message" and attached["id"] == ""
    assert attached["sender"] == attached["from"] and attached["bodyPreview"] == "Zie bijlage."
    parsed = email.message_from_bytes(value.content, policy=policy.default)
    assert parsed["Subject"] == "Verslag regionaal overleg"
