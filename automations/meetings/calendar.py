"""Meetings the calendar offers: an executive's calendar items of the coming weeks that belong
to a meeting type (by category or subject), so the secretary picks one instead of typing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from automations.dates import AMSTERDAM, from_graph
from automations.graph import BatchRequest, GraphSession
from automations.meetings.types import MeetingTypes

__all__ = ["HORIZON", "CalendarMeeting", "offered_from", "upcoming_from_calendar"]

HORIZON = dt.timedelta(weeks=4)


@dataclass(frozen=True)
class CalendarMeeting:
    """A calendar item that could become a meeting (it is offered, not made)."""

    type: str
    type_name: str
    date: dt.date
    title: str
    location: str
    event_id: str
    start: dt.datetime | None = None  # Dutch time (its date is the meeting's date)


def offered_from(events: Iterable[Mapping[str, Any]], types: MeetingTypes) -> list[CalendarMeeting]:
    """Each event as a meeting of the first type it matches; events of no type are left out.
    Its date is the Dutch one (Graph answers in UTC: 00:30 on Tuesday is Monday in UTC)."""
    offered = []
    for event in events:
        kind = next((k for k in types.types if k.calendar.matches(dict(event))), None)
        if kind is None:
            continue
        start = from_graph(event.get("start"))
        offered.append(CalendarMeeting(
            type=kind.key, type_name=kind.name, date=start.date(), start=start,
            title=event.get("subject") or kind.name,
            location=(event.get("location") or {}).get("displayName") or "",
            event_id=event["id"],
        ))  # fmt: skip
    return offered


async def upcoming_from_calendar(
    graph: GraphSession, types: MeetingTypes, mailbox: str, today: dt.date
) -> list[CalendarMeeting]:
    """The mailbox's calendar items of the coming four weeks that belong to a meeting type."""
    start = dt.datetime.combine(today, dt.time(), AMSTERDAM)
    end = start + HORIZON
    url = (
        f"/users/{mailbox}/calendarView?startDateTime={start.isoformat()}"
        f"&endDateTime={end.isoformat()}&$select=id,subject,start,location,categories"
        "&$orderby=start/dateTime&$top=200"
    ).replace("+", "%2B")
    [page] = await graph.batch([BatchRequest("GET", url)])
    page.raise_for_status()
    return offered_from(page.body["value"], types)
