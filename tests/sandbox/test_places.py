"""Rooms: the places API, room mailboxes that answer meeting requests, room availability.

Sources: place-list and place-get (v1.0) for the places API and its permission
(Place.Read.All); Set-CalendarProcessing for a room mailbox's defaults (AutomateProcessing
AutoAccept: free = accept, busy = decline; DeleteSubject and AddOrganizerToSubject); getSchedule
and findMeetingTimes (attendees of type ``resource``, locationConstraint) for availability.

The sandbox here is the demo tenant plus one app registration for facilities ("Zaalbeheer"):
Place.Read.All delegated and application, and app-only Calendars.Read on the room mailboxes.
An app without Place.Read.All (the "Agenda-export" app registered here) is refused.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.room import Room
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
    GetSchedulePostRequestBody,
)

from sandbox import clock as sandbox_clocks
from sandbox.app import SandboxConfig
from sandbox.places import ROOM_FIELDS
from sandbox.seed.loader import DEFAULT_PATH
from sandbox.server import RunningSandbox, start_in_thread
from tests.conftest import TODAY
from tests.dates import AMSTERDAM, seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import (
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_B,
    STAFF,
    WETHOUDERS,
)

Json = dict[str, Any]
ZONE = "W. Europe Standard Time"
FACILITIES = "3f1b7c2e-5d4a-4e8f-9a61-0c2d8e7b5a14"  # the facilities app's client id
WITHOUT_PLACES = "7a2d9e41-0b6c-4f3a-8d15-2e9c4b7f6a03"  # an app without Place.Read.All
RAADZAAL, COLLEGEKAMER = "raadzaal@zeeveen.nl", "collegekamer@zeeveen.nl"
TROUWZAAL, SPREEKKAMER = "trouwzaal@zeeveen.nl", "spreekkamer112@zeeveen.nl"
DE_HAVEN = "dehaven@zeeveen.nl"
STADHUIS = "stadhuis@zeeveen.nl"  # the room list
ROOMS = {COLLEGEKAMER, RAADZAAL, DE_HAVEN, TROUWZAAL, SPREEKKAMER}
ROOM_IDS = {
    RAADZAAL: "bc8d61e7-40d7-420a-98a2-8e328c685a67",
    STADHUIS: "22400936-43e6-4e2d-9f25-1b5471718469",
}
WETHOUDER = WETHOUDERS[0]
TUE = seed_day("tue").isoformat()
# Next week's days, one hour each per test, so the module's meetings never meet by accident.
_hours = itertools.count(8)


def slot(weekday: str = "wed") -> tuple[str, str]:
    """A fresh hour next week (Amsterdam wall-clock time), different for every call."""
    n = next(_hours)
    day = seed_day(weekday, week=1 + (n - 8) // 9)
    hour = 8 + (n - 8) % 9
    return f"{day}T{hour:02d}:00:00", f"{day}T{hour + 1:02d}:00:00"


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory, tenant_clock: sandbox_clocks.SetClock
) -> Iterator[RunningSandbox]:
    """The demo tenant with the facilities app registered beside the product's."""
    work: Path = tmp_path_factory.mktemp("places")
    seed = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    seed["apps"].append(
        {
            "displayName": "Zaalbeheer",
            "client_id": FACILITIES,
            "api_scopes": ["access_as_user"],
            "delegated_permissions": ["Place.Read.All"],
            "application_permissions": ["Place.Read.All", "Calendars.Read"],
            "spa_redirect_uris": [],
            "rbac_scope": sorted(ROOMS),
        }
    )
    seed["apps"].append(
        {
            "displayName": "Agenda-export",
            "client_id": WITHOUT_PLACES,
            "api_scopes": ["access_as_user"],
            "delegated_permissions": ["Calendars.ReadWrite.Shared"],
            "application_permissions": ["Calendars.Read"],
            "spa_redirect_uris": [],
            "rbac_scope": sorted(ROOMS),
        }
    )
    path = work / "seed.yaml"
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    run = start_in_thread(
        SandboxConfig(state_dir=work / "state", today=TODAY, clock=tenant_clock, seed=path)
    )
    yield run
    run.stop()


@pytest.fixture(scope="module")
def facilities(running: RunningSandbox) -> Tenant:
    secret = running.app.state.sandbox.store.get_meta(f"client_secret:{FACILITIES}")
    return Tenant({**running.info, "client_id": FACILITIES, "client_secret": secret})


