"""Sending through msgraph-sdk: drafts, sendMail, replies and forwards, delivered in-tenant."""

from __future__ import annotations

import uuid

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.models.single_value_legacy_extended_property import (
    SingleValueLegacyExtendedProperty,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.generated.users.item.messages.item.create_forward.create_forward_post_request_body import (  # noqa: E501
    CreateForwardPostRequestBody,
)
from msgraph.generated.users.item.messages.item.create_reply_all.create_reply_all_post_request_body import (  # noqa: E501
    CreateReplyAllPostRequestBody,
)
from msgraph.generated.users.item.messages.item.forward.forward_post_request_body import (
    ForwardPostRequestBody,
)
from msgraph.generated.users.item.messages.item.reply.reply_post_request_body import (
    ReplyPostRequestBody,
)
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)

from tests.sandbox.graphclients import Tenant

EXEC = "ingrid.zwanenburg@zeeveen.nl"
SECRETARY = "monique.verschuren@zeeveen.nl"
COLLEAGUE = "joost.brinkhorst@zeeveen.nl"
OFFICIAL = "hans.verbeek@zeeveen.nl"
OTHER_TEAM = "karin.molenaar@zeeveen.nl"
OP_PROP = "String {1f6cbb2e-7d3a-4b8c-9a57-3f1f8f0d9a11} Name SecretariaatOperationId"


def to(*addresses: str) -> list[Recipient]:
    return [Recipient(email_address=EmailAddress(address=a)) for a in addresses]


def subject_is(subject: str) -> RequestConfiguration:
    escaped = subject.replace("'", "''")
    params = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter=f"subject eq '{escaped}'", expand=["attachments"]
    )
    return RequestConfiguration(query_parameters=params)


async def in_folder(tenant: Tenant, owner: str, folder: str, subject: str) -> list[Message]:
    """Read as the mailbox owner herself, as a recipient would."""
    client = tenant.graph(owner)
    box = client.users.by_user_id(owner).mail_folders.by_mail_folder_id(folder)
    return list((await box.messages.get(subject_is(subject))).value)


async def seeded(tenant: Tenant, subject_start: str) -> Message:
    client = tenant.graph(EXEC)
    inbox = client.users.by_user_id(EXEC).mail_folders.by_mail_folder_id("inbox")
    params = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter=f"startswith(subject, '{subject_start}')"
    )
    page = await inbox.messages.get(RequestConfiguration(query_parameters=params))
    return page.value[0]


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


async def test_secretary_sends_a_draft_on_behalf_of_the_executive(tenant: Tenant) -> None:
    subject = unique("Uitnodiging werkbezoek")
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    created = await mailbox.messages.post(
        Message(
            subject=subject,
            body=ItemBody(content_type=BodyType.Text, content="Graag uw reactie."),
            to_recipients=to(COLLEAGUE),
        )
    )
    await mailbox.messages.by_message_id(created.id).send.post()
    sent = await mailbox.messages.by_message_id(created.id).get()
    sent_items = await mailbox.mail_folders.by_mail_folder_id("sentitems").get()
    assert sent.parent_folder_id == sent_items.id and sent.is_draft is False
    assert sent.from_.email_address.address == EXEC
    assert sent.sender.email_address.address == SECRETARY
    [delivered] = await in_folder(tenant, COLLEAGUE, "inbox", subject)
    assert delivered.is_read is False and delivered.sender.email_address.address == SECRETARY


async def test_sending_a_message_that_is_no_draft_is_refused(tenant: Tenant) -> None:
    received = await seeded(tenant, "Agenda Regionaal")
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    with pytest.raises(ODataError) as err:
        await mailbox.messages.by_message_id(received.id).send.post()
    assert err.value.error.code == "ErrorItemNotFound"


async def test_a_draft_without_recipients_cannot_be_sent(tenant: Tenant) -> None:
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    created = await mailbox.messages.post(Message(subject=unique("Leeg")))
    with pytest.raises(ODataError) as err:
        await mailbox.messages.by_message_id(created.id).send.post()
    assert err.value.error.code == "ErrorInvalidRecipients"


async def test_reply_reaches_the_internal_sender_and_is_kept_in_sent_items(tenant: Tenant) -> None:
    original = await seeded(tenant, "Verzoek kennismaking")
    mailbox = tenant.graph(EXEC).users.by_user_id(EXEC)
    comment = unique("Prima, plan maar in")
    await mailbox.messages.by_message_id(original.id).reply.post(
        ReplyPostRequestBody(comment=comment)
    )
    subject = f"RE: {original.subject}"
    replies = await in_folder(tenant, original.from_.email_address.address, "inbox", subject)
    mine = [r for r in replies if comment in r.body.content]
    assert len(mine) == 1 and mine[0].conversation_id == original.conversation_id
    sent = await in_folder(tenant, EXEC, "sentitems", subject)
    assert any(comment in s.body.content for s in sent)


