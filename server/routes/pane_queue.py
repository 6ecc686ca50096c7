"""The pane's Werkvoorraad: today's team with "neem over", the queue with filters and counts,
and "ik pak dit op" on each item (a colleague's claim is shown, and taking over asks first)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.context import Actor, Deps
from automations.dates import next_working_day
from automations.errors import BadRequest
from automations.queue import flows
from automations.queue.models import ClaimHeld, message_key
from automations.roster import flows as roster_flows
from automations.roster.policy import acting_for
from server.deps import FlowDeps, Me, UserGraph
from server.fields import Mailbox, OperationId, RowId
from server.routes.pane import Selected, fragment

router = APIRouter(include_in_schema=False)
Filter = Literal["alles", "mijn", "te-laat"]
Sort = Literal["urgentie", "oudste", "bestuurder", "soort"]
SHOWN = 100  # items drawn at once; the counts and filters cover the rest


class ViewState(BaseModel):
    """What the secretary chose to see; every click sends it, so the redraw keeps it."""

    filter: Filter = "alles"
    executive: Mailbox | Literal[""] = ""  # "" is everyone I work for
    office: Literal["", "front", "back", "executive"] = ""
    sort: Sort = "urgentie"


async def _render(
    request: Request, deps: Deps, me: Actor, state: ViewState, notice: str | None = None,
    ask: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    found = await flows.read_queue(
        deps, me, mine=state.filter == "mijn", overdue=state.filter == "te-laat",
        office=state.office or None, narrow_to=state.executive or None, order=state.sort,
    )  # fmt: skip
    roster, today = me.roster, deps.today()
    upcoming = await roster_flows.list_exceptions(deps, me, first=today)
    colleagues = sorted(
        {s for s, served in roster.serves.items() if set(served) & set(found.mailboxes)} | (
            {me.upn} if roster.role(me.upn) == "secretary" else set()),
        key=lambda s: roster.names.get(s, s),
    )  # fmt: skip
    upcoming = [e for e in upcoming if e.secretary in colleagues]
    items = found.items
    return fragment(
        request, "views/werkvoorraad.html", items=items[:SHOWN], more=max(len(items) - SHOWN, 0),
        shown_total=len(items), counts=found.all_counts, team=found.team, claims=found.held,
        state=state, user=me.upn, names=roster.names, notice=notice, ask=ask,
        tomorrow=next_working_day(today), serves=roster.serves.get(me.upn, frozenset()),
        colleagues=colleagues, upcoming=upcoming, today=today,
    )  # fmt: skip


@router.get("/pane/werkvoorraad/inhoud", response_class=HTMLResponse)
async def view(
    request: Request, selected: Selected, deps: FlowDeps, me: Me,
    state: Annotated[ViewState, Query()],
) -> HTMLResponse:  # fmt: skip
    return await _render(request, deps, me, state)


class ClaimRequest(ViewState):
    key: str = Field(min_length=3, max_length=600)
    mailbox: Mailbox
    take_over: bool = False


@router.post("/pane/werkvoorraad/oppakken", response_class=HTMLResponse)
async def pick_up(request: Request, body: ClaimRequest, deps: FlowDeps, me: Me) -> HTMLResponse:
    try:
        await flows.claim_work(deps, me, key=body.key, mailbox=body.mailbox,
                               take_over=body.take_over)  # fmt: skip
    except ClaimHeld as exc:
        ask = {"key": body.key, "mailbox": body.mailbox}
        return await _render(request, deps, me, body, notice=exc.message, ask=ask)
    return await _render(request, deps, me, body)


class ReleaseRequest(ViewState):
    key: str = Field(min_length=3, max_length=600)


@router.post("/pane/werkvoorraad/vrijgeven", response_class=HTMLResponse)
async def let_go(request: Request, body: ReleaseRequest, deps: FlowDeps, me: Me) -> HTMLResponse:
    await flows.release_work(deps, me, key=body.key)
    return await _render(request, deps, me, body)


class TakeOverRequest(ViewState):
    cover: Mailbox


@router.post("/pane/werkvoorraad/neem-over", response_class=HTMLResponse)
async def neem_over(
    request: Request, body: TakeOverRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    _, roster = await flows.take_over_front_office(deps, me, executive=body.cover,
                                                   note="neem over (Werkvoorraad)")  # fmt: skip
    fresh = Actor(me.upn, roster, me.via)
    notice = f"U bent vandaag de frontoffice van {fresh.name(body.cover)}."
    return await _render(request, deps, fresh, body, notice=notice)


class FindingRequest(ViewState):
    finding: str = Field(min_length=1, max_length=64)


@router.post("/pane/werkvoorraad/afvinken", response_class=HTMLResponse)
async def set_aside(request: Request, body: FindingRequest, deps: FlowDeps, me: Me) -> HTMLResponse:
    """A conflict that is fine as it is: off the queue, and the jobs leave it off."""
    await flows.dismiss_finding(deps, me, finding_id=body.finding)
    notice = "Afgevinkt: staat niet meer in de werkvoorraad."
    return await _render(request, deps, me, body, notice=notice)


@router.post("/pane/werkvoorraad/markering-wissen", response_class=HTMLResponse)
async def flag_done(
    request: Request, body: FindingRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """Flagged mail dealt with: the flag in her mailbox is marked complete."""
    await flows.complete_flag(deps, graph, me, finding_id=body.finding)
    notice = "De markering is gewist; het bericht is afgehandeld."
    return await _render(request, deps, me, body, notice=notice)


# --- Bericht: who works on this mail -----------------------------------------------------------
async def _strip(
    request: Request, deps: Deps, me: Actor, mailbox: str, message_id: str, ask: bool = False
) -> HTMLResponse:
    held = await flows.holder_of_message(deps, me, mailbox=mailbox, message_id=message_id)
    return fragment(request, "views/bezig.html", held=held, message_id=message_id,
                    user=me.upn, names=me.roster.names, ask=ask)  # fmt: skip


@router.get("/pane/bericht/bezig", response_class=HTMLResponse)
async def claim_strip(request: Request, selected: Selected, deps: FlowDeps, me: Me) -> HTMLResponse:
    """The line on Bericht saying who works on this mail (redrawn on the queue's events)."""
    if not selected.item:
        raise BadRequest("Kies eerst een bericht.")
    return await _strip(request, deps, me, selected.ctx.mailbox, selected.item)


class MessageClaimRequest(BaseModel):
    mailbox: Mailbox
    message: str = Field(min_length=1, max_length=512)
    take_over: bool = False


@router.post("/pane/bericht/oppakken", response_class=HTMLResponse)
async def pick_up_message(
    request: Request, body: MessageClaimRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """ "Ik pak dit op" on the mail itself: the same piece of work as its queue items, so a
    colleague's claim on either is shown and asked about, and taking over moves it."""
    try:
        await flows.claim_work(deps, me, key=message_key(body.message), mailbox=body.mailbox,
                               take_over=body.take_over)  # fmt: skip
    except ClaimHeld:
        return await _strip(request, deps, me, body.mailbox, body.message, ask=True)
    return await _strip(request, deps, me, body.mailbox, body.message)


class MessageReleaseRequest(BaseModel):
    mailbox: Mailbox
    message: str = Field(min_length=1, max_length=512)
    key: str = Field(min_length=3, max_length=600)


@router.post("/pane/bericht/vrijgeven", response_class=HTMLResponse)
async def let_go_message(
    request: Request, body: MessageReleaseRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    mailbox = await flows.release_work(deps, me, key=body.key)
    return await _strip(request, deps, me, mailbox, body.message)


# --- Overdracht -------------------------------------------------------------------------------
@router.get("/pane/werkvoorraad/overdracht", response_class=HTMLResponse)
async def handover_view(
    request: Request, selected: Selected, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """The handover for the next person, with a button per colleague to mail it, and per
    executive her mail nobody has handled yet (Postverwerking)."""
    found = await flows.handover_for(deps, me, graph=graph)
    mine, roster = acting_for(me.roster, me.upn), me.roster
    nexts = {s.front_next for s in found.sections if s.front_next and s.front_next != me.upn}
    team = {c for c, served in roster.serves.items() if c != me.upn and set(served) & set(mine)}
    colleagues = sorted(team, key=lambda c: (c not in nexts, c))  # the next front office first
    return fragment(request, "views/overdracht.html", handover=found, names=roster.names,
                    colleagues=colleagues, nexts=nexts, user=me.upn)  # fmt: skip


class HandoverMailRequest(BaseModel):
    to: Mailbox
    operation_id: OperationId


@router.post("/pane/werkvoorraad/overdracht/mailen", response_class=HTMLResponse)
async def handover_mail(
    request: Request, body: HandoverMailRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    found = await flows.mail_handover(deps, graph, me, to=body.to,
                                      operation_id=body.operation_id)  # fmt: skip
    return fragment(request, "views/overdracht_verstuurd.html", who=me.name(body.to),
                    executives=[s.name for s in found.sections])  # fmt: skip


# --- roster exceptions from the team section ---------------------------------------------------
class ExceptionForm(ViewState):
    kind: Literal["absent", "front_office"] = "absent"
    secretary: Mailbox
    first: dt.date
    last: dt.date | None = None
    cover_for: str = Field(default="", max_length=320)  # the executive, for a swap
    note: str = Field(default="", max_length=500)


@router.post("/pane/werkvoorraad/uitzondering", response_class=HTMLResponse)
async def add_roster_exception(
    request: Request, body: ExceptionForm, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """Absent, or front office for an executive, on a day or a range (audited)."""
    made, fresh = await roster_flows.add_exception(
        deps, me, kind=body.kind, secretary=body.secretary, first=body.first, last=body.last,
        executive=body.cover_for or None, note=body.note or None,
    )  # fmt: skip
    now = Actor(me.upn, fresh, me.via)
    what = "afwezig" if body.kind == "absent" else "frontoffice"
    days = f"{len(made)} dag{'en' if len(made) != 1 else ''}"
    notice = f"In het rooster: {now.name(body.secretary)} {what}, {days}."
    return await _render(request, deps, now, body, notice=notice)


class ExceptionRemoval(ViewState):
    exception: RowId


@router.post("/pane/werkvoorraad/uitzondering/verwijderen", response_class=HTMLResponse)
async def remove_roster_exception(
    request: Request, body: ExceptionRemoval, deps: FlowDeps, me: Me
) -> HTMLResponse:
    fresh = await roster_flows.remove_exception(deps, me, exception_id=body.exception)
    return await _render(request, deps, Actor(me.upn, fresh, me.via), body,
                         notice="Uitzondering verwijderd.")  # fmt: skip
