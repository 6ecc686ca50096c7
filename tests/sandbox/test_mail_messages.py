"""Messages through msgraph-sdk: reading, querying, paging, updating, moving, deleting, $value."""

from __future__ import annotations

import email
from email import policy

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.followup_flag import FollowupFlag
from msgraph.generated.models.followup_flag_status import FollowupFlagStatus
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.models.single_value_legacy_extended_property import (
    SingleValueLegacyExtendedProperty,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder as FolderMessages,
)
from msgraph.generated.users.item.messages.item.copy.copy_post_request_body import (
    CopyPostRequestBody,
)
from msgraph.generated.users.item.messages.item.message_item_request_builder import (
    MessageItemRequestBuilder,
)
from msgraph.generated.users.item.messages.item.move.move_post_request_body import (
    MovePostRequestBody,
)
from msgraph.generated.users.item.messages.messages_request_builder import MessagesRequestBuilder

from tests.sandbox.graphclients import Tenant

EXEC = "ingrid.zwanenburg@zeeveen.nl"
SECRETARY = "monique.verschuren@zeeveen.nl"
OUTSIDER = "karin.molenaar@zeeveen.nl"  # serves team B, has no rights on Ingrid
OTHER_EXEC = "joost.brinkhorst@zeeveen.nl"
OP_PROP = "String {1f6cbb2e-7d3a-4b8c-9a57-3f1f8f0d9a11} Name SecretariaatOperationId"


def folder_query(**kw: object) -> RequestConfiguration:
    return RequestConfiguration(
        query_parameters=FolderMessages.MessagesRequestBuilderGetQueryParameters(**kw)
    )


def item_query(**kw: object) -> RequestConfiguration:
    params = MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(**kw)
    return RequestConfiguration(query_parameters=params)


def to(*addresses: str) -> list[Recipient]:
    return [Recipient(email_address=EmailAddress(address=a)) for a in addresses]


async def draft(tenant: Tenant, upn: str = SECRETARY, **fields: object) -> Message:
    client = tenant.graph(upn)
    body = Message(
        subject=fields.pop("subject", "Concept"),
        body=ItemBody(content_type=BodyType.Html, content="<p>Beste collega,</p>"),
        to_recipients=to("r.kempers@vr-kustland.nl"),
        **fields,
    )
    created = await client.users.by_user_id(EXEC).messages.post(body)
    assert created is not None
    return created


async def inbox_messages(tenant: Tenant, upn: str = EXEC) -> list[Message]:
    client = tenant.graph(upn)
    page = (
        await client.users.by_user_id(EXEC)
        .mail_folders.by_mail_folder_id("inbox")
        .messages.get(folder_query(top=1000))
    )
    return list(page.value)


async def test_executive_reads_her_inbox_newest_first(tenant: Tenant) -> None:
    messages = await inbox_messages(tenant)
    received = [m.received_date_time for m in messages]
    assert messages and received == sorted(received, reverse=True)
    assert all(m.additional_data.keys() <= {"@odata.etag"} for m in messages)


async def test_secretary_reads_the_executives_mailbox_as_delegate(tenant: Tenant) -> None:
    mine = await inbox_messages(tenant, EXEC)
    hers = await inbox_messages(tenant, SECRETARY)
    assert [m.id for m in hers] == [m.id for m in mine]


async def test_secretary_without_delegate_rights_is_refused(tenant: Tenant) -> None:
    client = tenant.graph(OUTSIDER)
    with pytest.raises(ODataError) as err:
        await client.users.by_user_id(EXEC).messages.get()
    assert err.value.response_status_code == 403
    assert err.value.error.code == "ErrorAccessDenied"


async def test_app_only_reads_an_executive_mailbox_in_its_rbac_scope(tenant: Tenant) -> None:
    client = tenant.graph(None)
    page = await client.users.by_user_id(EXEC).messages.get()
    assert page.value


async def test_paging_through_next_links_returns_every_message_once(tenant: Tenant) -> None:
    client = tenant.graph(EXEC)
    builder = client.users.by_user_id(EXEC).messages
    cfg = RequestConfiguration(
        query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
            top=3, select=["subject"], count=True
        )
    )
    page = await builder.get(cfg)
    total = page.odata_count
    seen = [m.id for m in page.value]
    while page.odata_next_link:
        page = await builder.with_url(page.odata_next_link).get()
        assert len(page.value) <= 3
        seen += [m.id for m in page.value]
    assert len(seen) == len(set(seen)) == total


