"""Plannen over the API: a planning request, its candidates, the options held, the who-can-when
matrix, booking and withdrawing. Each route parses, calls ``automations.planning.flows`` and
renders; the guests' own page is ``guest_page``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from automations.planning import flows
from automations.planning.models import Candidate, PlanningRequest
from server.deps import FlowDeps, Me, UserGraph
from server.fields import AwareDateTime, BoundedIsoDate, Mailbox, OperationId

__all__ = ["request_json", "router"]

router = APIRouter(prefix="/api/v1/planning", tags=["planning"])

ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])]
Weekday = Annotated[int, Field(ge=0, le=6)]  # Monday 0


class Internal(BaseModel):
    address: Mailbox
    required: bool = True


class External(BaseModel):
    address: str = Field(min_length=3, max_length=320)
    name: str = Field(default="", max_length=200)


class ConditionsBody(BaseModel):
    """When it may be: weekdays (Monday 0) and hours in Dutch time, weekdays it may not be
    (the college's), mornings only, minutes of travel before and after."""

    weekdays: list[Weekday] = Field(default=[0, 1, 2, 3, 4], min_length=1, max_length=7)
    day_start: ClockTime = "09:00"
    day_end: ClockTime = "17:00"
    not_on: list[Weekday] = Field(default_factory=list, max_length=7)
    mornings_only: bool = False
    travel_minutes: int = Field(default=0, ge=0, le=240)

    def conditions(self) -> flows.Conditions:
        start, end = dt.time.fromisoformat(self.day_start), dt.time.fromisoformat(self.day_end)
        return flows.Conditions(
            weekdays=frozenset(self.weekdays), day_start=start, day_end=end,
            not_on=frozenset(self.not_on), mornings_only=self.mornings_only,
            travel=dt.timedelta(minutes=self.travel_minutes),
        )  # fmt: skip


class NewRequest(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    executives: list[Mailbox] = Field(min_length=1, max_length=10)
    organiser: Mailbox | None = None  # one of the executives; the first by default
    internal: list[Internal] = Field(default_factory=list, max_length=flows.MAX_PARTICIPANTS)
    external: list[External] = Field(default_factory=list, max_length=flows.MAX_PARTICIPANTS)
    duration_minutes: int = Field(ge=15, le=480)
    window_start: BoundedIsoDate
    window_end: BoundedIsoDate
    conditions: ConditionsBody = Field(default_factory=ConditionsBody)
    online: bool = False
    location: str = Field(default="", max_length=200)  # elsewhere; empty: a room when not online
    decide_by: BoundedIsoDate | None = None


def request_json(r: PlanningRequest) -> dict[str, Any]:
    return {
        "id": r.id, "title": r.title, "organiser": r.organiser, "status": r.status,
        "status_label": flows.STATUS_LABELS[r.status],
        "participants": [{"address": p.address, "name": p.name, "kind": p.kind,
                          "required": p.required} for p in r.participants],
        "duration_minutes": int(r.duration.total_seconds() // 60),
        "window_start": r.window_start.isoformat(), "window_end": r.window_end.isoformat(),
        "online": r.online, "location": r.location,
        "decide_by": r.decide_by.isoformat() if r.decide_by else None,
        "options": [{"id": o.id, "start": o.start.isoformat(), "end": o.end.isoformat(),
                     "room": o.room, "held_for": sorted(o.holds)} for o in r.options],
        "answers": [{"address": a.address, "name": a.name,
                     "answered_at": a.answered_at.isoformat() if a.answered_at else None,
                     "suits": sorted(a.suits)} for a in r.answers],
        "booked_start": r.booked_start.isoformat() if r.booked_start else None,
        "booked_event_id": r.booked_event_id,
    }  # fmt: skip


def _candidate(c: Candidate) -> dict[str, Any]:
    return {"start": c.start.isoformat(), "end": c.end.isoformat(), "room": c.room,
            "conflicts": c.conflicts, "doubts": c.doubts, "explanation": c.explanation,
            "availability": c.availability}  # fmt: skip


@router.post("", operation_id="create_planning_request", status_code=201)
async def create(body: NewRequest, deps: FlowDeps, me: Me, graph: UserGraph) -> dict[str, Any]:
    """A new planning request (checked whole: nothing is stored when anything is wrong)."""
    made = await flows.create_request(
        deps, graph, me, title=body.title, executives=body.executives,
        organiser=body.organiser, internal=[(i.address, i.required) for i in body.internal],
        external=[(e.address, e.name) for e in body.external],
        duration_minutes=body.duration_minutes, window_start=body.window_start,
        window_end=body.window_end, conditions=body.conditions.conditions(),
        online=body.online, location=body.location, decide_by=body.decide_by,
    )  # fmt: skip
    return request_json(made)


@router.post("/from-backlog/{entry_id}", operation_id="plan_from_backlog", status_code=201)
async def from_backlog(entry_id: str, deps: FlowDeps, me: Me, graph: UserGraph) -> dict[str, Any]:
    """A meeting a calamity cleared, as a planning request with the same people; booked, the
    backlog's entry is planned."""
    return request_json(await flows.from_backlog(deps, graph, me, entry_id=entry_id))


@router.get("", operation_id="list_planning_requests")
async def listed(
    deps: FlowDeps, me: Me, closed: Annotated[bool, Query()] = False
) -> dict[str, Any]:
    """The requests for executives I work for: open ones first, by their decision date."""
    found = await flows.list_requests(deps, me, include_closed=closed)
    return {"requests": [request_json(r) for r in found]}


@router.get("/{request_id}", operation_id="get_planning_request")
async def one(request_id: str, deps: FlowDeps, me: Me) -> dict[str, Any]:
    return request_json(await flows.get_request(deps, me, request_id=request_id))


@router.get("/{request_id}/candidates", operation_id="planning_candidates")
async def candidates(
    request_id: str, deps: FlowDeps, me: Me, graph: UserGraph,
    count: Annotated[int, Query(ge=1, le=20)] = 5,
) -> dict[str, Any]:  # fmt: skip
    """The best times from everyone's free/busy (and the rooms'), each explained."""
    found = await flows.propose(deps, graph, me, request_id=request_id, count=count)
    return {"candidates": [_candidate(c) for c in found.candidates],
            "rooms": [{"address": r.address, "name": r.name, "capacity": r.capacity}
                      for r in found.rooms]}  # fmt: skip


class HoldBody(BaseModel):
    starts: list[AwareDateTime] = Field(min_length=1, max_length=6)
    operation_id: OperationId


@router.post("/{request_id}/options", operation_id="hold_planning_options")
async def hold(
    request_id: str, body: HoldBody, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Hold the chosen times in every executive's calendar and ask the guests; once per
    operation id."""
    held = await flows.hold_options(deps, graph, me, request_id=request_id, starts=body.starts,
                                    operation_id=body.operation_id)  # fmt: skip
    return request_json(held)


@router.get("/{request_id}/matrix", operation_id="planning_matrix")
async def matrix(request_id: str, deps: FlowDeps, me: Me, graph: UserGraph) -> dict[str, Any]:
    """Who can when: the internal calendars re-read now, the guests as they answered."""
    found = await flows.matrix(deps, graph, me, request_id=request_id)
    return {
        "request": request_json(found.request),
        "cells": [{"address": c.address, "option": c.option_id, "state": c.state}
                  for c in found.cells.values()],
        "fits": found.fits,
    }  # fmt: skip


class BookBody(BaseModel):
    option: str = Field(min_length=1, max_length=36)
    operation_id: OperationId
    despite_conflicts: bool = False


@router.post("/{request_id}/book", operation_id="book_planning_request")
async def book(
    request_id: str, body: BookBody, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """One invitation to everyone (the room reserved), every option released; once."""
    done = await flows.book(deps, graph, me, request_id=request_id, option_id=body.option,
                            operation_id=body.operation_id,
                            despite_conflicts=body.despite_conflicts)  # fmt: skip
    return request_json(done)


class CancelBody(BaseModel):
    operation_id: OperationId


@router.post("/{request_id}/cancel", operation_id="cancel_planning_request")
async def cancel(
    request_id: str, body: CancelBody, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Withdraw it: every option released, the guests' links dead."""
    done = await flows.cancel(deps, graph, me, request_id=request_id,
                              operation_id=body.operation_id)  # fmt: skip
    return request_json(done)
