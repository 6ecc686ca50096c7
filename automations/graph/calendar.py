"""A mailbox's calendar: reading a window or one event, and cancelling, declining, deleting.

Features call these instead of building SDK requests or URLs; every call goes through the
gateway's transport (our ``Prefer`` headers, the mailbox's four slots, retries by ``retry.py``)
and Graph's errors come out as ``automations.errors`` types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.event import Event
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)
from msgraph.generated.users.item.events.item.decline.decline_post_request_body import (
    DeclinePostRequestBody,
)
from msgraph.generated.users.item.events.item.event_item_request_builder import (
    EventItemRequestBuilder,
)

from automations.dates import from_graph, to_graph
from automations.errors import NotFound
from automations.graph.batch import BatchRequest
from automations.graph.client import GraphSession
from automations.graph.pages import read_all
from automations.graph.users import user_path

__all__ = [
    "SCHEDULES_PER_REQUEST",
    "calendar_permissions_request",
    "calendar_view",
    "calendar_view_json",
    "calendar_view_request",
    "cancel_event",
    "create_event",
    "decline_event",
    "delete_event",
    "delete_events",
    "event_gone",
    "get_event",
    "get_schedules",
    "made_with_transaction",
]

SCHEDULES_PER_REQUEST = 20  # getSchedule's limit


def calendar_view_request(
    mailbox: str, start: dt.datetime, end: dt.datetime, *, select: Sequence[str], top: int
) -> BatchRequest:
    """The first ``top`` items between ``start`` and ``end``, for a ``$batch`` (one page)."""
    window = (
        f"startDateTime={start.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"
        f"&endDateTime={end.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"
    )
    path = f"{user_path(mailbox)}/calendarView?{window}&$top={top}&$select={','.join(select)}"
    return BatchRequest("GET", path)


def calendar_permissions_request(mailbox: str) -> BatchRequest:
    """Who the mailbox's calendar is shared with, and how (``calendarPermissions``)."""
    return BatchRequest("GET", f"{user_path(mailbox)}/calendar/calendarPermissions")


async def calendar_view(
    graph: GraphSession,
    mailbox: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    select: Sequence[str],
    top: int = 500,
) -> list[Event]:
    """Every item between ``start`` and ``end`` (occurrences of series included), by start,
    following Graph's pages; an item that only touches ``start`` is left out."""
    query = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=start.isoformat(),
        end_date_time=end.isoformat(),
        select=list(select),
        orderby=["start/dateTime"],
        top=top,
    )
    builder = graph.sdk.users.by_user_id(mailbox).calendar_view
    page = await graph.run(builder.get(RequestConfiguration(query_parameters=query)))
    events = list((page.value if page else None) or [])
    while page and page.odata_next_link:
        page = await graph.run(builder.with_url(page.odata_next_link).get())
        events.extend((page.value if page else None) or [])
    return [e for e in events if e.end is None or _ends_after(_moment(e.end), start)]


async def calendar_view_json(
    graph: GraphSession,
    mailbox: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    select: Sequence[str],
    top: int = 200,
) -> list[dict[str, Any]]:
    """``calendar_view`` as Graph's own JSON, for a caller that stores what it read (a
    preview, a journal plan); one ``$batch`` GET per page."""
    url = (
        f"/users/{mailbox}/calendarView?startDateTime={start.isoformat()}"
        f"&endDateTime={end.isoformat()}&$select={','.join(select)}"
        f"&$orderby=start/dateTime&$top={top}"
    ).replace("+", "%2B")  # a '+' in a query string would arrive as a space
    found = await read_all(graph, url)
    return [e for e in found if not e.get("end") or _ends_after(e["end"], start)]


def _moment(value: Any) -> dict[str, Any]:
    return {"dateTime": value.date_time, "timeZone": value.time_zone}


def _ends_after(end: dict[str, Any], start: dt.datetime) -> bool:
    """Graph's calendarView also returns items that end exactly where the window starts
    (yesterday's all-day item in today's view): they are not in the window."""
    return from_graph(end) > start


async def get_event(
    graph: GraphSession, mailbox: str, event_id: str, *, select: Sequence[str]
) -> Event:
    query = EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters(select=list(select))
    event = await graph.run(
        graph.sdk.users.by_user_id(mailbox)
        .events.by_event_id(event_id)
        .get(RequestConfiguration(query_parameters=query))
    )
    if event is None:
        raise NotFound(f"Microsoft Graph answered without event {event_id}.")
    return event