async def test_create_reply_all_drafts_to_the_sender_and_copies_the_rest(tenant: Tenant) -> None:
    original = await seeded(tenant, "Agenda Regionaal")
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    reply = await mailbox.messages.by_message_id(original.id).create_reply_all.post(
        CreateReplyAllPostRequestBody(comment="Wij komen graag.")
    )
    drafts = await mailbox.mail_folders.by_mail_folder_id("drafts").get()
    assert reply.is_draft is True and reply.parent_folder_id == drafts.id
    assert reply.subject == f"RE: {original.subject}"
    assert [r.email_address.address for r in reply.to_recipients] == [
        original.from_.email_address.address
    ]
    assert [r.email_address.address for r in reply.cc_recipients] == [OFFICIAL]
    assert "Wij komen graag." in reply.body.content and "Onderwerp:" in reply.body.content


async def test_create_forward_carries_the_attachments(tenant: Tenant) -> None:
    original = await seeded(tenant, "Agenda Regionaal")
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    forward = await mailbox.messages.by_message_id(original.id).create_forward.post(
        CreateForwardPostRequestBody(comment="Ter info.", to_recipients=to(OFFICIAL))
    )
    attachments = await mailbox.messages.by_message_id(forward.id).attachments.get()
    assert forward.subject == f"FW: {original.subject}" and forward.has_attachments is True
    assert [a.name for a in attachments.value] == ["Agenda Regionaal Veiligheidsoverleg.pdf"]


async def test_forward_delivers_to_a_colleague_with_attachments(tenant: Tenant) -> None:
    original = await seeded(tenant, "Agenda Regionaal")
    comment = unique("Wil jij dit oppakken?")
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    await mailbox.messages.by_message_id(original.id).forward.post(
        ForwardPostRequestBody(comment=comment, to_recipients=to(OFFICIAL))
    )
    received = await in_folder(tenant, OFFICIAL, "inbox", f"FW: {original.subject}")
    mine = [m for m in received if comment in m.body.content]
    assert len(mine) == 1 and mine[0].attachments and mine[0].has_attachments


async def test_send_mail_without_saving_leaves_sent_items_alone(tenant: Tenant) -> None:
    subject = unique("Herinnering")
    message = Message(subject=subject, to_recipients=to(COLLEAGUE))
    await (
        tenant.graph(SECRETARY)
        .users.by_user_id(EXEC)
        .send_mail.post(SendMailPostRequestBody(message=message, save_to_sent_items=False))
    )
    assert await in_folder(tenant, EXEC, "sentitems", subject) == []
    assert len(await in_folder(tenant, COLLEAGUE, "inbox", subject)) == 1


async def test_an_operation_tag_finds_the_sent_message(tenant: Tenant) -> None:
    op = f"op-{uuid.uuid4()}"
    message = Message(
        subject=unique("Uitgezet"),
        to_recipients=to(OFFICIAL),
        single_value_extended_properties=[SingleValueLegacyExtendedProperty(id=OP_PROP, value=op)],
    )
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    # msgraph-sdk's SendMailPostRequestBody defaults save_to_sent_items to False
    await mailbox.send_mail.post(SendMailPostRequestBody(message=message, save_to_sent_items=True))
    tagged = f"ep/id eq '{OP_PROP}' and ep/value eq '{op}'"
    params = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter=f"singleValueExtendedProperties/Any(ep: {tagged})"
    )
    sent_items = mailbox.mail_folders.by_mail_folder_id("sentitems")
    found = await sent_items.messages.get(RequestConfiguration(query_parameters=params))
    assert [m.subject for m in found.value] == [message.subject]


async def test_app_only_send_mail_is_from_the_executive_herself(tenant: Tenant) -> None:
    subject = unique("Automatische melding")
    await (
        tenant.graph(None)
        .users.by_user_id(EXEC)
        .send_mail.post(
            SendMailPostRequestBody(message=Message(subject=subject, to_recipients=to(COLLEAGUE)))
        )
    )
    [delivered] = await in_folder(tenant, COLLEAGUE, "inbox", subject)
    assert delivered.from_.email_address.address == EXEC
    assert delivered.sender.email_address.address == EXEC


async def test_secretary_of_another_team_cannot_send_for_the_executive(tenant: Tenant) -> None:
    message = Message(subject=unique("Niet toegestaan"), to_recipients=to(COLLEAGUE))
    with pytest.raises(ODataError) as err:
        await (
            tenant.graph(OTHER_TEAM)
            .users.by_user_id(EXEC)
            .send_mail.post(SendMailPostRequestBody(message=message))
        )
    assert err.value.response_status_code == 403 and err.value.error.code == "ErrorAccessDenied"


async def test_unknown_send_mail_parameter_is_refused(tenant: Tenant) -> None:
    payload = {"message": {"subject": "x", "toRecipients": []}, "urgent": True}
    async with tenant.raw(SECRETARY) as raw:
        resp = await raw.post(f"/users/{EXEC}/sendMail", json=payload)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "RequestBodyRead"


async def test_send_mail_without_a_message_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY) as raw:
        resp = await raw.post(f"/users/{EXEC}/sendMail", json={"saveToSentItems": True})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "ErrorInvalidParameter"
