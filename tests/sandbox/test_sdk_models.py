"""Every sandbox answer parses into msgraph-sdk's own model with nothing left over.

Kiota puts every JSON key a model does not know into ``additional_data``. Graph answers such
keys only for documented instance annotations, so anything else there is a property the
sandbox invented or misspelled. ``leftovers`` walks a parsed model and everything nested in it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.serialization import Parsable
from msgraph import GraphServiceClient
from msgraph.generated.models.attendee_base import AttendeeBase
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event_type import EventType
from msgraph.generated.models.file_attachment import FileAttachment
from msgraph.generated.models.linked_resource import LinkedResource
from msgraph.generated.models.time_constraint import TimeConstraint
from msgraph.generated.models.time_slot import TimeSlot
from msgraph.generated.sites.sites_request_builder import SitesRequestBuilder
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.find_meeting_times.find_meeting_times_post_request_body import (
    FindMeetingTimesPostRequestBody,
)
from msgraph.generated.users.item.messages.item.message_item_request_builder import (
    MessageItemRequestBuilder,
)
from msgraph.generated.users.item.messages.messages_request_builder import MessagesRequestBuilder

from tests.dates import local, seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, WETHOUDERS

EXEC = BURGEMEESTER
SECRETARY = SECRETARY_A  # the product's path: a secretary in the executive's mailbox
ZONE = "W. Europe Standard Time"

# Instance annotations Graph documents on these payloads (OData JSON format; driveItem).
ANNOTATIONS = frozenset(
    {
        "@odata.context",
        "@odata.etag",
        "@odata.nextLink",
        "@odata.deltaLink",
        "@odata.count",
        "@odata.mediaContentType",
        "@microsoft.graph.downloadUrl",
    }
)


def leftovers(model: Any, path: str = "$", seen: set[str] | None = None) -> list[str]:
    """Keys in ``additional_data`` of ``model`` or any model nested in it, except annotations.

    ``seen`` collects the model type names walked, so a test can show it reached the nested
    models it cares about.
    """
    out: list[str] = []
    if seen is not None:
        seen.add(type(model).__name__)
    for key in getattr(model, "additional_data", None) or {}:
        if key not in ANNOTATIONS and not key.endswith("@odata.context"):
            out.append(f"{path}.{key}")
    if not dataclasses.is_dataclass(model):
        return out
    for f in dataclasses.fields(model):
        if f.name in ("additional_data", "backing_store"):
            continue
        value = getattr(model, f.name)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, Parsable):
                where = f"{path}.{f.name}" + (f"[{i}]" if isinstance(value, list) else "")
                out += leftovers(item, where, seen)
    return out


def assert_clean(model: Any, *nested: str) -> None:
    """Nothing left over, and the walk reached each of the ``nested`` model types."""
    assert model is not None
    seen: set[str] = set()
    extra = leftovers(model, seen=seen)
    assert not extra, f"keys msgraph-sdk does not know: {extra}"
    missing = set(nested) - seen
    assert not missing, f"the answer had no {sorted(missing)} to check"


def client(tenant: Tenant, upn: str | None = SECRETARY) -> GraphServiceClient:
    return tenant.graph(upn)


async def a_message_with_attachment_id(graph: GraphServiceClient) -> str:
    params = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter="hasAttachments eq true", top=1, select=["id"]
    )
    page = await graph.users.by_user_id(EXEC).messages.get(
        RequestConfiguration(query_parameters=params)
    )
    assert page is not None and page.value, "the seed has a message with an attachment"
    return page.value[0].id


def this_week(upn: str = EXEC) -> RequestConfiguration:
    params = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=local(seed_day("mon")).isoformat(),
        end_date_time=local(seed_day("mon", week=1)).isoformat(),
        top=100,
    )  # the demo week
    return RequestConfiguration(query_parameters=params)


# -- directory ---------------------------------------------------------------------------------
async def test_a_user_parses_cleanly(tenant: Tenant) -> None:
    assert_clean(await client(tenant).users.by_user_id(EXEC).get())


async def test_the_user_list_parses_cleanly_for_the_app(tenant: Tenant) -> None:
    assert_clean(await client(tenant, None).users.get(), "User")


# -- mail --------------------------------------------------------------------------------------
async def test_mail_folders_parse_cleanly(tenant: Tenant) -> None:
    folders = await client(tenant).users.by_user_id(EXEC).mail_folders.get()
    assert_clean(folders, "MailFolder")


async def test_a_message_parses_cleanly_with_all_its_nested_parts(tenant: Tenant) -> None:
    graph = client(tenant)
    message_id = await a_message_with_attachment_id(graph)
    message = await graph.users.by_user_id(EXEC).messages.by_message_id(message_id).get()
    assert_clean(message, "Message", "ItemBody", "Recipient", "EmailAddress", "FollowupFlag")


async def test_a_message_with_select_parses_cleanly(tenant: Tenant) -> None:
    graph = client(tenant)
    message_id = await a_message_with_attachment_id(graph)
    params = MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(
        select=["subject", "from", "toRecipients", "flag", "receivedDateTime", "categories"]
    )
    message = (
        await graph.users.by_user_id(EXEC)
        .messages.by_message_id(message_id)
        .get(RequestConfiguration(query_parameters=params))
    )
    assert_clean(message, "Recipient", "EmailAddress", "FollowupFlag")


async def test_a_message_page_with_select_parses_cleanly(tenant: Tenant) -> None:
    params = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        select=["subject", "sender", "isRead"], top=5
    )
    page = (
        await client(tenant)
        .users.by_user_id(EXEC)
        .messages.get(RequestConfiguration(query_parameters=params))
    )
    assert_clean(page, "Message")


async def test_a_file_attachment_parses_cleanly(tenant: Tenant) -> None:
    graph = client(tenant)
    message = graph.users.by_user_id(EXEC).messages.by_message_id(
        await a_message_with_attachment_id(graph)
    )
    listed = await message.attachments.get()
    assert listed is not None and listed.value
    attachment = await message.attachments.by_attachment_id(listed.value[0].id).get()
    assert isinstance(attachment, FileAttachment)
    assert_clean(attachment)
    assert_clean(listed, "FileAttachment")


async def test_master_categories_parse_cleanly(tenant: Tenant) -> None:
    categories = await client(tenant, None).users.by_user_id(EXEC).outlook.master_categories.get()
    assert_clean(categories, "OutlookCategory")


# -- calendar ----------------------------------------------------------------------------------
async def test_a_single_event_parses_cleanly(tenant: Tenant) -> None:
    graph = client(tenant)
    view = await graph.users.by_user_id(EXEC).calendar_view.get(this_week())
    single = next(e for e in view.value if e.type == EventType.SingleInstance and e.attendees)
    event = await graph.users.by_user_id(EXEC).events.by_event_id(single.id).get()
    assert_clean(
        event, "Event", "ItemBody", "DateTimeTimeZone", "Attendee", "EmailAddress",
        "ResponseStatus", "Location", "Recipient",
    )  # fmt: skip


async def test_occurrences_in_a_calendar_view_parse_cleanly(tenant: Tenant) -> None:
    view = await client(tenant).users.by_user_id(EXEC).calendar_view.get(this_week())
    assert any(e.type == EventType.Occurrence for e in view.value)
    assert_clean(view, "Event", "DateTimeTimeZone", "Attendee")


async def test_a_series_master_parses_cleanly_with_its_recurrence(tenant: Tenant) -> None:
    graph = client(tenant)
    view = await graph.users.by_user_id(EXEC).calendar_view.get(this_week())
    occurrence = next(e for e in view.value if e.type == EventType.Occurrence)
    master = (
        await graph.users.by_user_id(EXEC).events.by_event_id(occurrence.series_master_id).get()
    )
    assert master.type == EventType.SeriesMaster
    assert_clean(master, "PatternedRecurrence", "RecurrencePattern", "RecurrenceRange")


async def test_meeting_time_suggestions_parse_cleanly(tenant: Tenant) -> None:
    slot = TimeSlot(
        start=DateTimeTimeZone(date_time=f"{seed_day('mon', week=1)}T09:00:00", time_zone=ZONE),
        end=DateTimeTimeZone(date_time=f"{seed_day('wed', week=1)}T17:00:00", time_zone=ZONE),
    )
    body = FindMeetingTimesPostRequestBody(
        attendees=[AttendeeBase(email_address=EmailAddress(address=WETHOUDERS[0]))],
        time_constraint=TimeConstraint(time_slots=[slot]),
    )
    result = await client(tenant).users.by_user_id(EXEC).find_meeting_times.post(body)
    assert_clean(result, "MeetingTimeSuggestion", "TimeSlot", "AttendeeAvailability")


# -- drive and sites ---------------------------------------------------------------------------
async def library(graph: GraphServiceClient) -> tuple[str, str]:
    """The meeting-documents site and its library drive (found by the sites search URL the
    docs give, GET /sites?search=; the SDK's own $search form is checked on its own)."""
    url = graph.sites.request_adapter.base_url + "/sites?search=Bestuursondersteuning"
    sites = await graph.sites.with_url(url).get()
    assert sites is not None and sites.value
    site_id = sites.value[0].id
    drives = await graph.sites.by_site_id(site_id).drives.get()
    return site_id, next(d.id for d in drives.value if d.name == "Vergaderstukken")


async def test_sites_found_with_the_sdks_search_parse_cleanly(tenant: Tenant) -> None:
    params = SitesRequestBuilder.SitesRequestBuilderGetQueryParameters(search="Bestuur")
    sites = await client(tenant).sites.get(RequestConfiguration(query_parameters=params))
    assert_clean(sites, "Site")


async def test_a_site_parses_cleanly(tenant: Tenant) -> None:
    graph = client(tenant)
    site_id, _ = await library(graph)
    assert_clean(await graph.sites.by_site_id(site_id).get(), "Site")


async def test_drives_parse_cleanly(tenant: Tenant) -> None:
    graph = client(tenant)
    site_id, _ = await library(graph)
    assert_clean(await graph.sites.by_site_id(site_id).drives.get(), "Drive")
    assert_clean(await client(tenant, EXEC).users.by_user_id(EXEC).drive.get(), "IdentitySet")


async def test_drive_items_parse_cleanly(tenant: Tenant) -> None:
    graph = client(tenant)
    _, drive_id = await library(graph)
    root = await graph.drives.by_drive_id(drive_id).root.get()
    assert_clean(root, "Folder")
    meetings = (
        await graph.drives.by_drive_id(drive_id).items.by_drive_item_id(root.id).children.get()
    )
    assert_clean(meetings, "DriveItem", "ItemReference", "IdentitySet")


async def first_file(items: Any, folder_id: str) -> str | None:
    """Depth first: the id of the first file below ``folder_id``."""
    children = (await items.by_drive_item_id(folder_id).children.get()).value
    for child in children:
        found = child.id if child.file else await first_file(items, child.id)
        if found:
            return found
    return None


async def test_a_file_in_the_library_parses_cleanly(tenant: Tenant) -> None:
    graph = client(tenant)
    _, drive_id = await library(graph)
    items = graph.drives.by_drive_id(drive_id).items
    root = await graph.drives.by_drive_id(drive_id).root.get()
    file_id = await first_file(items, root.id)
    assert file_id, "the library holds meeting documents"
    assert_clean(await items.by_drive_item_id(file_id).get(), "File", "Hashes", "FileSystemInfo")


# -- to do -------------------------------------------------------------------------------------
async def test_task_lists_tasks_and_linked_resources_parse_cleanly(tenant: Tenant) -> None:
    todo = client(tenant).users.by_user_id(SECRETARY).todo
    lists = await todo.lists.get()
    assert_clean(lists, "TodoTaskList")
    seeded = next(x for x in lists.value if x.display_name == "Secretariaat")
    tasks = todo.lists.by_todo_task_list_id(seeded.id).tasks
    page = await tasks.get()
    assert_clean(page, "TodoTask", "ItemBody")
    links = tasks.by_todo_task_id(page.value[0].id).linked_resources
    link = LinkedResource(web_url="https://zeeveen.nl/zaak/1", application_name="Secretariaat",
                          display_name="Zaak 1")  # fmt: skip
    assert_clean(await links.post(link))
    assert_clean(await links.get(), "LinkedResource")
