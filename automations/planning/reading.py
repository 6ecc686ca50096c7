"""What the planner reads from Graph, through the gateway: free/busy of people and rooms
(``calendar.get_schedules``) as busy periods, and the rooms that seat a meeting
(``places.list_rooms``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from automations.graph import GraphSession, calendar, places
from automations.planning.candidates import Busy, schedule_items

__all__ = ["Room", "rooms", "schedules"]


@dataclass(frozen=True)
class Room:
    address: str
    name: str
    capacity: int | None


async def schedules(
    graph: GraphSession, mailbox: str, addresses: Sequence[str], start: dt.datetime,
    end: dt.datetime,
) -> dict[str, list[Busy] | None]:  # fmt: skip
    """Each address's busy periods between ``start`` and ``end`` (None: Graph could not say),
    asked through ``mailbox``'s calendar (the organising executive's, as her delegate)."""
    wanted = list(dict.fromkeys(a.lower() for a in addresses))
    out: dict[str, list[Busy] | None] = {a: None for a in wanted}
    for info in await calendar.get_schedules(graph, mailbox, wanted, start, end):
        address = str(info.get("scheduleId") or "").lower()
        if address in out:
            out[address] = schedule_items(info)
    return out


async def rooms(graph: GraphSession, *, seats: int) -> list[Room]:
    """The tenant's rooms that seat ``seats`` (capacity unknown counts as fitting), the
    smallest first: a meeting of eight does not take the council chamber when a room for ten
    is free. None at all when the tenant has no rooms or Graph refuses to list them."""
    found = [
        Room(str(r.get("emailAddress") or "").lower(), str(r.get("displayName") or ""),
             r.get("capacity"))
        for r in await places.list_rooms(graph) if r.get("emailAddress")
    ]  # fmt: skip
    fitting = [r for r in found if r.capacity is None or r.capacity >= seats]
    return sorted(fitting, key=lambda r: (r.capacity is None, r.capacity or 0, r.name))