async def test_default_page_is_ten_messages(tenant: Tenant) -> None:
    page = await tenant.graph(EXEC).users.by_user_id(EXEC).messages.get()
    assert len(page.value) == 10 and "$skip=10" in page.odata_next_link


async def test_select_returns_only_the_selected_properties(tenant: Tenant) -> None:
    async with tenant.raw(EXEC) as raw:
        resp = await raw.get(
            f"/users/{EXEC}/messages", params={"$select": "subject,from", "$top": "2"}
        )
    assert resp.status_code == 200
    body = resp.json()
    assert body["@odata.context"].endswith("/messages(subject,from)")
    assert {k for m in body["value"] for k in m} == {"@odata.etag", "id", "subject", "from"}


async def test_select_of_an_unknown_property_is_a_bad_request(tenant: Tenant) -> None:
    async with tenant.raw(EXEC) as raw:
        resp = await raw.get(f"/users/{EXEC}/messages", params={"$select": "subject,colour"})
    assert resp.status_code == 400
    assert "colour" in resp.json()["error"]["message"]


async def test_filter_on_unread_returns_only_unread_messages(tenant: Tenant) -> None:
    client = tenant.graph(EXEC)
    page = (
        await client.users.by_user_id(EXEC)
        .mail_folders.by_mail_folder_id("inbox")
        .messages.get(folder_query(filter="isRead eq false", top=100))
    )
    assert page.value and all(m.is_read is False for m in page.value)


async def test_a_broken_filter_is_a_bad_request(tenant: Tenant) -> None:
    async with tenant.raw(EXEC) as raw:
        resp = await raw.get(f"/users/{EXEC}/messages?$filter=isRead%20eq")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadRequest"


async def test_orderby_not_leading_the_filter_is_refused_as_inefficient(tenant: Tenant) -> None:
    client = tenant.graph(EXEC)
    with pytest.raises(ODataError) as err:
        await client.users.by_user_id(EXEC).messages.get(
            RequestConfiguration(
                query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
                    filter="isRead eq false", orderby=["receivedDateTime desc"]
                )
            )
        )
    assert err.value.error.code == "InefficientFilter"


async def test_expand_attachments_includes_their_content(tenant: Tenant) -> None:
    client = tenant.graph(EXEC)
    page = (
        await client.users.by_user_id(EXEC)
        .mail_folders.by_mail_folder_id("inbox")
        .messages.get(folder_query(filter="hasAttachments eq true", expand=["attachments"], top=5))
    )
    first = page.value[0]
    assert first.attachments and first.attachments[0].content_bytes


async def test_prefer_text_body_converts_html_and_says_so(tenant: Tenant) -> None:
    message = (await inbox_messages(tenant))[0]
    async with tenant.raw(EXEC, prefer='outlook.body-content-type="text"') as raw:
        resp = await raw.get(f"/users/{EXEC}/messages/{message.id}")
    assert resp.headers["Preference-Applied"] == 'outlook.body-content-type="text"'
    body = resp.json()["body"]
    assert body["contentType"] == "text" and "<p>" not in body["content"]


async def test_unique_body_is_only_returned_when_selected(tenant: Tenant) -> None:
    message = (await inbox_messages(tenant))[0]
    client = tenant.graph(EXEC)
    plain = await client.users.by_user_id(EXEC).messages.by_message_id(message.id).get()
    picked = (
        await client.users.by_user_id(EXEC)
        .messages.by_message_id(message.id)
        .get(item_query(select=["uniqueBody", "subject"]))
    )
    assert plain.unique_body is None and picked.unique_body is not None


async def test_change_key_changes_on_every_update(tenant: Tenant) -> None:
    created = await draft(tenant)
    item = tenant.graph(SECRETARY).users.by_user_id(EXEC).messages.by_message_id(created.id)
    keys = [created.change_key]
    for patch in (
        Message(is_read=False),
        Message(categories=["Openbare orde en veiligheid"]),
        Message(flag=FollowupFlag(flag_status=FollowupFlagStatus.Complete)),
    ):
        keys.append((await item.patch(patch)).change_key)
    assert len(set(keys)) == 4
    final = await item.get()
    assert final.categories == ["Openbare orde en veiligheid"]
    assert final.flag.flag_status == FollowupFlagStatus.Complete and final.flag.completed_date_time