@pytest.fixture(scope="module")
def without_places(running: RunningSandbox) -> Tenant:
    secret = running.app.state.sandbox.store.get_meta(f"client_secret:{WITHOUT_PLACES}")
    return Tenant({**running.info, "client_id": WITHOUT_PLACES, "client_secret": secret})


async def get(client: Tenant, url: str, upn: str | None = SECRETARY_A) -> Any:
    async with client.raw(upn) as http:
        return await http.get(url)


def meeting(subject: str, times: tuple[str, str], *attendees: tuple[str, str]) -> Json:
    return {
        "subject": subject,
        "body": {"contentType": "html", "content": "<p>Vertrouwelijk</p>"},
        "start": {"dateTime": times[0], "timeZone": ZONE},
        "end": {"dateTime": times[1], "timeZone": ZONE},
        "attendees": [
            {"emailAddress": {"address": address}, "type": kind} for address, kind in attendees
        ],
    }


async def organize(
    tenant: Tenant, body: Json, *, by: str = SECRETARY_A, on: str = BURGEMEESTER
) -> Json:
    """POST the meeting in ``on``'s calendar as her secretary; the answer as Graph gave it."""
    async with tenant.raw(by) as http:
        made = await http.post(f"/users/{on}/events", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def attendee_status(tenant: Tenant, event_id: str, address: str, **kw: str) -> str:
    on, by = kw.get("on", BURGEMEESTER), kw.get("by", SECRETARY_A)
    async with tenant.raw(by) as http:
        event = (await http.get(f"/users/{on}/events/{event_id}")).json()
    [att] = [a for a in event["attendees"] if a["emailAddress"]["address"] == address]
    return str(att["status"]["response"])


def instant(wall: str) -> str:
    """An Amsterdam wall-clock time as an ISO moment with its offset, ready for a query."""
    moment = dt.datetime.fromisoformat(wall).replace(tzinfo=AMSTERDAM)
    return moment.isoformat().replace("+", "%2B")


async def room_calendar(facilities: Tenant, room: str, times: tuple[str, str]) -> list[Json]:
    """The room's calendar in that hour, read app-only (the facilities app's RBAC scope)."""
    url = (
        f"/users/{room}/calendarView?startDateTime={instant(times[0])}"
        f"&endDateTime={instant(times[1])}"
    )
    async with facilities.raw(None, prefer=f'outlook.timezone="{ZONE}"') as http:
        resp = await http.get(url)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["value"])


async def schedule(tenant: Tenant, room: str, day: str, start: str, end: str) -> Any:
    body = GetSchedulePostRequestBody(
        schedules=[room],
        start_time=DateTimeTimeZone(date_time=f"{day}T{start}:00", time_zone=ZONE),
        end_time=DateTimeTimeZone(date_time=f"{day}T{end}:00", time_zone=ZONE),
        availability_view_interval=30,
    )
    result = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .calendar.get_schedule.post(body)
    )
    assert result is not None and result.value is not None
    [found] = result.value
    return found


async def inbox_subjects(tenant: Tenant, upn: str) -> list[tuple[str, str]]:
    async with tenant.raw(upn) as http:
        page = (await http.get(f"/users/{upn}/mailFolders/inbox/messages?$top=200")).json()
    return [(m["subject"], m["from"]["emailAddress"]["address"]) for m in page["value"]]


# -- the places API ----------------------------------------------------------------------------
async def test_rooms_are_listed_with_the_properties_of_the_room_resource(
    facilities: Tenant,
) -> None:
    resp = await get(facilities, "/places/microsoft.graph.room")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["@odata.context"].endswith("/$metadata#places/microsoft.graph.room")
    assert "@odata.nextLink" not in body
    rooms = {r["emailAddress"]: r for r in body["value"]}
    assert set(rooms) == ROOMS
    assert all(list(r) == ROOM_FIELDS for r in body["value"])  # every property, unset null
    raadzaal = rooms[RAADZAAL]
    assert raadzaal["id"] == ROOM_IDS[RAADZAAL]
    assert (raadzaal["displayName"], raadzaal["capacity"]) == ("Raadzaal", 80)
    assert (raadzaal["building"], raadzaal["floorNumber"]) == ("Stadhuis", 0)
    assert raadzaal["bookingType"] == "standard" and raadzaal["isWheelChairAccessible"] is True
    assert raadzaal["address"]["city"] == "Zeeveen" and "latitude" in raadzaal["geoCoordinates"]
    spreekkamer = rooms[SPREEKKAMER]
    assert spreekkamer["displayName"] == "Spreekkamer 1.12" and spreekkamer["capacity"] == 4
    assert spreekkamer["audioDeviceName"] is None and spreekkamer["nickname"] == "Spreekkamer 1.12"


