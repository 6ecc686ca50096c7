"""The pane's calamity clear (Agenda → Agenda leegmaken) and reschedule backlog (Herplannen).

The secretary picks a period (a quick choice — vanmiddag, rest van vandaag, morgenochtend,
vandaag en morgen, deze week — or her own from–to) and, when she serves more than one
executive, whose agendas; she sees every item with what will happen and why (one listing per
executive), unticks or ticks items, edits the messages, and clears. While the clear runs the
pane polls its progress; the report, grouped by day, and the backlog follow. A clear whose
worker died midway shows as "onderbroken" with "Afmaken", which finishes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BaseModel, Field

from automations.calamity import flows
from automations.calamity.models import (
    CANCEL_MESSAGE,
    CUSTOM,
    DECLINE_MESSAGE,
    WINDOWS,
    ClearGroup,
    by_day,
    group_of,
)
from automations.context import Actor
from automations.errors import NotFound
from server.deps import ClearGraph, FlowDeps, HandingOver, Me, SettingsDep, UserGraph
from server.fields import EventId, Mailbox, MailboxQuery, OperationId
from server.routes.calamity import RUNNING, clear_settings
from server.routes.pane import fragment

router = APIRouter(include_in_schema=False)

Others = Annotated[list[Mailbox], Field(default_factory=list, max_length=flows.MAX_GROUP - 1)]


class PreviewRequest(BaseModel):
    mailbox: Mailbox
    window: Literal["vanmiddag", "vandaag", "morgenochtend", "morgen", "week", "eigen"] = "vandaag"
    # "eigen": the pane's from–to fields (Dutch time, no zone) or the preview's own (with zone)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    also: Others  # the other executives she serves, ticked: cleared in the same go
    toggled: list[EventId] = Field(default_factory=list, max_length=500)


def _names(me: Actor, group: ClearGroup) -> dict[str, str]:
    return {r.mailbox: me.name(r.mailbox) for r in group.reports}


@router.post("/pane/agenda/leegmaken/voorbeeld", response_class=HTMLResponse)
async def clear_preview(
    request: Request, body: PreviewRequest, deps: FlowDeps, me: Me, graph: ClearGraph,
    settings: SettingsDep,
) -> HTMLResponse:  # fmt: skip
    start, end = flows.clear_window(deps, choice=body.window, start=body.start, end=body.end)
    also = [m for m in body.also if m.lower() != body.mailbox.lower()]
    if also:
        group = await flows.preview_clears(
            deps, graph, me, mailboxes=[body.mailbox, *also], start=start, end=end,
            settings=clear_settings(settings), toggled=body.toggled,
        )  # fmt: skip
    else:
        report = await flows.preview_clear(
            deps, graph, me, mailbox=body.mailbox, start=start, end=end,
            settings=clear_settings(settings), toggled=body.toggled,
        )  # fmt: skip
        group = group_of(report.operation_id, [report])
    return fragment(
        request, "views/leegmaken_voorbeeld.html", group=group, window=body.window,
        label=WINDOWS.get(body.window, "Eigen periode"), custom=body.window == CUSTOM,
        also=also, cancel_message=CANCEL_MESSAGE, decline_message=DECLINE_MESSAGE,
        start=start, end=end, names=_names(me, group), by_day=by_day,
    )  # fmt: skip


class ClearRequest(BaseModel):
    mailbox: Mailbox
    start: AwareDatetime
    end: AwareDatetime
    operation_id: OperationId
    also: Others
    toggled: list[EventId] = Field(default_factory=list, max_length=500)
    cancel_message: str = Field(min_length=1, max_length=4000)
    decline_message: str = Field(min_length=1, max_length=4000)
    calamity: str = Field(default="", max_length=400)


@router.post("/pane/agenda/leegmaken/uitvoeren", response_class=HTMLResponse)
async def clear_run(
    request: Request, body: ClearRequest, deps: FlowDeps, me: Me, graph: HandingOver,
    settings: SettingsDep,
) -> HTMLResponse:  # fmt: skip
    """The click: planned now, carried out by a worker; the pane follows the progress route
    until the report is final."""
    also = [m for m in body.also if m.lower() != body.mailbox.lower()]
    if also:
        group = await flows.start_clears(
            deps, graph, me, mailboxes=[body.mailbox, *also], start=body.start, end=body.end,
            settings=clear_settings(settings), operation_id=body.operation_id,
            toggled=body.toggled, cancel_message=body.cancel_message,
            decline_message=body.decline_message, calamity=body.calamity,
        )  # fmt: skip
    else:
        report = await flows.start_clear(
            deps, graph, me, mailbox=body.mailbox, start=body.start, end=body.end,
            settings=clear_settings(settings), operation_id=body.operation_id,
            toggled=body.toggled, cancel_message=body.cancel_message,
            decline_message=body.decline_message, calamity=body.calamity,
        )  # fmt: skip
        group = group_of(report.operation_id, [report])
    return fragment(request, "views/leegmaken_verslag.html", group=group,
                    final=group.status not in RUNNING, names=_names(me, group),
                    by_day=by_day)  # fmt: skip


PLANNING = '<p class="klein" role="status" data-testid="voortgang">Wordt voorbereid…</p>'


@router.get("/pane/agenda/leegmaken/{operation_id}/voortgang", response_class=HTMLResponse)
async def clear_progress(
    request: Request, operation_id: str, deps: FlowDeps, me: Me,
    ook: Annotated[list[Mailbox], Query(max_length=flows.MAX_GROUP)] = [],  # noqa: B006
) -> HTMLResponse:  # fmt: skip
    """Where the clear stands; ``ook`` names the executives of a clear of several."""
    try:
        if ook:
            group = await flows.clears_progress(deps, me, operation_id=operation_id,
                                                mailboxes=ook)  # fmt: skip
        else:
            report = await flows.clear_progress(deps, me, operation_id=operation_id)
            group = group_of(report.operation_id, [report])
    except NotFound:  # the pane polls from the click on; the clear is being planned
        return HTMLResponse(PLANNING)
    return fragment(request, "views/leegmaken_verslag.html", group=group,
                    final=group.status not in RUNNING, names=_names(me, group),
                    by_day=by_day)  # fmt: skip


@router.get("/pane/agenda/leegmaken/onderbroken", response_class=HTMLResponse)
async def clear_interrupted(
    request: Request, deps: FlowDeps, me: Me, mailbox: MailboxQuery
) -> HTMLResponse:
    """Her clears that stopped midway (the agenda pane shows them; redrawn on live events)."""
    reports = await flows.interrupted_clears(deps, me, mailbox=mailbox)
    return fragment(request, "views/leegmaken_onderbroken.html", interrupted=reports)


@router.post("/pane/agenda/leegmaken/{operation_id}/afmaken", response_class=HTMLResponse)
async def clear_resume(
    request: Request, operation_id: str, deps: FlowDeps, me: Me, graph: ClearGraph
) -> HTMLResponse:
    """Afmaken: finish an interrupted clear as it was planned (and those planned with it)."""
    report = await flows.resume_clear(deps, graph, me, operation_id=operation_id)
    group = group_of(report.operation_id, [report])
    return fragment(request, "views/leegmaken_verslag.html", group=group, final=True,
                    names=_names(me, group), by_day=by_day)  # fmt: skip


# --- Herplannen ------------------------------------------------------------------------------
@router.get("/pane/herplannen/inhoud", response_class=HTMLResponse)
async def backlog_view(
    request: Request, deps: FlowDeps, me: Me, mailbox: MailboxQuery
) -> HTMLResponse:
    entries = await flows.list_backlog(deps, me, mailbox=mailbox)
    return fragment(request, "views/herplannen.html", entries=entries)


@router.post("/pane/herplannen/{entry_id}/voorstellen", response_class=HTMLResponse)
async def backlog_slots(
    request: Request, entry_id: str, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    slots = await flows.propose_slots(deps, graph, me, entry_id=entry_id)
    return fragment(request, "views/herplannen_voorstellen.html", entry_id=entry_id, slots=slots)


class MomentRequest(BaseModel):
    start: AwareDatetime


@router.post("/pane/herplannen/{entry_id}/uitnodiging", response_class=HTMLResponse)
async def backlog_invitation(
    request: Request, entry_id: str, body: MomentRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """A tapped proposal: the invitation it would send, its text editable; nothing is sent."""
    invitation = await flows.draft_invitation(deps, me, entry_id=entry_id, start=body.start)
    return fragment(request, "views/herplannen_uitnodiging.html", invitation=invitation)


class PlanRequest(MomentRequest):
    subject: str | None = Field(default=None, max_length=400)
    text: str | None = Field(default=None, max_length=8000)


@router.post("/pane/herplannen/{entry_id}/inplannen", response_class=HTMLResponse)
async def backlog_plan(
    request: Request, entry_id: str, body: PlanRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """Versturen: the confirmed invitation goes out (once, however often clicked)."""
    entry = await flows.plan_entry(deps, graph, me, entry_id=entry_id, start=body.start,
                                   subject=body.subject, text=body.text)  # fmt: skip
    return fragment(request, "views/herplannen_uitkomst.html", entry=entry)


class DropRequest(BaseModel):
    reason: str = Field(max_length=2000)


@router.post("/pane/herplannen/{entry_id}/laten-vervallen", response_class=HTMLResponse)
async def backlog_drop(
    request: Request, entry_id: str, body: DropRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    entry = await flows.drop_entry(deps, me, entry_id=entry_id, reason=body.reason)
    return fragment(request, "views/herplannen_uitkomst.html", entry=entry)