async def cancel_event(graph: GraphSession, mailbox: str, event_id: str, comment: str) -> None:
    """Cancel a meeting the mailbox organises: every attendee gets ``comment``. Not repeated
    by the gateway after a lost answer (a POST): the caller decides whether a repeat is safe."""
    body = CancelPostRequestBody(comment=comment)
    await graph.run(
        graph.sdk.users.by_user_id(mailbox).events.by_event_id(event_id).cancel.post(body)
    )


async def decline_event(
    graph: GraphSession,
    mailbox: str,
    event_id: str,
    comment: str,
    *,
    send_response: bool = True,
) -> None:
    """Decline a meeting organised by someone else, telling the organiser ``comment`` unless
    ``send_response`` is off. A POST, like ``cancel_event``."""
    body = DeclinePostRequestBody(comment=comment, send_response=send_response)
    event = graph.sdk.users.by_user_id(mailbox).events.by_event_id(event_id)
    await graph.run(event.decline.post(body))


async def delete_event(graph: GraphSession, mailbox: str, event_id: str) -> None:
    """Remove an item from the calendar without telling anyone (an appointment)."""
    await graph.run(graph.sdk.users.by_user_id(mailbox).events.by_event_id(event_id).delete())


async def delete_events(graph: GraphSession, mailbox: str, event_ids: Sequence[str]) -> list[str]:
    """Remove items from the calendar in ``$batch`` rounds, telling nobody; the ids now gone
    (one already gone, a 404, counts). Any other refusal raises."""
    if not event_ids:
        return []
    answers = await graph.batch(
        [BatchRequest("DELETE", f"/users/{mailbox}/events/{event_id}") for event_id in event_ids]
    )
    for answer in answers:
        if not (answer.ok or answer.status == 404):
            answer.raise_for_status()
    return list(event_ids)


async def create_event(
    graph: GraphSession, mailbox: str, event: Mapping[str, Any]
) -> dict[str, Any]:
    """A new item in ``mailbox``'s calendar (invitations go out when it has attendees), as
    Graph answered it. A POST: not repeated by the gateway; give it a ``transactionId`` and
    look for it (``made_with_transaction``) before trying again."""
    [made] = await graph.batch([BatchRequest("POST", f"/users/{mailbox}/events", dict(event))])
    made.raise_for_status()
    return dict(made.body)


async def made_with_transaction(
    graph: GraphSession, mailbox: str, transaction_id: str, start: dt.datetime, end: dt.datetime
) -> dict[str, Any] | None:
    """The item made between ``start`` and ``end`` with this ``transactionId``, if any: how
    a retried create finds what an earlier attempt made."""
    found = await calendar_view_json(graph, mailbox, start, end,
                                     select=["id", "transactionId", "subject"])  # fmt: skip
    return next((e for e in found if e.get("transactionId") == transaction_id), None)


async def event_gone(graph: GraphSession, mailbox: str, event_id: str) -> bool:
    """Whether the item is no longer in the calendar (Graph answers 404)."""
    [found] = await graph.batch(
        [BatchRequest("GET", f"/users/{mailbox}/events/{event_id}?$select=id")]
    )
    if found.status == 404:
        return True
    found.raise_for_status()
    return False


async def get_schedules(
    graph: GraphSession, mailbox: str, addresses: Sequence[str], start: dt.datetime,
    end: dt.datetime, *, interval_minutes: int = 30,
) -> list[dict[str, Any]]:  # fmt: skip
    """Free/busy of people and rooms between ``start`` and ``end``, asked through
    ``mailbox``'s calendar: Graph's ``scheduleInformation`` items, 20 schedules a request,
    the requests side by side in one ``$batch``."""
    chunks = [addresses[i : i + SCHEDULES_PER_REQUEST]
              for i in range(0, len(addresses), SCHEDULES_PER_REQUEST)]  # fmt: skip
    answers = await graph.batch([
        BatchRequest("POST", f"/users/{mailbox}/calendar/getSchedule", {
            "schedules": list(chunk), "startTime": to_graph(start), "endTime": to_graph(end),
            "availabilityViewInterval": interval_minutes,
        })
        for chunk in chunks
    ])  # fmt: skip
    found: list[dict[str, Any]] = []
    for answer in answers:
        answer.raise_for_status()
        found += answer.body.get("value") or []
    return found
