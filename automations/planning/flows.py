"""Plannen as the back office does it, one function per thing a user does; every adapter (the
JSON API, the pane, the CLI) calls these.

1. ``create_request``: title, the executives (one organises), internal attendees (found in the
   directory), external ones by address, duration, the weeks, the conditions, online or a room.
2. ``propose``: candidate times from everyone's free/busy and the rooms', ranked and explained
   (``candidates``).
3. ``hold_options`` (``holding``): the chosen candidates as holds in each executive's calendar,
   and each guest a personal link to choose (``guests``).
4. ``matrix``: who can when — the guests' answers, the internal calendars re-read live.
5. ``book`` (``booking``): one invitation from the organiser's calendar, the room reserved, every
   hold released; or ``cancel``: every hold released, the links dead.

Planning is the secretariat's work (secretaries and admins) for executives it works for; the
roster says so before Graph is asked. "Now" is the injected clock's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from automations.context import Actor, Deps
from automations.errors import AccessDenied, Conflict
from automations.graph import GraphSession
from automations.planning import reading, service
from automations.planning.access import load_for, staff_for
from automations.planning.availability import read_availability, rooms_for
from automations.planning.booking import book, cancel
from automations.planning.candidates import Busy, availability_at, candidate_times, rank
from automations.planning.guests import GuestView, answer_as_guest, guest_view
from automations.planning.holding import hold_options
from automations.planning.making import (
    DEFAULT_CONDITIONS,
    EVENT,
    MAX_PARTICIPANTS,
    MAX_SPAN,
    create_request,
)
from automations.planning.models import (
    STATUS_LABELS,
    Availability,
    Candidate,
    Conditions,
    PlanningRequest,
)
from automations.planning.replanning import from_backlog
from automations.store.models import PlanningRequestRow

__all__ = [
    "EVENT",
    "MAX_PARTICIPANTS",
    "MAX_SPAN",
    "STATUS_LABELS",
    "Cell",
    "Conditions",
    "GuestView",
    "Matrix",
    "Proposal",
    "answer_as_guest",
    "book",
    "cancel",
    "DEFAULT_CONDITIONS",
    "create_request",
    "from_backlog",
    "get_request",
    "guest_view",
    "hold_options",
    "list_requests",
    "matrix",
    "propose",
]

LEAD = dt.timedelta(hours=2)  # no candidate sooner than this: invitations need a moment


async def get_request(deps: Deps, actor: Actor, *, request_id: str) -> PlanningRequest:
    return await load_for(deps, actor, request_id)


async def list_requests(
    deps: Deps, actor: Actor, *, include_closed: bool = False
) -> list[PlanningRequest]:
    """The requests for executives she works for, open ones first by their deadline."""
    async with deps.sessions() as session:
        query = select(PlanningRequestRow.id)
        if not include_closed:
            query = query.where(PlanningRequestRow.status.in_(("open", "holding")))
        ids = (await session.scalars(query)).all()
        found = [await service.load(session, i) for i in ids]
    mine = []
    for request in found:
        try:
            staff_for(actor, request.executives)
        except AccessDenied:
            continue
        mine.append(request)
    far = dt.date.max
    return sorted(
        mine, key=lambda r: (r.status not in ("open", "holding"), r.decide_by or far, r.created_at)
    )


@dataclass(frozen=True)
class Proposal:
    request: PlanningRequest
    candidates: list[Candidate]
    rooms: list[reading.Room]  # the rooms it looked at (none: online, or elsewhere)


async def propose(
    deps: Deps, graph: GraphSession, actor: Actor, *, request_id: str, count: int = 5
) -> Proposal:
    """The best ``count`` times, each saying who is how then (and which room is free)."""
    request = await get_request(deps, actor, request_id=request_id)
    if request.status in ("booked", "cancelled"):
        raise Conflict(f"Dit overleg is al {STATUS_LABELS[request.status]}.")
    room_list = await rooms_for(graph, request)
    busy, room_busy = await read_availability(graph, request, room_list)

    def ranked(allow_conflicts: bool) -> list[Candidate]:
        times = candidate_times(
            request.window_start,
            request.window_end,
            request.duration,
            request.conditions,
            not_before=deps.now() + LEAD,
        )
        return rank(
            times,
            busy,
            request.participants,
            rooms=[(r.address, r.name) for r in room_list],
            room_busy=room_busy,
            travel=request.conditions.travel,
            count=count,
            allow_conflicts=allow_conflicts,
        )

    # Nobody required busy first; when no such time exists, the best ones, saying who is.
    found = ranked(False) or ranked(True)
    return Proposal(request, found, room_list)


# What a guest's answer is in the matrix: suits, does not suit, or not answered yet.
GuestCell = str  # "past" | "past niet" | "geen antwoord"


@dataclass(frozen=True)
class Cell:
    address: str
    option_id: str
    state: Availability | GuestCell


@dataclass(frozen=True)
class Matrix:
    """Who can when: per option, each participant's state now (internal calendars re-read,
    guests as they answered), and how many required ones can."""

    request: PlanningRequest
    cells: dict[tuple[str, str], Cell]  # (address, option id) → cell
    fits: dict[str, int]  # option id → participants who can (free, or the guest says so)


async def matrix(deps: Deps, graph: GraphSession, actor: Actor, *, request_id: str) -> Matrix:
    request = await get_request(deps, actor, request_id=request_id)
    busy: dict[str, list[Busy] | None] = {}
    if request.options and request.status == "holding":
        busy, _ = await read_availability(graph, request, [])
    answers = {a.address: a for a in request.answers}
    cells: dict[tuple[str, str], Cell] = {}
    fits: dict[str, int] = {}
    for option in request.options:
        can = 0
        for p in request.participants:
            state: Availability | GuestCell
            if p.kind == "external":
                answer = answers.get(p.address)
                state = (
                    "geen antwoord"
                    if answer is None or answer.answered_at is None
                    else "past"
                    if option.id in answer.suits
                    else "past niet"
                )
                can += state == "past"
            else:
                state = availability_at(busy.get(p.address), option.start, option.end)
                can += state == "free"
            cells[(p.address, option.id)] = Cell(p.address, option.id, state)
        fits[option.id] = can
    return Matrix(request, cells, fits)
