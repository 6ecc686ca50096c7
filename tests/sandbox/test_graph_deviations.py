"""Places where the sandbox answered differently from Microsoft Graph v1.0, now as Graph does.

Each test goes through the sandbox's HTTP API with MSAL tokens, through msgraph-sdk where the
SDK can express the request, and names the Microsoft page the behaviour comes from.
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.drives.item.items.item.drive_item_item_request_builder import (
    DriveItemItemRequestBuilder,
)
from msgraph.generated.models.attachment_item import AttachmentItem
from msgraph.generated.models.attachment_type import AttachmentType
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.event_message import EventMessage
from msgraph.generated.models.event_message_request import EventMessageRequest
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.sites.item.drives.drives_request_builder import DrivesRequestBuilder
from msgraph.generated.sites.sites_request_builder import SitesRequestBuilder
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)
from msgraph.generated.users.item.mail_folders.item.mail_folder_item_request_builder import (
    MailFolderItemRequestBuilder,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.generated.users.item.messages.item.attachments.attachments_request_builder import (
    AttachmentsRequestBuilder,
)
from msgraph.generated.users.item.messages.item.attachments.create_upload_session.create_upload_session_post_request_body import (  # noqa: E501
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.users.item.messages.item.message_item_request_builder import (
    MessageItemRequestBuilder,
)
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, STAFF

SITE = "zeeveen.sharepoint.com:/sites/Bestuursondersteuning:"
TUE = seed_day("tue")
AGENDA = f"College van B&W/{TUE} Collegevergadering/01 Opening/Agenda collegevergadering {TUE}.pdf"
ZONE = "W. Europe Standard Time"
EVENT_CAST = "microsoft.graph.eventMessage/event"
_numbers = itertools.count(1)


def context_of(model: object) -> str:
    """``@odata.context`` of an SDK object (kiota keeps annotations in additional_data)."""
    return model.additional_data["@odata.context"]  # type: ignore[attr-defined]


# -- 1. /users pages with $skiptoken and refuses $skip ----------------------------------------
# List users (https://learn.microsoft.com/graph/api/user-list): "$skip isn't supported";
# Paging (https://learn.microsoft.com/graph/paging): "/users supports $top but not $skip", the
# next page is "$top=5&$skiptoken=RFNwdAIAAQAAAD8...". The refusal's code and text are the
# service's own, as reported in microsoftgraph/microsoft-graph-docs#9279 and
# msgraph-sdk-dotnet#348: 400 Request_BadRequest "'$skip' is not supported by the service."


async def test_users_are_paged_with_an_opaque_skiptoken(tenant: Tenant) -> None:
    users = tenant.graph(SECRETARY_A).users
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        top=5, select=["id", "displayName"], count=True
    )
    page = await users.get(RequestConfiguration(query_parameters=query))
    pages = [page]
    while page.odata_next_link:
        assert "$skiptoken=" in page.odata_next_link
        assert "$skip=" not in page.odata_next_link
        page = await users.with_url(page.odata_next_link).get()
        pages.append(page)
    ids = [u.id for p in pages for u in p.value]
    assert len(pages) > 1 and len(ids) == len(set(ids)) == pages[0].odata_count
    assert all(p.odata_count is None for p in pages[1:])  # only the first page counts
    assert "$select=id,displayName" in pages[0].odata_next_link


async def test_users_refuse_skip(tenant: Tenant) -> None:
    # msgraph-sdk has no skip parameter for /users (msgraph-metadata#283 removed it), so raw.
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.get("/users", params={"$top": "5", "$skip": "5"})
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == "Request_BadRequest"
    assert error["message"] == "'$skip' is not supported by the service."


async def test_a_made_up_skiptoken_is_a_bad_request(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.get("/users", params={"$skiptoken": "abc"})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "Request_BadRequest"


# -- 2. createUploadSession on an attachment --------------------------------------------------
# attachment: createUploadSession (https://learn.microsoft.com/graph/api/attachment-createuploadsession),
# Example 1: "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession".


async def test_an_attachment_upload_session_names_its_context_once(tenant: Tenant) -> None:
    mailbox = tenant.graph(SECRETARY_A).users.by_user_id(SECRETARY_A)
    to = [Recipient(email_address=EmailAddress(address=BURGEMEESTER))]
    draft = await mailbox.messages.post(Message(subject="Stukken", to_recipients=to))
    body = CreateUploadSessionPostRequestBody(
        attachment_item=AttachmentItem(
            attachment_type=AttachmentType.File, name="bijlage.pdf", size=4 * 1024 * 1024
        )
    )
    session = await mailbox.messages.by_message_id(draft.id).attachments.create_upload_session.post(
        body
    )
    graph_url = tenant.info["graph_url"].rstrip("/")
    assert graph_url.endswith("/v1.0")
    assert context_of(session) == f"{graph_url}/$metadata#microsoft.graph.uploadSession"


# -- 3. $select in @odata.context -------------------------------------------------------------
# The context URL names the selected properties after the entity set, for one entity and for a
# collection alike (OData 4.01 Protocol, "Context URL": "Customers(Address,PhoneNumber)/$entity").
# Graph's own examples: Get event (https://learn.microsoft.com/graph/api/event-get)
# "users('…')/events(subject,body,…)/$entity", List users (user-list) "users(id,displayName,
# mail,identities)", List messages (user-list-messages) "users('…')/messages(sender,subject)".


async def test_one_mail_folder_names_the_selection_in_its_context(tenant: Tenant) -> None:
    query = MailFolderItemRequestBuilder.MailFolderItemRequestBuilderGetQueryParameters(
        select=["id", "displayName"]
    )
    folder = await (
        tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .mail_folders.by_mail_folder_id("inbox")
        .get(RequestConfiguration(query_parameters=query))
    )
    assert folder.display_name
    assert context_of(folder).endswith("/mailFolders(id,displayName)/$entity")


async def test_one_drive_item_names_the_selection_in_its_context(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive = await client.sites.by_site_id(SITE).drive.get()
    query = DriveItemItemRequestBuilder.DriveItemItemRequestBuilderGetQueryParameters(
        select=["id", "name"]
    )
    item = await (
        client.drives.by_drive_id(drive.id)
        .items.by_drive_item_id(f"root:/{AGENDA}:")
        .get(RequestConfiguration(query_parameters=query))
    )
    assert item.name and item.size is None
    assert context_of(item).endswith("/items(id,name)/$entity")


async def test_attachments_name_the_selection_in_their_context(tenant: Tenant) -> None:
    mailbox = tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER)
    inbox = await mailbox.mail_folders.by_mail_folder_id("inbox").messages.get(
        RequestConfiguration(
            query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(top=1)
        )
    )
    query = AttachmentsRequestBuilder.AttachmentsRequestBuilderGetQueryParameters(
        select=["name", "size"]
    )
    page = await mailbox.messages.by_message_id(inbox.value[0].id).attachments.get(
        RequestConfiguration(query_parameters=query)
    )
    assert context_of(page).endswith("/attachments(name,size)")


async def test_sites_and_a_sites_drives_name_the_selection_in_their_context(
    tenant: Tenant,
) -> None:
    client = tenant.graph(SECRETARY_A)
    sites = await client.sites.get(
        RequestConfiguration(
            query_parameters=SitesRequestBuilder.SitesRequestBuilderGetQueryParameters(
                search="Bestuursondersteuning", select=["id", "displayName"]
            )
        )
    )
    drives = await client.sites.by_site_id(sites.value[0].id).drives.get(
        RequestConfiguration(
            query_parameters=DrivesRequestBuilder.DrivesRequestBuilderGetQueryParameters(
                select=["id", "name"]
            )
        )
    )
    assert context_of(sites).endswith("#sites(id,displayName)")
    assert context_of(drives).endswith("#drives(id,name)")
    assert [d.name for d in drives.value] == ["Vergaderstukken"]


# -- 4. $expand=microsoft.graph.eventMessage/event --------------------------------------------
# Get eventMessage (https://learn.microsoft.com/graph/api/eventmessage-get), Example 2: a cast
# on the message reaches its event navigation property; the response carries
# "event@odata.context": "…/messages('…')/microsoft.graph.eventMessage/event/$entity" and the
# attendee's event. A message of another type has no such property, and an OData cast segment
# selects only instances of that type (OData 4.01 URL Conventions, "Addressing Derived
# Types"), so a plain message comes back without `event`.


async def _invite(tenant: Tenant) -> tuple[str, Event]:
    """A meeting the burgemeester's secretary organizes; returns its subject and STAFF's copy."""
    subject = f"Afstemming {next(_numbers)}"
    thursday = seed_day("thu").isoformat()
    event = Event(
        subject=subject,
        start=DateTimeTimeZone(date_time=f"{thursday}T09:00:00", time_zone=ZONE),
        end=DateTimeTimeZone(date_time=f"{thursday}T10:00:00", time_zone=ZONE),
        attendees=[Attendee(email_address=EmailAddress(address=STAFF), type=AttendeeType.Required)],
    )
    made = await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).events.post(event)
    return subject, made


async def _inbox(tenant: Tenant, subject: str) -> list[Message]:
    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter=f"subject eq '{subject}' or subject eq 'Canceled: {subject}'", top=10
    )
    page = await (
        tenant.graph(STAFF)
        .users.by_user_id(STAFF)
        .mail_folders.by_mail_folder_id("inbox")
        .messages.get(RequestConfiguration(query_parameters=query))
    )
    return list(page.value)


async def _get_expanded(tenant: Tenant, message_id: str) -> Message:
    query = MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(
        expand=[EVENT_CAST]
    )
    found = await (
        tenant.graph(STAFF)
        .users.by_user_id(STAFF)
        .messages.by_message_id(message_id)
        .get(RequestConfiguration(query_parameters=query))
    )
    assert found is not None
    return found


async def test_a_meeting_request_expands_to_the_attendees_event(tenant: Tenant) -> None:
    subject, _ = await _invite(tenant)
    [request] = await _inbox(tenant, subject)
    found = await _get_expanded(tenant, request.id)
    assert isinstance(found, EventMessageRequest)
    assert found.event is not None and found.event.subject == subject
    assert found.event.is_organizer is False  # STAFF's own copy, in her calendar
    mine = (
        await tenant.graph(STAFF).users.by_user_id(STAFF).events.by_event_id(found.event.id).get()
    )
    assert mine.i_cal_u_id == found.event.i_cal_u_id
    assert found.additional_data["event@odata.context"].endswith(
        f"/messages('{quote(request.id, safe='')}')/{EVENT_CAST}/$entity"
    )


async def test_a_cancellation_expands_to_the_cancelled_event(tenant: Tenant) -> None:
    subject, made = await _invite(tenant)
    await (
        tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .cancel.post(CancelPostRequestBody(comment="Vervalt."))
    )
    [notice] = [m for m in await _inbox(tenant, subject) if m.subject.startswith("Canceled:")]
    found = await _get_expanded(tenant, notice.id)
    assert isinstance(found, EventMessage)
    assert found.event is not None and found.event.is_cancelled is True


async def test_a_plain_message_ignores_the_cast_expand(tenant: Tenant) -> None:
    mailbox = tenant.graph(STAFF).users.by_user_id(STAFF)
    draft = await mailbox.messages.post(Message(subject="Geen uitnodiging"))
    found = await _get_expanded(tenant, draft.id)
    assert not isinstance(found, EventMessage)
    assert found.subject == "Geen uitnodiging"
    assert "event" not in found.additional_data
    assert "event@odata.context" not in found.additional_data
