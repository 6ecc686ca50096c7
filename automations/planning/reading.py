"""What the planner reads from Graph: free/busy of people and rooms (``getSchedule``, 20
schedules a request, run side by side in one ``$batch``), the rooms (``/places``), and the
events it made (found again by their ``transactionId``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from automations.dates import to_graph
from automations.graph import BatchRequest, GraphSession
from automations.planning.candidates import Busy, schedule_items

__all__ = ["SCHEDULES_PER_REQUEST", "Room", "made_event", "rooms", "schedules"]

SCHEDULES_PER_REQUEST = 20  # getSchedule's limit
MAX_ROOMS = 1000  # a town hall's rooms, followed page by page


@dataclass(frozen=True)
class Room:
    address: str
    name: str
    capacity: int | None


async def schedules(
    graph: GraphSession,
    mailbox: str,
    addresses: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
) -> dict[str, list[Busy] | None]:
    """Each address's busy periods between ``start`` and ``end`` (None: Graph could not say),
    asked through ``mailbox``'s calendar (the organising executive's, as her delegate)."""
    wanted = list(dict.fromkeys(a.lower() for a in addresses))
    chunks = [
        wanted[i : i + SCHEDULES_PER_REQUEST] for i in range(0, len(wanted), SCHEDULES_PER_REQUEST)
    ]
    answers = await graph.batch(
        [
            BatchRequest(
                "POST",
                f"/users/{mailbox}/calendar/getSchedule",
                {
                    "schedules": chunk,
                    "startTime": to_graph(start),
                    "endTime": to_graph(end),
                    "availabilityViewInterval": 30,
                },
            )
            for chunk in chunks
        ]
    )
    out: dict[str, list[Busy] | None] = {a: None for a in wanted}
    for answer in answers:
        answer.raise_for_status()
        for info in answer.body.get("value") or []:
            address = str(info.get("scheduleId") or "").lower()
            if address in out:
                out[address] = schedule_items(info)
    return out


async def rooms(graph: GraphSession, *, seats: int) -> list[Room]:
    """The tenant's rooms that seat ``seats`` (capacity unknown counts as fitting), the
    smallest first: a meeting of eight does not take the council chamber when a room for ten
    is free. None at all when the tenant has no rooms or Graph refuses to list them."""
    found: list[Room] = []
    url: str | None = "/places/microsoft.graph.room?$top=100"
    while url is not None and len(found) < MAX_ROOMS:
        [answer] = await graph.batch([BatchRequest("GET", url)])
        if answer.status in (403, 404):
            return []
        answer.raise_for_status()
        found += [
            Room(str(r.get("emailAddress") or "").lower(), str(r.get("displayName") or ""),
                 r.get("capacity"))
            for r in answer.body.get("value") or [] if r.get("emailAddress")
        ]  # fmt: skip
        link = answer.body.get("@odata.nextLink")
        url = link.split("/v1.0", 1)[-1] if isinstance(link, str) else None
    fitting = [r for r in found if r.capacity is None or r.capacity >= seats]
    return sorted(fitting, key=lambda r: (r.capacity is None, r.capacity or 0, r.name))


async def made_event(
    graph: GraphSession,
    mailbox: str,
    transaction_id: str,
    start: dt.datetime,
    end: dt.datetime,
) -> dict[str, Any] | None:
    """The event we made in ``mailbox`` at that time with that ``transactionId``, if any: how
    a resumed step knows the hold or the invitation is already there."""
    url = (
        f"/users/{mailbox}/calendarView?startDateTime={start.isoformat()}"
        f"&endDateTime={end.isoformat()}&$select=id,transactionId,subject&$top=100"
    ).replace("+", "%2B")
    [answer] = await graph.batch([BatchRequest("GET", url)])
    answer.raise_for_status()
    for event in answer.body.get("value") or []:
        if event.get("transactionId") == transaction_id:
            return dict(event)
    return None
