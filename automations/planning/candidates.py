"""Candidate times for a planning request, from the internal participants' free/busy and the
rooms' (Graph's ``getSchedule``), within the request's weeks and conditions.

Why not ``findMeetingTimes``: it works for one organiser, knows nothing of the college's day,
mornings only or travel time, cannot tell a hold ("optie") from a real appointment, and does
not choose a room together with the people. ``getSchedule`` gives every calendar's items (up to
20 schedules, 62 days, in one request), and the ranking below is the secretary's: nobody
required busy first, then the fewest required with a tentative item or an option, then the
fewest optional ones busy, then the earliest; at most one candidate per day until every day
has had its chance, so the guests get a real choice.

Pure functions: nothing here talks to Graph or the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from automations.dates import AMSTERDAM, from_graph
from automations.holds import is_hold
from automations.planning.models import Availability, Candidate, Conditions, Participant

__all__ = [
    "STEP",
    "Busy",
    "availability_at",
    "candidate_times",
    "explain",
    "rank",
    "schedule_items",
]

STEP = dt.timedelta(minutes=30)
# The worst status wins when several items overlap a time.
_WORST: dict[str, int] = {"free": 0, "unknown": 1, "tentative": 2, "hold": 3, "busy": 4, "oof": 5}
_GRAPH_STATUS: dict[str, Availability] = {
    "busy": "busy",
    "oof": "oof",
    "tentative": "tentative",
    "workingElsewhere": "free",  # she works elsewhere but can meet (online, or travelled)
    "free": "free",
}


@dataclass(frozen=True)
class Busy:
    start: dt.datetime
    end: dt.datetime
    status: Availability


def schedule_items(info: Mapping[str, object]) -> list[Busy] | None:
    """One ``scheduleInformation`` of getSchedule as busy periods; None when Graph could not
    say (an ``error``: the calendar is not shared, the address unknown). A tentative item
    that is a hold is an option ("hold")."""
    if info.get("error"):
        return None
    out = []
    for item in info.get("scheduleItems") or []:  # type: ignore[attr-defined]
        status = _GRAPH_STATUS.get(str(item.get("status") or ""), "busy")
        if status == "free":
            continue
        if status == "tentative" and is_hold(item):
            status = "hold"
        out.append(Busy(from_graph(item.get("start")), from_graph(item.get("end")), status))
    return out


def candidate_times(
    first: dt.date,
    last: dt.date,
    duration: dt.timedelta,
    conditions: Conditions,
    *,
    not_before: dt.datetime,
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Every start on the half hour in the window (Dutch time) that the conditions allow,
    the meeting (with travel before and after) wholly inside the day's hours."""
    day = first
    while day <= last:
        if day.weekday() in conditions.weekdays and day.weekday() not in conditions.not_on:
            opens = dt.datetime.combine(day, conditions.day_start, AMSTERDAM)
            closes = dt.datetime.combine(day, conditions.last_end, AMSTERDAM)
            start = opens + conditions.travel
            while start + duration + conditions.travel <= closes:
                if start >= not_before:
                    yield start, start + duration
                start += STEP
        day += dt.timedelta(days=1)


def availability_at(
    items: Sequence[Busy] | None, start: dt.datetime, end: dt.datetime
) -> Availability:
    if items is None:
        return "unknown"
    worst: Availability = "free"
    for b in items:
        if b.start < end and start < b.end and _WORST[b.status] > _WORST[worst]:
            worst = b.status
    return worst


def explain(
    availability: Mapping[str, Availability], people: Sequence[Participant], room_name: str | None
) -> str:
    """Why a candidate is where it is, as a secretary says it."""
    required = [p for p in people if p.required and p.kind != "external"]
    parts = []
    if all(availability.get(p.address) == "free" for p in required):
        parts.append("alle verplichte deelnemers vrij")
    said = {
        "hold": "heeft een optie",
        "tentative": "heeft iets onder voorbehoud",
        "busy": "is bezet",
        "oof": "is afwezig",
        "unknown": "agenda onbekend",
    }
    for p in people:
        if p.kind == "external":
            continue
        status = availability.get(p.address, "unknown")
        if status != "free":
            extra = "" if p.required else " (optioneel)"
            parts.append(f"{p.name or p.address}{extra} {said[status]}")
    if room_name:
        parts.append(f"{room_name} is vrij")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def rank(
    times: Iterable[tuple[dt.datetime, dt.datetime]],
    busy: Mapping[str, Sequence[Busy] | None],
    people: Sequence[Participant],
    *,
    rooms: Sequence[tuple[str, str]] = (),
    room_busy: Mapping[str, Sequence[Busy] | None] | None = None,
    travel: dt.timedelta = dt.timedelta(0),
    count: int = 5,
    allow_conflicts: bool = False,
) -> list[Candidate]:
    """The best ``count`` candidates (see the module's docstring). ``rooms`` are (address,
    name) in the order to try them, needed when given: a time without a free room is no
    candidate. ``travel`` keeps the executives free before and after. Without
    ``allow_conflicts`` a time with a required participant busy is left out."""
    scored: list[tuple[tuple[int, int, int, dt.datetime], Candidate]] = []
    for start, end in times:
        availability: dict[str, Availability] = {}
        for p in people:
            if p.kind == "external":
                availability[p.address] = "unknown"
                continue
            pad = travel if p.kind == "executive" else dt.timedelta(0)
            availability[p.address] = availability_at(busy.get(p.address), start - pad, end + pad)
        room = room_name = None
        if rooms:
            free = [
                (a, n)
                for a, n in rooms
                if availability_at((room_busy or {}).get(a), start, end) == "free"
            ]
            if not free:
                continue
            room, room_name = free[0]
        required = [p for p in people if p.required and p.kind != "external"]
        conflicts = sum(availability[p.address] in ("busy", "oof") for p in required)
        if conflicts and not allow_conflicts:
            continue
        doubts = sum(availability[p.address] in ("tentative", "hold", "unknown") for p in required)
        optional = sum(
            availability[p.address] in ("busy", "oof")
            for p in people
            if not p.required and p.kind != "external"
        )
        candidate = Candidate(
            start,
            end,
            availability,
            room,
            conflicts,
            doubts,
            explain(availability, people, room_name),
        )
        scored.append(((conflicts, doubts, optional, start), candidate))
    scored.sort(key=lambda s: s[0])
    return _spread([c for _, c in scored], count)


def _spread(ordered: Sequence[Candidate], count: int) -> list[Candidate]:
    """Best first; among equally good ones one per day before a second on any day, so a
    worse time never displaces a better one, and equals spread over the weeks. Shown in
    time order."""
    chosen: list[Candidate] = []
    tiers: dict[tuple[int, int], list[Candidate]] = {}
    for c in ordered:
        tiers.setdefault((c.conflicts, c.doubts), []).append(c)
    for tier in tiers.values():  # in rank order: dicts keep the order of insertion
        days: set[dt.date] = set()
        later: list[Candidate] = []
        for c in tier:
            day = c.start.astimezone(AMSTERDAM).date()
            (later if day in days else chosen).append(c)
            days.add(day)
        chosen = chosen[:count]
        chosen += later[: count - len(chosen)]
        if len(chosen) >= count:
            break
    return sorted(chosen[:count], key=lambda c: c.start)
