"""Events through msgraph-sdk: a secretary working in an executive's calendar, and the executive.

Shapes are checked against the event pages on learn.microsoft.com (event-get, user-post-events,
event-update) and the SDK's own model: nothing may land in ``additional_data``.
"""

from __future__ import annotations

from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.location import Location
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.events.events_request_builder import EventsRequestBuilder

from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B, STAFF

ZONE = "W. Europe Standard Time"
THU, FRI = seed_day("thu").isoformat(), seed_day("fri").isoformat()  # of the demo week
ANNOTATIONS = {"@odata.context", "@odata.etag"}  # the SDK keeps OData annotations aside

# What Graph returns for an event (event-get and user-post-events examples).
EVENT_PROPERTIES = {
    "@odata.etag", "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories",
    "transactionId", "originalStartTimeZone", "originalEndTimeZone", "iCalUId",
    "reminderMinutesBeforeStart", "isReminderOn", "hasAttachments", "subject", "bodyPreview",
    "importance", "sensitivity", "isAllDay", "isCancelled", "isOrganizer", "responseRequested",
    "seriesMasterId", "showAs", "type", "webLink", "onlineMeetingUrl", "isOnlineMeeting",
    "onlineMeetingProvider", "allowNewTimeProposals", "isDraft", "hideAttendees",
    "responseStatus", "body", "start", "end", "location", "locations", "recurrence",
    "attendees", "organizer", "onlineMeeting",
}  # fmt: skip


def lunch(subject: str, day: str = THU, attendees: tuple[str, ...] = ()) -> Event:
    return Event(
        subject=subject,
        body=ItemBody(content_type=BodyType.Html, content="<p>Over de begroting.</p>"),
        start=DateTimeTimeZone(date_time=f"{day}T12:00:00", time_zone=ZONE),
        end=DateTimeTimeZone(date_time=f"{day}T13:00:00", time_zone=ZONE),
        location=Location(display_name="Stadscafe"),
        attendees=[
            Attendee(email_address=EmailAddress(address=a), type=AttendeeType.Required)
            for a in attendees
        ],
    )


def raw_event(subject: str, **extra: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "start": {"dateTime": f"{FRI}T10:00:00", "timeZone": ZONE},
        "end": {"dateTime": f"{FRI}T11:00:00", "timeZone": ZONE},
        **extra,
    }


async def test_a_secretary_creates_an_event_in_the_executives_calendar_as_the_executive(
    tenant: Tenant,
) -> None:
    made = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.post(lunch("Lunch wethouder"))
    )
    assert made is not None and made.id
    assert made.organizer.email_address.address == BURGEMEESTER
    assert made.is_organizer is True
    assert made.response_status.response.value == "organizer"
    got = (
        await tenant.graph(BURGEMEESTER)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .get()
    )
    assert got.subject == "Lunch wethouder"
    assert got.start.date_time.startswith(f"{THU}T12:00:00") and got.start.time_zone == ZONE


async def test_an_event_carries_every_property_graph_returns_and_nothing_else(
    tenant: Tenant,
) -> None:
    made = (
        await tenant.graph(BURGEMEESTER)
        .users.by_user_id(BURGEMEESTER)
        .events.post(lunch("Alle velden"))
    )
    async with tenant.raw(BURGEMEESTER) as graph:
        resp = await graph.get(f"/me/events/{made.id}")
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) - {"@odata.context"} == EVENT_PROPERTIES
    assert body["@odata.etag"] == f'W/"{body["changeKey"]}"'
    assert body["location"] == {
        "displayName": "Stadscafe",
        "locationType": "default",
        "uniqueId": "Stadscafe",
        "uniqueIdType": "private",
    }
    got = (
        await tenant.graph(BURGEMEESTER)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .get()
    )
    assert set(got.additional_data) <= ANNOTATIONS
    assert got.start.additional_data == {} and got.response_status.additional_data == {}


async def test_the_event_list_holds_single_events_and_series_masters_but_no_occurrences(
    tenant: Tenant,
) -> None:
    config = RequestConfiguration(
        query_parameters=EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(top=200)
    )
    page = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.get(request_configuration=config)
    )
    kinds = {e.type.value for e in page.value}
    assert kinds <= {"singleInstance", "seriesMaster"} and "seriesMaster" in kinds
    assert all(e.series_master_id is None for e in page.value)