async def test_the_sdk_reads_rooms_room_lists_and_a_lists_rooms(facilities: Tenant) -> None:
    client = facilities.graph(SECRETARY_A)
    rooms = await client.places.graph_room.get()
    assert rooms is not None and rooms.value is not None
    assert {r.email_address for r in rooms.value} == ROOMS
    raadzaal = next(r for r in rooms.value if r.email_address == RAADZAAL)
    assert raadzaal.capacity == 80 and raadzaal.floor_label == "begane grond"
    lists = await client.places.graph_room_list.get()
    assert lists is not None and lists.value is not None
    assert {(r.display_name, r.email_address) for r in lists.value} == {
        ("Stadhuis Zeeveen", STADHUIS),
        ("Stadskantoor Zeeveen", "stadskantoor@zeeveen.nl"),
    }
    inside = await client.places.by_place_id(STADHUIS).graph_room_list.rooms.get()
    assert inside is not None and inside.value is not None
    assert {r.email_address for r in inside.value} == ROOMS - {DE_HAVEN}


async def test_the_rooms_of_a_list_are_asked_by_its_address(facilities: Tenant) -> None:
    resp = await get(facilities, f"/places/{STADHUIS}/microsoft.graph.roomlist/rooms")
    assert resp.status_code == 200
    assert resp.json()["@odata.context"].endswith(
        "$metadata#places('stadhuis%40zeeveen.nl')/microsoft.graph.roomList/rooms"
    )
    by_id = await get(facilities, f"/places/{ROOM_IDS[STADHUIS]}/microsoft.graph.roomlist/rooms")
    assert by_id.status_code == 404  # "you must specify the room list by its emailAddress"


async def test_one_place_by_id_or_address_carries_its_type(facilities: Tenant) -> None:
    by_id = (await get(facilities, f"/places/{ROOM_IDS[RAADZAAL]}")).json()
    assert by_id["@odata.context"].endswith("$metadata#places/$entity")
    assert by_id["@odata.type"] == "#microsoft.graph.room" and by_id["emailAddress"] == RAADZAAL
    by_address = (await get(facilities, "/places/Raadzaal@zeeveen.nl")).json()
    assert by_address["id"] == ROOM_IDS[RAADZAAL]
    room_list = (await get(facilities, f"/places/{STADHUIS}")).json()
    assert room_list["@odata.type"] == "#microsoft.graph.roomList"
    assert set(room_list) - {"@odata.context", "@odata.type"} == {
        "id", "displayName", "address", "geoCoordinates", "phone", "emailAddress"
    }  # fmt: skip
    room = await facilities.graph(None).places.by_place_id(RAADZAAL).graph_room.get()
    assert isinstance(room, Room) and room.display_name == "Raadzaal"
    selected = (await get(facilities, f"/places/{RAADZAAL}?$select=displayName,capacity")).json()
    assert {k for k in selected if not k.startswith("@")} == {"id", "displayName", "capacity"}


async def test_an_unknown_place_is_not_found(facilities: Tenant) -> None:
    resp = await get(facilities, "/places/bestaatniet@zeeveen.nl")
    assert resp.status_code == 404
    error = resp.json()["error"]
    assert error["code"] == "UnknownError"
    assert json.loads(error["message"])["code"] == "invalid_place"
    wrong_cast = await get(facilities, f"/places/{STADHUIS}/microsoft.graph.room")
    assert wrong_cast.status_code == 404


async def test_rooms_page_with_top_and_skip(facilities: Tenant) -> None:
    first = (await get(facilities, "/places/microsoft.graph.room?$top=2&$count=true")).json()
    assert len(first["value"]) == 2 and first["@odata.count"] == 5
    assert "$skip=2" in first["@odata.nextLink"] and "$top=2" in first["@odata.nextLink"]
    seen, link = [r["emailAddress"] for r in first["value"]], first["@odata.nextLink"]
    while link:
        async with facilities.raw(SECRETARY_A) as http:
            page = (await http.get(link)).json()
        seen += [r["emailAddress"] for r in page["value"]]
        link = page.get("@odata.nextLink")
    assert sorted(seen) == sorted(ROOMS)
    skipped = (await get(facilities, "/places/microsoft.graph.room?$skip=4")).json()
    assert len(skipped["value"]) == 1


