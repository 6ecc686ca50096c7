"""The pane's Plannen (Agenda → Overleg plannen): the open planning requests, a new one, its
candidates to choose from, the who-can-when matrix while the guests answer (redrawn live),
booking and withdrawing. Parse, call ``automations.planning.flows``, render."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.context import Actor, Deps
from automations.errors import Unprocessable
from automations.graph import GraphSession
from automations.planning import flows
from automations.roster.policy import served_by
from server.deps import FlowDeps, Me, UserGraph
from server.fields import AwareDateTime, BoundedIsoDate, Mailbox, OperationId
from server.routes.pane import fragment
from server.routes.planning import ConditionsBody

router = APIRouter(include_in_schema=False)

DURATIONS = (30, 45, 60, 90, 120, 180)
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")
STATES = {
    "free": "vrij", "tentative": "onder voorbehoud", "hold": "optie", "busy": "bezet",
    "oof": "afwezig", "unknown": "onbekend", "past": "past", "past niet": "past niet",
    "geen antwoord": "geen antwoord",
}  # fmt: skip


def _may_plan(me: Actor) -> list[str]:
    """The executives she may plan for (none: the section is not shown)."""
    if me.roster.role(me.upn) not in ("secretary", "admin"):
        return []
    return served_by(me.roster, me.upn)


@router.get("/pane/plannen/inhoud", response_class=HTMLResponse)
async def planning_list(request: Request, deps: FlowDeps, me: Me) -> HTMLResponse:
    """Her open planning requests, deadline first, and "Nieuw overleg plannen"."""
    found = await flows.list_requests(deps, me)
    return fragment(request, "views/plannen.html", requests=found, labels=flows.STATUS_LABELS,
                    may_plan=bool(_may_plan(me)))  # fmt: skip


@router.get("/pane/plannen/nieuw", response_class=HTMLResponse)
async def planning_form(
    request: Request, deps: FlowDeps, me: Me, mailbox: Mailbox | None = None
) -> HTMLResponse:
    serves = _may_plan(me)
    if not serves:
        raise Unprocessable("U plant geen overleggen voor een bestuurder.")
    today = deps.today()
    current = (mailbox or "").lower()
    return fragment(
        request, "views/plannen_nieuw.html", serves=[(e, me.name(e)) for e in serves],
        current=current if current in serves else serves[0], durations=DURATIONS,
        weekdays=WEEKDAYS, start=today + dt.timedelta(days=14),
        end=today + dt.timedelta(days=41), today=today,
    )  # fmt: skip


class NewPlanning(BaseModel):
    """The form as the pane sends it: people as lines of text, where as a choice."""

    title: str = Field(min_length=1, max_length=200)
    executives: list[Mailbox] = Field(min_length=1, max_length=10)
    organiser: Mailbox | None = None
    internal: str = Field(default="", max_length=4000)  # "adres" or "adres optioneel" a line
    external: str = Field(default="", max_length=4000)  # "adres, naam" a line
    duration_minutes: int = Field(ge=15, le=480)
    window_start: BoundedIsoDate
    window_end: BoundedIsoDate
    not_on: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=list, max_length=7)
    mornings_only: bool = False
    travel_minutes: int = Field(default=0, ge=0, le=240)
    where: Literal["online", "zaal", "elders"] = "online"
    location: str = Field(default="", max_length=200)
    decide_by: BoundedIsoDate | None = None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _internal(text: str) -> list[tuple[str, bool]]:
    out = []
    for line in _lines(text):
        address, _, rest = line.partition(" ")
        out.append((address.strip(",;"), "optioneel" not in rest.lower()))
    return out


def _external(text: str) -> list[tuple[str, str]]:
    out = []
    for line in _lines(text):
        address, _, name = line.partition(",")
        out.append((address.strip(), name.strip()))
    return out


async def _detail(
    request: Request, deps: Deps, graph: GraphSession, me: Actor, request_id: str,
    notice: str | None = None,
) -> HTMLResponse:  # fmt: skip
    planning = await flows.get_request(deps, me, request_id=request_id)
    proposal = grid = None
    if planning.status == "open":
        proposal = await flows.propose(deps, graph, me, request_id=request_id, count=8)
    elif planning.options:
        grid = await flows.matrix(deps, graph, me, request_id=request_id)
    return fragment(
        request, "views/plannen_detail.html", planning=planning, proposal=proposal, grid=grid,
        labels=flows.STATUS_LABELS, states=STATES, notice=notice,
        operation_id=str(uuid.uuid4()),
    )  # fmt: skip


@router.post("/pane/plannen/aanmaken", response_class=HTMLResponse)
async def planning_create(
    request: Request, body: NewPlanning, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    if body.where == "elders" and not body.location.strip():
        raise Unprocessable("Geef aan waar het overleg is, of kies online of een zaal.")
    conditions = ConditionsBody(not_on=body.not_on, mornings_only=body.mornings_only,
                                travel_minutes=body.travel_minutes).conditions()  # fmt: skip
    made = await flows.create_request(
        deps, graph, me, title=body.title, executives=body.executives,
        organiser=body.organiser, internal=_internal(body.internal),
        external=_external(body.external), duration_minutes=body.duration_minutes,
        window_start=body.window_start, window_end=body.window_end, conditions=conditions,
        online=body.where == "online",
        location=body.location if body.where == "elders" else "", decide_by=body.decide_by,
    )  # fmt: skip
    notice = "Het planningsverzoek staat klaar."
    return await _detail(request, deps, graph, me, made.id, notice=notice)


class FromBacklog(BaseModel):
    entry: str = Field(min_length=1, max_length=36)


@router.post("/pane/plannen/uit-herplannen", response_class=HTMLResponse)
async def planning_from_backlog(
    request: Request, body: FromBacklog, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """A meeting the calamity cleared, planned again through the planner (same people)."""
    made = await flows.from_backlog(deps, graph, me, entry_id=body.entry)
    notice = "Het planningsverzoek staat klaar, met de deelnemers van toen."
    return await _detail(request, deps, graph, me, made.id, notice=notice)


@router.get("/pane/plannen/{request_id}", response_class=HTMLResponse)
async def planning_detail(
    request: Request, request_id: str, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    return await _detail(request, deps, graph, me, request_id)


class HoldForm(BaseModel):
    starts: list[AwareDateTime] = Field(default_factory=list, max_length=6)
    operation_id: OperationId


@router.post("/pane/plannen/{request_id}/opties", response_class=HTMLResponse)
async def planning_hold(
    request: Request, request_id: str, body: HoldForm, deps: FlowDeps, me: Me,
    graph: UserGraph,
) -> HTMLResponse:  # fmt: skip
    if not body.starts:
        raise Unprocessable("Kies eerst een of meer momenten.")
    held = await flows.hold_options(deps, graph, me, request_id=request_id, starts=body.starts,
                                    operation_id=body.operation_id)  # fmt: skip
    guests = len(held.guests)
    notice = (f"{len(held.options)} opties staan in de agenda's"
              + (f"; {guests} gasten kregen hun link." if guests else "."))  # fmt: skip
    return await _detail(request, deps, graph, me, request_id, notice=notice)


class BookForm(BaseModel):
    option: str = Field(min_length=1, max_length=36)
    operation_id: OperationId
    despite_conflicts: bool = False


@router.post("/pane/plannen/{request_id}/boeken", response_class=HTMLResponse)
async def planning_book(
    request: Request, request_id: str, body: BookForm, deps: FlowDeps, me: Me,
    graph: UserGraph,
) -> HTMLResponse:  # fmt: skip
    await flows.book(deps, graph, me, request_id=request_id, option_id=body.option,
                     operation_id=body.operation_id,
                     despite_conflicts=body.despite_conflicts)  # fmt: skip
    notice = "Geboekt: de uitnodiging is verstuurd en de opties zijn vrijgegeven."
    return await _detail(request, deps, graph, me, request_id, notice=notice)


class CancelForm(BaseModel):
    operation_id: OperationId


@router.post("/pane/plannen/{request_id}/intrekken", response_class=HTMLResponse)
async def planning_cancel(
    request: Request, request_id: str, body: CancelForm, deps: FlowDeps, me: Me,
    graph: UserGraph,
) -> HTMLResponse:  # fmt: skip
    await flows.cancel(deps, graph, me, request_id=request_id, operation_id=body.operation_id)
    return await _detail(request, deps, graph, me, request_id,
                         notice="Ingetrokken: de opties zijn vrijgegeven.")  # fmt: skip
