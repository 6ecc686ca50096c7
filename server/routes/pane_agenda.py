"""The pane's Agenda: the selected appointment and its day (the calamity clear and the
re-planning backlog live in ``pane_calamity``)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from automations.calamity.flows import interrupted_clears
from automations.calamity.models import WINDOWS
from automations.dates import AMSTERDAM
from automations.mailboxes.reading import calendar_view, get_event
from automations.roster.policy import Action, may, served_by
from server.deps import FlowDeps, Me, UserGraph
from server.routes.pane import Selected, fragment

router = APIRouter(include_in_schema=False)


@router.get("/pane/agenda/inhoud", response_class=HTMLResponse)
async def agenda_view(
    request: Request, selected: Selected, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """The selected appointment and its day; for a message, today in the mailbox's calendar."""
    ctx = selected.ctx
    event = None
    day = deps.today()
    if selected.item and selected.type == "appointment":
        event = await get_event(graph=graph, roster=me.roster, actor=me.upn, mailbox=ctx.mailbox,
                                event_id=selected.item)  # fmt: skip
        day = event.start.date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=AMSTERDAM)
    events = await calendar_view(graph=graph, roster=me.roster, actor=me.upn, mailbox=ctx.mailbox,
                                 start=start, end=start + dt.timedelta(days=1))  # fmt: skip
    may_clear = may(me.roster, me.upn, Action.CLEAR_AGENDA, ctx.mailbox)
    # Clears that stopped midway, with "Afmaken" (pane_calamity finishes them).
    interrupted = await interrupted_clears(deps, me, mailbox=ctx.mailbox) if may_clear else []
    # The other executives she serves, to clear in the same go; her own from–to starts now.
    others = [
        (m, me.name(m))
        for m in served_by(me.roster, me.upn)
        if m != ctx.mailbox.lower() and may(me.roster, me.upn, Action.CLEAR_AGENDA, m)
    ]
    now = deps.local_now().replace(second=0, microsecond=0)
    until = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=AMSTERDAM)
    custom = {"start": now.strftime("%Y-%m-%dT%H:%M"), "end": until.strftime("%Y-%m-%dT%H:%M")}
    return fragment(request, "views/agenda.html", ctx=ctx, event=event, day=day, events=events,
                    may_clear=may_clear, interrupted=interrupted, windows=WINDOWS,
                    others=others, custom=custom,
                    may_plan=me.roster.role(me.upn) in ("secretary", "admin"))  # fmt: skip