async def test_rooms_filter_and_select(facilities: Tenant) -> None:
    url = "/places/microsoft.graph.room?$filter=capacity ge 40&$select=displayName,capacity"
    body = (await get(facilities, url)).json()
    assert body["@odata.context"].endswith("places/microsoft.graph.room(displayName,capacity)")
    assert sorted((r["displayName"], r["capacity"]) for r in body["value"]) == [
        ("Raadzaal", 80),
        ("Trouwzaal", 40),
    ]


@pytest.mark.parametrize("upn", [SECRETARY_A, None], ids=["delegated", "application"])
async def test_without_place_read_all_the_places_api_refuses(
    without_places: Tenant, upn: str | None
) -> None:
    resp = await get(without_places, "/places/microsoft.graph.room", upn)
    assert resp.status_code == 403
    error = resp.json()["error"]
    assert error["code"] == "UnknownError"
    inner = json.loads(error["message"])
    assert inner["code"] == "invalid_permissions"
    assert inner["message"].endswith(f"IsAppOnly:{upn is None}")


# -- room mailboxes ----------------------------------------------------------------------------
async def test_an_invited_room_holds_the_meeting_and_accepts_it(
    tenant: Tenant, facilities: Tenant
) -> None:
    times = slot()
    made = await organize(
        tenant, meeting("Bestuurlijk overleg Marktplein", times, (SPREEKKAMER, "resource"))
    )
    [room] = made["attendees"]
    assert room["status"]["response"] == "none"  # the room answers after the request
    assert await attendee_status(tenant, made["id"], SPREEKKAMER) == "accepted"
    [booking] = await room_calendar(facilities, SPREEKKAMER, times)
    assert booking["subject"] == "Ingrid Zwanenburg"  # DeleteSubject, AddOrganizerToSubject
    assert booking["body"]["content"] == "" and booking["isOrganizer"] is False
    assert booking["responseStatus"]["response"] == "accepted"
    assert booking["showAs"] == "busy" and booking["iCalUId"] == made["iCalUId"]
    assert booking["start"]["dateTime"].startswith(times[0])
    assert ("Accepted: Bestuurlijk overleg Marktplein", SPREEKKAMER) in await inbox_subjects(
        tenant, BURGEMEESTER
    )


async def test_a_second_meeting_at_that_time_is_declined(
    tenant: Tenant, facilities: Tenant
) -> None:
    times = slot()
    first = await organize(tenant, meeting("Eerste", times, (TROUWZAAL, "resource")))
    second = await organize(
        tenant,
        meeting("Tweede", times, (TROUWZAAL, "resource")),
        by=SECRETARY_B,
        on=WETHOUDER,
    )
    assert await attendee_status(tenant, first["id"], TROUWZAAL) == "accepted"
    status = await attendee_status(tenant, second["id"], TROUWZAAL, by=SECRETARY_B, on=WETHOUDER)
    assert status == "declined"
    [booking] = await room_calendar(facilities, TROUWZAAL, times)
    assert booking["iCalUId"] == first["iCalUId"]  # a declined request leaves nothing there
    assert ("Declined: Tweede", TROUWZAAL) in await inbox_subjects(tenant, WETHOUDER)


async def test_a_room_invited_as_a_required_attendee_answers_all_the_same(
    tenant: Tenant,
) -> None:
    made = await organize(tenant, meeting("Zaal als deelnemer", slot(), (RAADZAAL, "required")))
    assert await attendee_status(tenant, made["id"], RAADZAAL) == "accepted"


async def test_the_schedule_of_a_room_shows_its_bookings(tenant: Tenant) -> None:
    times = slot("thu")
    await organize(tenant, meeting("Werkbezoek", times, (SPREEKKAMER, "resource")))
    day, hour = times[0][:10], times[0][11:16]
    end = times[1][11:16]
    found = await schedule(tenant, SPREEKKAMER, day, hour, end)
    assert found.schedule_id == SPREEKKAMER and found.error is None
    assert found.availability_view == "22"
    [item] = found.schedule_items
    assert item.status.value == "busy" and item.subject == "Ingrid Zwanenburg"
    assert item.start.date_time.startswith(times[0])


