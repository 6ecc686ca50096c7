"""Large attachments through an upload session, as Graph documents it: msgraph-sdk creates the
session, the bytes go in ranges of at most 4 MB to the pre-authenticated URL, the last range
attaches the file (201 + Location), and a send delivers it whole."""

from __future__ import annotations

import hashlib
import os

import httpx
from msgraph.generated.models.attachment_item import AttachmentItem
from msgraph.generated.models.attachment_type import AttachmentType
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.messages.item.attachments.create_upload_session.create_upload_session_post_request_body import (  # noqa: E501
    CreateUploadSessionPostRequestBody,
)

from tests.sandbox.graphclients import Tenant

SENDER = "hans.verbeek@zeeveen.nl"
EXEC = "ingrid.zwanenburg@zeeveen.nl"
MB = 1024 * 1024


async def session_for(
    tenant: Tenant, size: int, name: str = "raadsvoorstel.pdf"
) -> tuple[str, str]:
    mailbox = tenant.graph(SENDER).users.by_user_id(SENDER)
    to = [Recipient(email_address=EmailAddress(address=EXEC))]
    draft = await mailbox.messages.post(Message(subject=f"Stukken {name}", to_recipients=to))
    body = CreateUploadSessionPostRequestBody(
        attachment_item=AttachmentItem(
            attachment_type=AttachmentType.File, name=name, size=size,
            content_type="application/pdf",
        )
    )  # fmt: skip
    session = await mailbox.messages.by_message_id(draft.id).attachments.create_upload_session.post(
        body
    )
    assert session.next_expected_ranges == ["0-"]
    return draft.id, session.upload_url


async def put(tenant: Tenant, url: str, data: bytes, start: int, total: int) -> httpx.Response:
    end = start + len(data) - 1
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:  # the URL is its own credential
        return await anonymous.put(
            url, content=data, headers={"Content-Range": f"bytes {start}-{end}/{total}"}
        )


async def test_a_five_megabyte_file_in_two_ranges_is_attached_and_delivered(
    tenant: Tenant,
) -> None:
    data = os.urandom(5 * MB)
    draft_id, url = await session_for(tenant, len(data))
    first = await put(tenant, url, data[: 4 * MB], 0, len(data))
    assert first.status_code == 200
    assert first.json()["nextExpectedRanges"] == [f"{4 * MB}-{len(data) - 1}"]
    last = await put(tenant, url, data[4 * MB :], 4 * MB, len(data))
    assert last.status_code == 201 and last.content == b""
    location = last.headers["Location"]
    assert f"messages('{draft_id}')/attachments('" in location
    again = await put(tenant, url, data[4 * MB :], 4 * MB, len(data))  # a lost answer, retried
    assert again.status_code == 201 and again.headers["Location"] == location

    mailbox = tenant.graph(SENDER).users.by_user_id(SENDER)
    atts = await mailbox.messages.by_message_id(draft_id).attachments.get()
    assert [(a.name, a.size) for a in atts.value] == [("raadsvoorstel.pdf", len(data))]
    await mailbox.messages.by_message_id(draft_id).send.post()
    async with tenant.raw(EXEC) as graph:
        inbox = await graph.get(
            f"/users/{EXEC}/mailFolders/inbox/messages",
            params={"$filter": "subject eq 'Stukken raadsvoorstel.pdf'", "$select": "id"},
        )
        [received] = inbox.json()["value"]
        listed = await graph.get(f"/users/{EXEC}/messages/{received['id']}/attachments")
        [att] = listed.json()["value"]
        raw = await graph.get(
            f"/users/{EXEC}/messages/{received['id']}/attachments/{att['id']}/$value"
        )
    assert hashlib.sha256(raw.content).digest() == hashlib.sha256(data).digest()


async def test_ranges_out_of_order_too_large_or_without_the_token_are_refused(
    tenant: Tenant,
) -> None:
    size = 9 * MB
    _, url = await session_for(tenant, size, "bijlage.pdf")
    skipped = await put(tenant, url, b"x" * MB, MB, size)
    assert skipped.status_code == 416
    assert (await put(tenant, url, b"x" * (5 * MB), 0, size)).status_code == 413
    forged = url.split("authtoken=")[0] + "authtoken=forged"
    assert (await put(tenant, forged, b"x" * MB, 0, size)).status_code == 404
    assert (await put(tenant, url, b"x" * MB, 0, size + 1)).status_code == 400
    assert (await put(tenant, url, b"x" * MB, 0, size)).status_code == 200  # still resumable