async def test_flag_with_due_date_needs_a_start_date(tenant: Tenant) -> None:
    created = await draft(tenant)
    item = tenant.graph(SECRETARY).users.by_user_id(EXEC).messages.by_message_id(created.id)
    due = DateTimeTimeZone(date_time="2026-11-27T09:00:00", time_zone="W. Europe Standard Time")
    with pytest.raises(ODataError) as err:
        await item.patch(
            Message(flag=FollowupFlag(flag_status=FollowupFlagStatus.Flagged, due_date_time=due))
        )
    assert err.value.response_status_code == 400
    flagged = await item.patch(
        Message(
            flag=FollowupFlag(
                flag_status=FollowupFlagStatus.Flagged, start_date_time=due, due_date_time=due
            )
        )
    )
    assert flagged.flag.due_date_time.time_zone == "UTC"
    assert flagged.flag.due_date_time.date_time.startswith("2026-11-27T08:00:00")


async def test_unknown_property_in_a_patch_is_refused(tenant: Tenant) -> None:
    created = await draft(tenant)
    async with tenant.raw(SECRETARY) as raw:
        resp = await raw.patch(f"/users/{EXEC}/messages/{created.id}", json={"colour": "red"})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "RequestBodyRead"


async def test_wrong_type_in_a_patch_is_refused(tenant: Tenant) -> None:
    created = await draft(tenant)
    async with tenant.raw(SECRETARY) as raw:
        resp = await raw.patch(f"/users/{EXEC}/messages/{created.id}", json={"isRead": "yes"})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "RequestBodyRead"


async def test_malformed_json_is_a_bad_request(tenant: Tenant) -> None:
    created = await draft(tenant)
    async with tenant.raw(SECRETARY) as raw:
        resp = await raw.patch(
            f"/users/{EXEC}/messages/{created.id}",
            content=b'{"isRead": tru',
            headers={"Content-Type": "application/json"},
        )
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadRequest"


async def test_body_of_a_received_message_cannot_be_changed(tenant: Tenant) -> None:
    received = (await inbox_messages(tenant))[0]
    item = tenant.graph(SECRETARY).users.by_user_id(EXEC).messages.by_message_id(received.id)
    with pytest.raises(ODataError) as err:
        await item.patch(Message(body=ItemBody(content_type=BodyType.Text, content="anders")))
    assert err.value.error.code == "ErrorInvalidPropertyUpdateSentMessage"


async def test_a_draft_body_can_be_rewritten(tenant: Tenant) -> None:
    created = await draft(tenant)
    item = tenant.graph(SECRETARY).users.by_user_id(EXEC).messages.by_message_id(created.id)
    updated = await item.patch(
        Message(body=ItemBody(content_type=BodyType.Text, content="Nieuwe tekst"))
    )
    assert updated.body.content == "Nieuwe tekst" and updated.body_preview == "Nieuwe tekst"


async def test_new_draft_lands_in_drafts_with_resolved_recipient_names(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY)
    created = await client.users.by_user_id(EXEC).messages.post(
        Message(subject="Uitnodiging", to_recipients=to("joost.brinkhorst@zeeveen.nl"))
    )
    drafts = await client.users.by_user_id(EXEC).mail_folders.by_mail_folder_id("drafts").get()
    assert created.parent_folder_id == drafts.id and created.is_draft is True
    assert created.to_recipients[0].email_address.name == "Joost Brinkhorst"


async def test_move_without_immutable_ids_changes_the_id(tenant: Tenant) -> None:
    created = await draft(tenant)
    client = tenant.graph(SECRETARY, prefer="")
    regular = await client.users.by_user_id(EXEC).messages.by_message_id(created.id).get()
    moved = (
        await client.users.by_user_id(EXEC)
        .messages.by_message_id(regular.id)
        .move.post(MovePostRequestBody(destination_id="archive"))
    )
    assert moved.id != regular.id
    with pytest.raises(ODataError) as err:
        await client.users.by_user_id(EXEC).messages.by_message_id(regular.id).get()
    assert err.value.error.code == "ErrorItemNotFound"


async def test_move_with_immutable_ids_keeps_the_id(tenant: Tenant) -> None:
    created = await draft(tenant)
    client = tenant.graph(SECRETARY)
    moved = (
        await client.users.by_user_id(EXEC)
        .messages.by_message_id(created.id)
        .move.post(MovePostRequestBody(destination_id="archive"))
    )
    archive = await client.users.by_user_id(EXEC).mail_folders.by_mail_folder_id("archive").get()
    assert moved.id == created.id and moved.parent_folder_id == archive.id