async def test_the_schedule_of_a_room_shows_its_seeded_bookings(tenant: Tenant) -> None:
    found = await schedule(tenant, COLLEGEKAMER, TUE, "09:00", "13:00")
    assert found.availability_view == "02222220"  # the Collegevergadering, 09:30-12:30
    assert {i.subject for i in found.schedule_items} == {"Maarten Oosterveld"}


async def test_a_new_time_asks_the_room_again(tenant: Tenant, facilities: Tenant) -> None:
    times, later = slot(), slot()
    made = await organize(tenant, meeting("Verzet overleg", times, (DE_HAVEN, "resource")))
    [before] = await room_calendar(facilities, DE_HAVEN, times)
    async with tenant.raw(SECRETARY_A) as http:
        moved = await http.patch(
            f"/users/{BURGEMEESTER}/events/{made['id']}",
            json={
                "start": {"dateTime": later[0], "timeZone": ZONE},
                "end": {"dateTime": later[1], "timeZone": ZONE},
            },
        )
    assert moved.status_code == 200
    assert moved.json()["attendees"][0]["status"]["response"] == "none"  # asked again
    assert await attendee_status(tenant, made["id"], DE_HAVEN) == "accepted"
    assert await room_calendar(facilities, DE_HAVEN, times) == []
    [after] = await room_calendar(facilities, DE_HAVEN, later)
    assert after["id"] == before["id"]  # the room's item moved, it was not replaced


async def test_a_cancelled_meeting_frees_the_room(tenant: Tenant, facilities: Tenant) -> None:
    times = slot()
    made = await organize(tenant, meeting("Gaat niet door", times, (SPREEKKAMER, "resource")))
    async with tenant.raw(SECRETARY_A) as http:
        gone = await http.post(f"/users/{BURGEMEESTER}/events/{made['id']}/cancel", json={})
    assert gone.status_code == 202
    [booking] = await room_calendar(facilities, SPREEKKAMER, times)
    assert booking["isCancelled"] is True  # RemoveCanceledMeetings is false by default
    found = await schedule(tenant, SPREEKKAMER, times[0][:10], times[0][11:16], times[1][11:16])
    assert found.availability_view == "00"
    again = await organize(tenant, meeting("Toch wel", times, (SPREEKKAMER, "resource")))
    assert await attendee_status(tenant, again["id"], SPREEKKAMER) == "accepted"


async def test_a_series_without_end_is_past_the_booking_window(tenant: Tenant) -> None:
    body = meeting("Wekelijks overleg", slot("fri"), (RAADZAAL, "resource"))
    body["recurrence"] = {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["friday"]},
        "range": {"type": "noEnd", "startDate": body["start"]["dateTime"][:10]},
    }
    made = await organize(tenant, body)
    assert await attendee_status(tenant, made["id"], RAADZAAL) == "declined"


async def test_a_series_that_meets_a_booking_is_declined_whole(tenant: Tenant) -> None:
    first_tuesday = seed_day("tue", week=1)
    body = meeting(
        "Reeks in de collegekamer",
        (f"{first_tuesday}T10:00:00", f"{first_tuesday}T11:00:00"),
        (COLLEGEKAMER, "resource"),
    )
    body["recurrence"] = {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
        "range": {"type": "numbered", "startDate": str(first_tuesday), "numberOfOccurrences": 3},
    }
    made = await organize(tenant, body, by=SECRETARY_A, on=GEMEENTESECRETARIS)
    status = await attendee_status(
        tenant, made["id"], COLLEGEKAMER, by=SECRETARY_A, on=GEMEENTESECRETARIS
    )
    assert status == "declined"  # every Tuesday morning is the Collegevergadering's


async def test_a_room_calendar_is_not_a_delegates_to_read(tenant: Tenant) -> None:
    resp = await get(tenant, f"/users/{RAADZAAL}/events", SECRETARY_A)
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "ErrorAccessDenied"


# -- findMeetingTimes --------------------------------------------------------------------------
async def find_times(tenant: Tenant, body: Json) -> Json:
    async with tenant.raw(SECRETARY_A) as http:
        resp = await http.post(f"/users/{BURGEMEESTER}/findMeetingTimes", json=body)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def _window(day: str, start: str, end: str) -> Json:
    return {
        "activityDomain": "unrestricted",
        "timeSlots": [
            {
                "start": {"dateTime": f"{day}T{start}:00", "timeZone": ZONE},
                "end": {"dateTime": f"{day}T{end}:00", "timeZone": ZONE},
            }
        ],
    }


