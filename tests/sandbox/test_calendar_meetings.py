"""Meetings across mailboxes: invitations, cancellations and answers, read back by each party.

A secretary organizes in the burgemeester's calendar; the gemeentesecretaris and a staff member
are invited. Sources: event-cancel ("An attendee calling this action gets an error (HTTP 400)
... You need to be an organizer to cancel a meeting."), event-decline, event-accept, event-delete.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.day_of_week import DayOfWeek
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.event_message import EventMessage
from msgraph.generated.models.event_message_request import EventMessageRequest
from msgraph.generated.models.meeting_message_type import MeetingMessageType
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.patterned_recurrence import PatternedRecurrence
from msgraph.generated.models.recurrence_pattern import RecurrencePattern
from msgraph.generated.models.recurrence_pattern_type import RecurrencePatternType
from msgraph.generated.models.recurrence_range import RecurrenceRange
from msgraph.generated.models.recurrence_range_type import RecurrenceRangeType
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.events.events_request_builder import EventsRequestBuilder
from msgraph.generated.users.item.events.item.accept.accept_post_request_body import (
    AcceptPostRequestBody,
)
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)
from msgraph.generated.users.item.events.item.decline.decline_post_request_body import (
    DeclinePostRequestBody,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)

from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, STAFF

ZONE = "W. Europe Standard Time"
THURSDAY = seed_day("thu")  # the demo week's Thursday
# That Thursday and the three after it, as calendarView shows a weekly series.
THU = [(THURSDAY + dt.timedelta(weeks=n)).isoformat() for n in range(4)]
_numbers = itertools.count(1)


async def organize(tenant: Tenant, *, weekly: bool = False) -> Event:
    """A fresh meeting in the burgemeester's calendar, made by her secretary."""
    subject = f"Overleg {next(_numbers)}"
    event = Event(
        subject=subject,
        start=DateTimeTimeZone(date_time=f"{THU[0]}T14:00:00", time_zone=ZONE),
        end=DateTimeTimeZone(date_time=f"{THU[0]}T15:00:00", time_zone=ZONE),
        attendees=[
            Attendee(email_address=EmailAddress(address=a), type=AttendeeType.Required)
            for a in (GEMEENTESECRETARIS, STAFF)
        ],
    )
    if weekly:
        event.recurrence = PatternedRecurrence(
            pattern=RecurrencePattern(
                type=RecurrencePatternType.Weekly, interval=1, days_of_week=[DayOfWeek.Thursday]
            ),
            range=RecurrenceRange(type=RecurrenceRangeType.NoEnd, start_date=THURSDAY),
        )
    made = await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).events.post(event)
    assert made is not None
    return made


async def copy_of(tenant: Tenant, upn: str, subject: str) -> Event | None:
    params = EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(
        filter=f"subject eq '{subject}'"
    )
    page = (
        await tenant.graph(upn)
        .users.by_user_id(upn)
        .events.get(request_configuration=RequestConfiguration(query_parameters=params))
    )
    return page.value[0] if page.value else None


async def inbox_of(tenant: Tenant, upn: str, subject: str) -> list:
    params = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(top=100)
    page = (
        await tenant.graph(upn)
        .users.by_user_id(upn)
        .mail_folders.by_mail_folder_id("inbox")
        .messages.get(request_configuration=RequestConfiguration(query_parameters=params))
    )
    return [m for m in page.value if subject in (m.subject or "")]


async def thursdays(tenant: Tenant, upn: str, subject: str) -> list[Event]:
    params = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=f"{THURSDAY - dt.timedelta(days=6)}T00:00:00Z",
        end_date_time=f"{THURSDAY + dt.timedelta(days=24)}T00:00:00Z",
        top=200,
    )
    page = (
        await tenant.graph(upn)
        .users.by_user_id(upn)
        .calendar_view.get(request_configuration=RequestConfiguration(query_parameters=params))
    )
    return [e for e in page.value if subject in (e.subject or "")]


async def test_an_invited_colleague_gets_her_own_copy_waiting_for_an_answer(tenant: Tenant) -> None:
    made = await organize(tenant)
    theirs = await copy_of(tenant, STAFF, made.subject)
    assert theirs is not None and theirs.id != made.id
    assert theirs.is_organizer is False and theirs.i_cal_u_id == made.i_cal_u_id
    assert theirs.response_status.response.value == "notResponded"
    assert theirs.organizer.email_address.address == BURGEMEESTER


async def test_an_invitation_lands_in_the_attendees_inbox_as_a_meeting_request(
    tenant: Tenant,
) -> None:
    made = await organize(tenant)
    [request] = await inbox_of(tenant, STAFF, made.subject)
    assert request.subject == made.subject
    assert request.from_.email_address.address == BURGEMEESTER
    assert isinstance(request, EventMessageRequest)
    assert request.meeting_message_type == MeetingMessageType.MeetingRequest
    assert request.start_date_time is not None


