"""findMeetingTimes and getSchedule from the seeded calendars (user-findmeetingtimes, getSchedule).

On the demo Tuesday (the seed's ``tue``: the Tuesday of TODAY's week) the burgemeester and the
gemeentesecretaris sit in the Collegevergadering 09:30-12:30 Amsterdam time.
"""

from __future__ import annotations

from msgraph.generated.models.attendee_base import AttendeeBase
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.time_constraint import TimeConstraint
from msgraph.generated.models.time_slot import TimeSlot
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
    GetSchedulePostRequestBody,
)
from msgraph.generated.users.item.find_meeting_times.find_meeting_times_post_request_body import (
    FindMeetingTimesPostRequestBody,
)

from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A

ZONE = "W. Europe Standard Time"
TUE = seed_day("tue").isoformat()


def request(
    start: str, end: str, *attendees: str, **extra: object
) -> FindMeetingTimesPostRequestBody:
    return FindMeetingTimesPostRequestBody(
        attendees=[
            AttendeeBase(email_address=EmailAddress(address=a), type=AttendeeType.Required)
            for a in attendees
        ],
        time_constraint=TimeConstraint(
            time_slots=[
                TimeSlot(
                    start=DateTimeTimeZone(date_time=start, time_zone=ZONE),
                    end=DateTimeTimeZone(date_time=end, time_zone=ZONE),
                )
            ]
        ),
        # A timedelta would go out as "1:00:00", which is not Edm.Duration.
        meeting_duration="PT1H",
        **extra,
    )


async def test_suggestions_avoid_the_seeded_college_meeting(tenant: Tenant) -> None:
    body = request(
        f"{TUE}T08:00:00",
        f"{TUE}T17:00:00",
        GEMEENTESECRETARIS,
        return_suggestion_reasons=True,
    )
    result = (
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).find_meeting_times.post(body)
    )
    assert result.empty_suggestions_reason == ""
    slots = [(s.meeting_time_slot.start.date_time[11:16], s.meeting_time_slot.end.date_time[11:16])
             for s in result.meeting_time_suggestions]  # fmt: skip
    assert slots and all(end <= "09:30" or start >= "12:30" for start, end in slots)
    first = result.meeting_time_suggestions[0]
    assert first.order == 1 and first.confidence == 100
    assert first.meeting_time_slot.start.time_zone == ZONE
    assert first.attendee_availability[0].attendee.email_address.address == GEMEENTESECRETARIS
    assert first.attendee_availability[0].availability.value in ("free", "tentative")
    assert first.suggestion_reason


async def test_suggestions_keep_to_working_hours(tenant: Tenant) -> None:
    body = request(f"{TUE}T05:00:00", f"{TUE}T23:00:00", GEMEENTESECRETARIS)
    result = (
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).find_meeting_times.post(body)
    )
    for s in result.meeting_time_suggestions:
        assert (
            "08:00" <= s.meeting_time_slot.start.date_time[11:16]
            and s.meeting_time_slot.end.date_time[11:16] <= "17:00"
        )


async def test_no_free_time_says_why(tenant: Tenant) -> None:
    body = request(
        f"{TUE}T09:30:00", f"{TUE}T12:30:00", GEMEENTESECRETARIS, is_organizer_optional=True
    )
    result = (
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).find_meeting_times.post(body)
    )
    assert result.meeting_time_suggestions == []
    assert result.empty_suggestions_reason == "attendeesUnavailable"


async def test_a_busy_organizer_gets_no_suggestions(tenant: Tenant) -> None:
    body = request(f"{TUE}T09:30:00", f"{TUE}T12:30:00", GEMEENTESECRETARIS)
    result = (
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).find_meeting_times.post(body)
    )
    assert result.empty_suggestions_reason == "organizerUnavailable"


async def test_an_outside_attendee_is_unknown_and_below_the_default_confidence(
    tenant: Tenant,
) -> None:
    body = request(f"{TUE}T13:00:00", f"{TUE}T17:00:00", "gedeputeerde@kustland.nl")
    result = (
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).find_meeting_times.post(body)
    )
    assert result.empty_suggestions_reason == "attendeesUnavailableOrUnknown"
    body.minimum_attendee_percentage = 40.0
    result = (
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).find_meeting_times.post(body)
    )
    assert (
        result.meeting_time_suggestions[0].attendee_availability[0].availability.value == "unknown"
    )
    assert result.meeting_time_suggestions[0].confidence == 49


async def test_a_duration_that_is_not_iso_8601_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(
            f"/users/{BURGEMEESTER}/findMeetingTimes", json={"meetingDuration": "1:00:00"}
        )
    assert (resp.status_code, resp.json()["error"]["code"]) == (400, "RequestBodyRead")


async def test_the_schedule_shows_the_college_meeting_as_busy(tenant: Tenant) -> None:
    body = GetSchedulePostRequestBody(
        schedules=[GEMEENTESECRETARIS],
        start_time=DateTimeTimeZone(date_time=f"{TUE}T09:00:00", time_zone=ZONE),
        end_time=DateTimeTimeZone(date_time=f"{TUE}T13:00:00", time_zone=ZONE),
        availability_view_interval=30,
    )
    result = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .calendar.get_schedule.post(body)
    )
    [schedule] = result.value
    assert schedule.schedule_id == GEMEENTESECRETARIS
    assert schedule.availability_view == "02222220"
    assert any(
        i.subject == "Collegevergadering" and i.status.value == "busy"
        for i in schedule.schedule_items
    )
