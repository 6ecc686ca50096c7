"""Everyone's availability for a planning request, read once: the people's and the rooms'
free/busy in its weeks (``reading.schedules``), with the request's own holds taken out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from automations.dates import AMSTERDAM
from automations.errors import Conflict
from automations.graph import GraphSession
from automations.planning import reading
from automations.planning.candidates import Busy
from automations.planning.models import PlanningRequest

__all__ = ["read_availability", "rooms_for", "window_of", "without_own_holds"]


def window_of(request: PlanningRequest) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(request.window_start, dt.time(), AMSTERDAM)
    end = dt.datetime.combine(request.window_end + dt.timedelta(days=1), dt.time(), AMSTERDAM)
    return start, end


def without_own_holds(
    busy: Mapping[str, list[Busy] | None], request: PlanningRequest
) -> dict[str, list[Busy] | None]:
    """Her holds for this very request are no obstacle to it (they are where it may go)."""
    own = {(o.start, o.end) for o in request.options}
    return {
        a: None
        if items is None
        else [b for b in items if not (b.status == "hold" and (b.start, b.end) in own)]
        for a, items in busy.items()
    }


async def read_availability(
    graph: GraphSession, request: PlanningRequest, rooms: Sequence[reading.Room]
) -> tuple[dict[str, list[Busy] | None], dict[str, list[Busy] | None]]:
    """Everyone's busy periods in the request's weeks (one ``$batch``), and the rooms'."""
    start, end = window_of(request)
    people = request.internal
    found = await reading.schedules(
        graph, request.organiser, [*people, *(r.address for r in rooms)], start, end
    )
    busy = without_own_holds({a: found.get(a) for a in people}, request)
    return busy, {r.address: found.get(r.address) for r in rooms}


async def rooms_for(graph: GraphSession, request: PlanningRequest) -> list[reading.Room]:
    """The rooms it may take: none when it is online or elsewhere; in the town hall, the ones
    that seat everyone — and a clear refusal when Microsoft 365 lists none (no rooms set up,
    or the app lacks Place.Read.All), rather than a meeting booked without a room."""
    if request.online or request.location:
        return []
    found = await reading.rooms(graph, seats=len(request.participants))
    if not found:
        raise Conflict("Microsoft 365 geeft geen zaal voor dit aantal deelnemers. Kies online "
                       "of een plaats elders, of vraag de beheerder naar de zalen.")  # fmt: skip
    return found