async def test_a_cancellation_is_an_event_message_of_its_own_kind(tenant: Tenant) -> None:
    made = await organize(tenant)
    body = CancelPostRequestBody(comment="Vervalt.")
    await (
        tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .cancel.post(body)
    )
    [notice] = [
        m for m in await inbox_of(tenant, STAFF, made.subject) if m.subject.startswith("Canceled:")
    ]
    assert isinstance(notice, EventMessage)
    assert notice.meeting_message_type == MeetingMessageType.MeetingCancelled


async def test_cancelling_marks_the_attendees_copies_and_tells_them_why(tenant: Tenant) -> None:
    made = await organize(tenant)
    body = CancelPostRequestBody(comment="Vervalt wegens crisisoverleg.")
    await (
        tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .cancel.post(body)
    )
    theirs = await copy_of(tenant, STAFF, f"Canceled: {made.subject}")
    assert theirs is not None and theirs.is_cancelled is True
    [notice] = [
        m for m in await inbox_of(tenant, STAFF, made.subject) if m.subject.startswith("Canceled:")
    ]
    assert notice.body.content == "Vervalt wegens crisisoverleg."


async def test_after_cancelling_the_organizers_event_is_gone(tenant: Tenant) -> None:
    made = await organize(tenant)
    async with tenant.raw(SECRETARY_A) as graph:
        cancelled = await graph.post(
            f"/users/{BURGEMEESTER}/events/{made.id}/cancel", json={"Comment": "Sorry"}
        )
        gone = await graph.get(f"/users/{BURGEMEESTER}/events/{made.id}")
    assert cancelled.status_code == 202 and cancelled.content == b""
    assert gone.status_code == 404


async def test_an_attendee_cannot_cancel_a_meeting(tenant: Tenant) -> None:
    made = await organize(tenant)
    theirs = await copy_of(tenant, STAFF, made.subject)
    with pytest.raises(ODataError) as err:
        await (
            tenant.graph(STAFF)
            .users.by_user_id(STAFF)
            .events.by_event_id(theirs.id)
            .cancel.post(CancelPostRequestBody(comment="Ik kan niet"))
        )
    assert err.value.response_status_code == 400
    assert err.value.error.code == "ErrorCalendarIsNotOrganizer"
    assert err.value.error.message == (
        "Your request can't be completed. You need to be an organizer to cancel a meeting."
    )


async def test_declining_tells_the_organizer_and_clears_the_attendees_calendar(
    tenant: Tenant,
) -> None:
    made = await organize(tenant)
    theirs = await copy_of(tenant, GEMEENTESECRETARIS, made.subject)
    body = DeclinePostRequestBody(comment="Dan zit ik in Den Haag.", send_response=True)
    await (
        tenant.graph(GEMEENTESECRETARIS)
        .users.by_user_id(GEMEENTESECRETARIS)
        .events.by_event_id(theirs.id)
        .decline.post(body)
    )
    ours = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .get()
    )
    status = {a.email_address.address: a.status.response.value for a in ours.attendees}
    assert status == {GEMEENTESECRETARIS: "declined", STAFF: "none"}
    [answer] = await inbox_of(tenant, BURGEMEESTER, f"Declined: {made.subject}")
    assert answer.from_.email_address.address == GEMEENTESECRETARIS
    assert answer.body.content == "Dan zit ik in Den Haag."
    assert await copy_of(tenant, GEMEENTESECRETARIS, made.subject) is None


async def test_declining_without_a_response_sends_nothing(tenant: Tenant) -> None:
    made = await organize(tenant)
    theirs = await copy_of(tenant, STAFF, made.subject)
    body = DeclinePostRequestBody(comment="", send_response=False)
    await (
        tenant.graph(STAFF).users.by_user_id(STAFF).events.by_event_id(theirs.id).decline.post(body)
    )
    assert await inbox_of(tenant, BURGEMEESTER, f"Declined: {made.subject}") == []


async def test_accepting_shows_as_accepted_on_both_sides(tenant: Tenant) -> None:
    made = await organize(tenant)
    theirs = await copy_of(tenant, STAFF, made.subject)
    await (
        tenant.graph(STAFF)
        .users.by_user_id(STAFF)
        .events.by_event_id(theirs.id)
        .accept.post(AcceptPostRequestBody(send_response=True))
    )
    mine = await copy_of(tenant, STAFF, made.subject)
    assert mine.response_status.response.value == "accepted" and mine.show_as.value == "busy"
    ours = (
        await tenant.graph(BURGEMEESTER)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .get()
    )
    assert {a.email_address.address: a.status.response.value for a in ours.attendees}[
        STAFF
    ] == "accepted"


async def test_the_organizer_cannot_answer_her_own_meeting(tenant: Tenant) -> None:
    made = await organize(tenant)
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(
            f"/users/{BURGEMEESTER}/events/{made.id}/accept", json={"sendResponse": True}
        )
    assert (resp.status_code, resp.json()["error"]["code"]) == (
        400,
        "ErrorCalendarIsOrganizerForAccept",
    )


async def test_deleting_a_meeting_as_organizer_cancels_it_for_the_attendees(tenant: Tenant) -> None:
    made = await organize(tenant)
    await (
        tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .delete()
    )
    theirs = await copy_of(tenant, STAFF, f"Canceled: {made.subject}")
    assert theirs is not None and theirs.is_cancelled is True


