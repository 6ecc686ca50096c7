"""The calendar helpers on the sandbox: a window read in pages, one event, cancel and decline."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from automations.errors import NotFound
from automations.graph import (
    BatchRequest,
    GraphGateway,
    GraphSession,
    calendar_view,
    calendar_view_json,
    cancel_event,
    decline_event,
    delete_event,
    get_event,
    record_calls,
)
from tests.conftest import TODAY
from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, WETHOUDERS

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WORKDAY = seed_day("tue")  # the demo week's Tuesday: college, press moment, day start and more
DAY = (
    dt.datetime.combine(WORKDAY, dt.time(0), AMSTERDAM),
    dt.datetime.combine(WORKDAY + dt.timedelta(days=1), dt.time(0), AMSTERDAM),
)
LATER = TODAY + dt.timedelta(days=20)  # past the demo week: few items of its own


def at(hour: int) -> dict[str, str]:
    return {"dateTime": f"{LATER}T{hour:02}:00:00", "timeZone": "W. Europe Standard Time"}


async def new_event(graph: GraphSession, organizer: str, subject: str, *attendees: str) -> str:
    body = {
        "subject": subject,
        "start": at(9),
        "end": at(10),
        "attendees": [{"emailAddress": {"address": a}, "type": "required"} for a in attendees],
    }
    [made] = await graph.batch([BatchRequest("POST", f"/users/{organizer}/events", body)])
    made.raise_for_status()
    return made.body["id"]


async def subjects_on_later(graph: GraphSession, mailbox: str) -> dict[str, bool]:
    start = dt.datetime.combine(LATER, dt.time(0), AMSTERDAM)
    events = await calendar_view_json(
        graph, mailbox, start, start + dt.timedelta(days=1), select=["subject", "isCancelled"]
    )
    return {e["subject"]: e["isCancelled"] for e in events}


async def test_a_window_is_read_in_pages_in_start_order_with_only_the_fields_asked(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        with record_calls() as whole:
            everything = await calendar_view(graph, BURGEMEESTER, *DAY, select=["subject", "start"])
        with record_calls() as paged:
            pages = await calendar_view(graph, BURGEMEESTER, *DAY, select=["subject"], top=2)
        as_json = await calendar_view_json(graph, BURGEMEESTER, *DAY, select=["subject"], top=2)
    assert len(everything) > 2, "the demo week's Tuesday is full"
    assert len(whole) == 1 and len(paged) == (len(everything) + 1) // 2
    assert [e.id for e in pages] == [e.id for e in everything] == [e["id"] for e in as_json]
    assert [e.start.date_time for e in everything] == sorted(e.start.date_time for e in everything)
    assert everything[0].organizer is None  # not selected, not sent


async def test_one_event_is_one_request(gateway: GraphGateway, tenant: Tenant) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        [first, *_] = await calendar_view(graph, BURGEMEESTER, *DAY, select=["subject"])
        with record_calls() as calls:
            event = await get_event(graph, BURGEMEESTER, first.id, select=["subject", "showAs"])
    assert len(calls) == 1 and calls[0].path == f"/users/{BURGEMEESTER}/events/{first.id}"
    assert event.subject == first.subject and event.show_as is not None


async def test_a_cancelled_meeting_is_gone_so_cancelling_it_again_is_not_found(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    subject = f"Afgelast {uuid.uuid4().hex[:8]}"
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        event_id = await new_event(graph, BURGEMEESTER, subject, WETHOUDERS[1])
        await cancel_event(graph, BURGEMEESTER, event_id, "Gaat niet door.")
        with pytest.raises(NotFound):  # what lets a calamity clear send a cancel twice
            await cancel_event(graph, BURGEMEESTER, event_id, "Gaat niet door.")
        mine = await subjects_on_later(graph, BURGEMEESTER)
    async with gateway.for_user(tenant.user_token(WETHOUDERS[1])) as graph:
        theirs = await subjects_on_later(graph, WETHOUDERS[1])
    assert subject not in mine and theirs.get(f"Canceled: {subject}") is True


async def test_a_declined_invitation_and_a_deleted_appointment_leave_her_calendar(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    invited, own = f"Uitnodiging {uuid.uuid4().hex[:8]}", f"Eigen {uuid.uuid4().hex[:8]}"
    async with gateway.for_user(tenant.user_token(WETHOUDERS[1])) as graph:
        await new_event(graph, WETHOUDERS[1], invited, BURGEMEESTER)
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        appointment = await new_event(graph, BURGEMEESTER, own)
        before = await subjects_on_later(graph, BURGEMEESTER)
        start = dt.datetime.combine(LATER, dt.time(0), AMSTERDAM)
        window = (start, start + dt.timedelta(days=1))
        [invitation] = [
            e
            for e in await calendar_view(graph, BURGEMEESTER, *window, select=["subject"])
            if e.subject == invited
        ]
        await decline_event(graph, BURGEMEESTER, invitation.id, "Helaas verhinderd.")
        await delete_event(graph, BURGEMEESTER, appointment)
        after = await subjects_on_later(graph, BURGEMEESTER)
        with pytest.raises(NotFound):
            await get_event(graph, BURGEMEESTER, appointment, select=["subject"])
    assert invited in before and own in before
    assert invited not in after and own not in after


async def test_an_item_that_ends_where_the_window_starts_is_not_in_it(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    """Graph's calendarView returns yesterday's all-day item in today's window (it ends at
    midnight); the helpers leave it out, as Outlook's day view does."""
    day = LATER + dt.timedelta(days=3)
    subject = f"Hele dag {uuid.uuid4().hex[:6]}"
    body = {"subject": subject, "isAllDay": True,
            "start": {"dateTime": f"{day}T00:00:00", "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": f"{day + dt.timedelta(days=1)}T00:00:00",
                    "timeZone": "W. Europe Standard Time"}}  # fmt: skip
    midnight = dt.datetime.combine(day, dt.time(0), AMSTERDAM)
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        [made] = await graph.batch([BatchRequest("POST", f"/users/{BURGEMEESTER}/events", body)])
        made.raise_for_status()
        for start, shown in ((midnight, True), (midnight + dt.timedelta(days=1), False)):
            end = start + dt.timedelta(days=1)
            as_json = await calendar_view_json(graph, BURGEMEESTER, start, end,
                                               select=["subject", "end"])  # fmt: skip
            as_sdk = await calendar_view(graph, BURGEMEESTER, start, end, select=["subject", "end"])
            assert (subject in [e["subject"] for e in as_json]) is shown
            assert (subject in [e.subject for e in as_sdk]) is shown