async def test_a_room_as_resource_attendee_counts_like_a_person(tenant: Tenant) -> None:
    def body(room: str) -> Json:
        return {
            "attendees": [{"type": "resource", "emailAddress": {"address": room}}],
            "timeConstraint": _window(TUE, "10:00", "11:00"),
            "meetingDuration": "PT1H",
            "isOrganizerOptional": True,
        }

    taken = await find_times(tenant, body(COLLEGEKAMER))  # the Collegevergadering's room
    assert taken["meetingTimeSuggestions"] == []
    assert taken["emptySuggestionsReason"] == "attendeesUnavailable"
    [free] = (await find_times(tenant, body(RAADZAAL)))["meetingTimeSuggestions"]
    assert free["confidence"] == 100
    assert free["attendeeAvailability"] == [
        {"availability": "free", "attendee": {"emailAddress": {"address": RAADZAAL}}}
    ]


async def test_location_constraint_names_a_free_room(tenant: Tenant) -> None:
    busy = slot("thu")
    await organize(tenant, meeting("Bezet", busy, (TROUWZAAL, "resource")))
    day, start, end = busy[0][:10], busy[0][11:16], busy[1][11:16]
    rooms = [
        {"displayName": name, "locationEmailAddress": address}
        for name, address in (("Trouwzaal", TROUWZAAL), ("Raadzaal", RAADZAAL))
    ]
    constraint: Json = {"isRequired": True, "suggestLocation": False, "locations": rooms}
    body = {
        "timeConstraint": _window(day, start, end),
        "meetingDuration": "PT1H",
        "isOrganizerOptional": True,
        "locationConstraint": constraint,
    }
    [suggestion] = (await find_times(tenant, body))["meetingTimeSuggestions"]
    assert suggestion["locations"] == [rooms[1]]  # the Trouwzaal is taken
    constraint["locations"] = rooms[:1]
    result = await find_times(tenant, body)
    assert result["meetingTimeSuggestions"] == []
    assert result["emptySuggestionsReason"] == "locationsUnavailable"
    constraint["isRequired"] = False
    [without] = (await find_times(tenant, body))["meetingTimeSuggestions"]
    assert without["locations"] == []


async def test_suggest_location_offers_a_room_of_the_tenant(tenant: Tenant) -> None:
    day = (dt.date.fromisoformat(TUE) + dt.timedelta(days=7)).isoformat()
    body = {
        "timeConstraint": _window(day, "10:00", "11:00"),
        "meetingDuration": "PT1H",
        "isOrganizerOptional": True,
        "locationConstraint": {"isRequired": True, "suggestLocation": True},
    }
    [suggestion] = (await find_times(tenant, body))["meetingTimeSuggestions"]
    # By name; the Collegekamer holds the Collegevergadering every Tuesday morning.
    assert suggestion["locations"] == [
        {"displayName": "Raadzaal", "locationEmailAddress": RAADZAAL}
    ]


async def test_a_room_taken_off_the_meeting_loses_its_booking(
    tenant: Tenant, facilities: Tenant
) -> None:
    times = slot("fri")
    made = await organize(
        tenant,
        meeting("Zonder zaal verder", times, (SPREEKKAMER, "resource"), (STAFF, "required")),
    )
    async with tenant.raw(SECRETARY_A) as http:
        patched = await http.patch(
            f"/users/{BURGEMEESTER}/events/{made['id']}",
            json={"attendees": [{"emailAddress": {"address": STAFF}, "type": "required"}]},
        )
    assert patched.status_code == 200
    [booking] = await room_calendar(facilities, SPREEKKAMER, times)
    assert booking["isCancelled"] is True and booking["subject"].startswith("Canceled: ")


async def test_a_meeting_longer_than_a_day_is_declined(tenant: Tenant) -> None:
    day = seed_day("mon", week=3)
    body = meeting(
        "Tweedaagse",
        (f"{day}T09:00:00", f"{day + dt.timedelta(days=1)}T17:00:00"),
        (TROUWZAAL, "resource"),
    )
    made = await organize(tenant, body)
    assert await attendee_status(tenant, made["id"], TROUWZAAL) == "declined"  # 1440 minutes