async def test_a_new_time_reaches_the_attendees_and_asks_them_again(tenant: Tenant) -> None:
    made = await organize(tenant)
    theirs = await copy_of(tenant, STAFF, made.subject)
    await (
        tenant.graph(STAFF)
        .users.by_user_id(STAFF)
        .events.by_event_id(theirs.id)
        .accept.post(AcceptPostRequestBody(send_response=False))
    )
    moved = Event(
        start=DateTimeTimeZone(date_time=f"{THU[0]}T16:00:00", time_zone=ZONE),
        end=DateTimeTimeZone(date_time=f"{THU[0]}T17:00:00", time_zone=ZONE),
    )
    await (
        tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(made.id)
        .patch(moved)
    )
    again = await tenant.graph(STAFF).users.by_user_id(STAFF).events.by_event_id(theirs.id).get()
    assert again.start.date_time.startswith(f"{THU[0]}T16:00:00")
    assert again.response_status.response.value == "notResponded"


async def test_cancelling_one_occurrence_leaves_the_others(tenant: Tenant) -> None:
    made = await organize(tenant, weekly=True)
    before = await thursdays(tenant, BURGEMEESTER, made.subject)
    assert [e.start.date_time[:10] for e in before][:3] == THU[:3]
    client = tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER)
    await client.events.by_event_id(before[1].id).cancel.post(
        CancelPostRequestBody(comment="Sinterklaas")
    )
    after = await thursdays(tenant, BURGEMEESTER, made.subject)
    assert [e.start.date_time[:10] for e in after] == [THU[0], THU[2], THU[3]]
    theirs = await thursdays(tenant, STAFF, made.subject)
    assert [(e.start.date_time[:10], e.is_cancelled) for e in theirs] == [
        (THU[0], False), (THU[1], True), (THU[2], False), (THU[3], False),
    ]  # fmt: skip
    assert theirs[1].type.value == "exception"


async def test_declining_one_occurrence_removes_only_that_one(tenant: Tenant) -> None:
    made = await organize(tenant, weekly=True)
    theirs = await thursdays(tenant, STAFF, made.subject)
    client = tenant.graph(STAFF).users.by_user_id(STAFF)
    await client.events.by_event_id(theirs[0].id).decline.post(
        DeclinePostRequestBody(send_response=True)
    )
    left = await thursdays(tenant, STAFF, made.subject)
    assert [e.start.date_time[:10] for e in left] == THU[1:]
    assert len(await inbox_of(tenant, BURGEMEESTER, f"Declined: {made.subject}")) == 1


async def test_tentatively_accepting_shows_the_time_as_tentative(tenant: Tenant) -> None:
    made = await organize(tenant)
    theirs = await copy_of(tenant, STAFF, made.subject)
    async with tenant.raw(STAFF) as graph:
        resp = await graph.post(
            f"/users/{STAFF}/events/{theirs.id}/tentativelyAccept",
            json={"comment": "Waarschijnlijk", "sendResponse": True},
        )
    assert resp.status_code == 202
    mine = await copy_of(tenant, STAFF, made.subject)
    assert mine.response_status.response.value == "tentativelyAccepted"
    assert mine.show_as.value == "tentative"
    assert len(await inbox_of(tenant, BURGEMEESTER, f"Tentative: {made.subject}")) == 1


async def test_a_new_time_proposal_needs_a_response_to_be_sent(tenant: Tenant) -> None:
    made = await organize(tenant)
    theirs = await copy_of(tenant, STAFF, made.subject)
    proposal = {
        "start": {"dateTime": f"{seed_day('fri')}T09:00:00", "timeZone": ZONE},
        "end": {"dateTime": f"{seed_day('fri')}T10:00:00", "timeZone": ZONE},
    }
    async with tenant.raw(STAFF) as graph:
        resp = await graph.post(
            f"/users/{STAFF}/events/{theirs.id}/decline",
            json={"sendResponse": False, "proposedNewTime": proposal},
        )
    assert resp.status_code == 400
    assert await copy_of(tenant, STAFF, made.subject) is not None


async def test_changing_one_occurrence_makes_an_exception_for_everyone(tenant: Tenant) -> None:
    made = await organize(tenant, weekly=True)
    ours = await thursdays(tenant, BURGEMEESTER, made.subject)
    client = tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER)
    changed = await client.events.by_event_id(ours[2].id).patch(
        Event(subject=f"{made.subject} (Raadzaal)")
    )
    assert changed.type.value == "exception" and changed.id == ours[2].id
    after = await thursdays(tenant, BURGEMEESTER, made.subject)
    assert [e.subject for e in after].count(f"{made.subject} (Raadzaal)") == 1
    assert [e.type.value for e in after] == ["occurrence", "occurrence", "exception", "occurrence"]
    theirs = await thursdays(tenant, STAFF, made.subject)
    assert theirs[2].subject == f"{made.subject} (Raadzaal)" and theirs[2].type.value == "exception"