async def test_copy_makes_a_new_message_and_keeps_the_original(tenant: Tenant) -> None:
    created = await draft(tenant)
    client = tenant.graph(SECRETARY)
    copy = (
        await client.users.by_user_id(EXEC)
        .messages.by_message_id(created.id)
        .copy.post(CopyPostRequestBody(destination_id="inbox"))
    )
    original = await client.users.by_user_id(EXEC).messages.by_message_id(created.id).get()
    assert copy.id != created.id and copy.subject == original.subject


async def test_delete_moves_to_deleted_items_and_a_second_delete_removes(tenant: Tenant) -> None:
    created = await draft(tenant)
    users = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    await users.messages.by_message_id(created.id).delete()
    deleted = await users.mail_folders.by_mail_folder_id("deleteditems").get()
    assert (await users.messages.by_message_id(created.id).get()).parent_folder_id == deleted.id
    await users.messages.by_message_id(created.id).delete()
    with pytest.raises(ODataError) as err:
        await users.messages.by_message_id(created.id).get()
    assert err.value.response_status_code == 404


async def test_an_id_from_another_mailbox_is_not_found(tenant: Tenant) -> None:
    theirs = await tenant.graph(OTHER_EXEC).users.by_user_id(OTHER_EXEC).messages.get()
    with pytest.raises(ODataError) as err:
        await (
            tenant.graph(EXEC)
            .users.by_user_id(EXEC)
            .messages.by_message_id(theirs.value[0].id)
            .get()
        )
    assert err.value.response_status_code == 404 and err.value.error.code == "ErrorItemNotFound"


async def test_a_malformed_id_is_a_bad_request(tenant: Tenant) -> None:
    async with tenant.raw(EXEC) as raw:
        resp = await raw.get(f"/users/{EXEC}/messages/nope")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "ErrorInvalidIdMalformed"


async def test_mime_value_parses_with_the_email_package(tenant: Tenant) -> None:
    client = tenant.graph(EXEC)
    page = (
        await client.users.by_user_id(EXEC)
        .mail_folders.by_mail_folder_id("inbox")
        .messages.get(folder_query(filter="hasAttachments eq true", top=1))
    )
    message = page.value[0]
    raw = await client.users.by_user_id(EXEC).messages.by_message_id(message.id).content.get()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == message.subject
    assert parsed["From"].addresses[0].addr_spec == message.from_.email_address.address
    names = [part.get_filename() for part in parsed.iter_attachments()]
    assert names and all(names)


async def test_extended_property_tags_a_message_for_filter_and_expand(tenant: Tenant) -> None:
    tag = SingleValueLegacyExtendedProperty(id=OP_PROP, value="op-4711")
    created = await draft(tenant, single_value_extended_properties=[tag])
    client = tenant.graph(SECRETARY)
    drafts = client.users.by_user_id(EXEC).mail_folders.by_mail_folder_id("drafts")
    tagged = f"ep/id eq '{OP_PROP}' and ep/value eq 'op-4711'"
    found = await drafts.messages.get(
        folder_query(
            filter=f"singleValueExtendedProperties/Any(ep: {tagged})",
            expand=[f"singleValueExtendedProperties($filter=id eq '{OP_PROP}')"],
        )
    )
    assert [m.id for m in found.value] == [created.id]
    assert found.value[0].single_value_extended_properties[0].value == "op-4711"
    plain = await client.users.by_user_id(EXEC).messages.by_message_id(created.id).get()
    assert plain.single_value_extended_properties is None


async def test_count_endpoint_counts_the_filtered_messages(tenant: Tenant) -> None:
    async with tenant.raw(EXEC) as raw:
        url = f"/users/{EXEC}/mailFolders/inbox/messages/$count?$filter=isRead%20eq%20false"
        resp = await raw.get(url)
    unread = [m for m in await inbox_messages(tenant) if not m.is_read]
    assert resp.status_code == 200 and int(resp.text) == len(unread)


async def test_me_is_the_signed_in_users_own_mailbox(tenant: Tenant) -> None:
    client = tenant.graph(EXEC)
    mine = await client.me.messages.get()
    created = await client.me.messages.post(Message(subject="Eigen concept"))
    moved = await client.me.messages.by_message_id(created.id).move.post(
        MovePostRequestBody(destination_id="archive")
    )
    theirs = await client.users.by_user_id(EXEC).messages.by_message_id(moved.id).get()
    assert mine.value and theirs.subject == "Eigen concept" and moved.id == created.id