async def test_select_filter_and_top_shape_the_event_list(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        query = "$select=subject,start&$filter=subject%20eq%20'Dagstart'&$top=5"
        resp = await graph.get(f"/users/{BURGEMEESTER}/events?{query}")
    body = resp.json()
    assert resp.status_code == 200, body
    assert "/events(subject,start)" in body["@odata.context"]
    assert [e["subject"] for e in body["value"]] == ["Dagstart"]
    assert set(body["value"][0]) == {"@odata.etag", "id", "subject", "start"}


async def test_the_event_list_pages_with_a_next_link(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    config = RequestConfiguration(
        query_parameters=EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(top=3)
    )
    first = await client.users.by_user_id(BURGEMEESTER).events.get(request_configuration=config)
    assert len(first.value) == 3 and first.odata_next_link
    second = (
        await client.users.by_user_id(BURGEMEESTER).events.with_url(first.odata_next_link).get()
    )
    assert second.value and not {e.id for e in first.value} & {e.id for e in second.value}


async def test_an_update_gets_a_new_change_key_every_time(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    made = await client.users.by_user_id(BURGEMEESTER).events.post(lunch("Lunch met de pers"))
    keys = {made.change_key}
    for subject in ("Lunch met de pers (verzet)", "Lunch met de pers (verzet)"):
        updated = (
            await client.users.by_user_id(BURGEMEESTER)
            .events.by_event_id(made.id)
            .patch(Event(subject=subject))
        )
        assert updated.subject == subject
        keys.add(updated.change_key)
    assert len(keys) == 3


async def test_moving_an_event_keeps_its_zone_and_shows_the_new_time(tenant: Tenant) -> None:
    client = tenant.graph(BURGEMEESTER)
    made = await client.users.by_user_id(BURGEMEESTER).events.post(lunch("Verzetten"))
    moved = Event(
        start=DateTimeTimeZone(date_time=f"{THU}T15:00:00", time_zone=ZONE),
        end=DateTimeTimeZone(date_time=f"{THU}T16:00:00", time_zone=ZONE),
    )
    updated = await client.users.by_user_id(BURGEMEESTER).events.by_event_id(made.id).patch(moved)
    assert updated.start.date_time.startswith(f"{THU}T15:00:00")
    assert updated.original_start_time_zone == ZONE


async def test_deleting_an_event_answers_204_and_it_is_gone(tenant: Tenant) -> None:
    made = (
        await tenant.graph(BURGEMEESTER)
        .users.by_user_id(BURGEMEESTER)
        .events.post(lunch("Weg ermee"))
    )
    async with tenant.raw(SECRETARY_A) as graph:
        gone = await graph.delete(f"/users/{BURGEMEESTER}/events/{made.id}")
        again = await graph.get(f"/users/{BURGEMEESTER}/events/{made.id}")
    assert gone.status_code == 204
    assert (again.status_code, again.json()["error"]["code"]) == (404, "ErrorItemNotFound")


async def test_the_calendar_itself_is_readable_by_the_delegate(tenant: Tenant) -> None:
    cal = await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).calendar.get()
    assert cal.is_default_calendar and cal.owner.address == BURGEMEESTER
    assert set(cal.additional_data) <= ANNOTATIONS


# -- refusals ----------------------------------------------------------------------------------
BAD_EVENTS = {
    "no times": ({"subject": "Zonder tijden"}, "ErrorPropertyValidationFailure"),
    "end before start": (
        raw_event("Achterstevoren", end={"dateTime": f"{FRI}T09:00:00", "timeZone": ZONE}),
        "ErrorPropertyValidationFailure",
    ),
    "unknown zone": (
        raw_event("Zone", start={"dateTime": f"{FRI}T10:00:00", "timeZone": "Mars/Olympus"}),
        "TimeZoneNotSupportedException",
    ),
    "weekly without days": (
        raw_event(
            "Reeks zonder dagen",
            recurrence={
                "pattern": {"type": "weekly", "interval": 1},
                "range": {"type": "noEnd", "startDate": FRI},
            },
        ),
        "ErrorPropertyValidationFailure",
    ),
    "unknown property": (raw_event("Vreemd veld", colour="red"), "RequestBodyRead"),
    "wrong type": (raw_event("Verkeerd type", isAllDay="ja"), "RequestBodyRead"),
}


@pytest.mark.parametrize(("payload", "code"), BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
async def test_bad_events_are_refused_with_graphs_400(
    tenant: Tenant, payload: dict, code: str
) -> None:
    async with tenant.raw(BURGEMEESTER) as graph:
        resp = await graph.post("/me/events", json=payload)
    assert (resp.status_code, resp.json()["error"]["code"]) == (400, code)


async def test_malformed_json_is_a_400_not_a_500(tenant: Tenant) -> None:
    async with tenant.raw(BURGEMEESTER) as graph:
        resp = await graph.post(
            "/me/events", content=b"{not json", headers={"Content-Type": "application/json"}
        )
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadRequest"


async def test_an_event_of_another_mailbox_is_not_found(tenant: Tenant) -> None:
    made = (
        await tenant.graph(BURGEMEESTER)
        .users.by_user_id(BURGEMEESTER)
        .events.post(lunch("Alleen van mij"))
    )
    with pytest.raises(ODataError) as err:
        await tenant.graph(STAFF).users.by_user_id(STAFF).events.by_event_id(made.id).get()
    assert err.value.response_status_code == 404 and err.value.error.code == "ErrorItemNotFound"


async def test_a_malformed_id_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(BURGEMEESTER) as graph:
        resp = await graph.get("/me/events/nope")
    assert (resp.status_code, resp.json()["error"]["code"]) == (400, "ErrorInvalidIdMalformed")


async def test_a_secretary_of_another_team_cannot_open_the_calendar(tenant: Tenant) -> None:
    with pytest.raises(ODataError) as err:
        await tenant.graph(SECRETARY_B).users.by_user_id(BURGEMEESTER).events.get()
    assert err.value.response_status_code == 403 and err.value.error.code == "ErrorAccessDenied"
