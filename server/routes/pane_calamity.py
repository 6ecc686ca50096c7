"""The pane's calamity clear (Agenda → Agenda leegmaken) and reschedule backlog (Herplannen).

The secretary picks a window ("rest of today", "today and tomorrow", "this week"), sees every
item with what will happen and why, unticks or ticks items, edits the messages, and clears.
While the clear runs the pane polls its progress; the report and the backlog follow. A clear
whose worker died midway shows as "onderbroken" with "Afmaken", which finishes it.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BaseModel, Field

from automations.calamity import flows
from automations.calamity.models import CANCEL_MESSAGE, DECLINE_MESSAGE, WINDOWS, window_for
from automations.errors import NotFound
from server.deps import ClearGraph, FlowDeps, Me, SettingsDep, UserGraph
from server.fields import EventId, Mailbox, MailboxQuery, OperationId
from server.routes.calamity import clear_settings
from server.routes.pane import fragment

router = APIRouter(include_in_schema=False)


class PreviewRequest(BaseModel):
    mailbox: Mailbox
    window: Literal["vandaag", "morgen", "week"] = "vandaag"
    toggled: list[EventId] = Field(default_factory=list, max_length=500)


@router.post("/pane/agenda/leegmaken/voorbeeld", response_class=HTMLResponse)
async def clear_preview(
    request: Request, body: PreviewRequest, deps: FlowDeps, me: Me, graph: ClearGraph,
    settings: SettingsDep,
) -> HTMLResponse:  # fmt: skip
    start, end = window_for(body.window, deps.local_now())
    report = await flows.preview_clear(
        deps, graph, me, mailbox=body.mailbox, start=start, end=end,
        settings=clear_settings(settings), toggled=body.toggled,
    )  # fmt: skip
    return fragment(
        request, "views/leegmaken_voorbeeld.html", report=report, window=body.window,
        windows=WINDOWS, cancel_message=CANCEL_MESSAGE, decline_message=DECLINE_MESSAGE,
        start=start, end=end, executive=me.name(body.mailbox),
    )  # fmt: skip


class ClearRequest(BaseModel):
    mailbox: Mailbox
    start: AwareDatetime
    end: AwareDatetime
    operation_id: OperationId
    toggled: list[EventId] = Field(default_factory=list, max_length=500)
    cancel_message: str = Field(min_length=1, max_length=4000)
    decline_message: str = Field(min_length=1, max_length=4000)
    calamity: str = Field(default="", max_length=400)


@router.post("/pane/agenda/leegmaken/uitvoeren", response_class=HTMLResponse)
async def clear_run(
    request: Request, body: ClearRequest, deps: FlowDeps, me: Me, graph: ClearGraph,
    settings: SettingsDep,
) -> HTMLResponse:  # fmt: skip
    report = await flows.execute_clear(
        deps, graph, me, mailbox=body.mailbox, start=body.start, end=body.end,
        settings=clear_settings(settings), operation_id=body.operation_id, toggled=body.toggled,
        cancel_message=body.cancel_message, decline_message=body.decline_message,
        calamity=body.calamity,
    )  # fmt: skip
    return fragment(request, "views/leegmaken_verslag.html", report=report, final=True)


@router.get("/pane/agenda/leegmaken/{operation_id}/voortgang", response_class=HTMLResponse)
async def clear_progress(
    request: Request, operation_id: str, deps: FlowDeps, me: Me
) -> HTMLResponse:
    try:
        report = await flows.clear_progress(deps, me, operation_id=operation_id)
    except NotFound:  # the pane polls from the click on; the clear is being planned
        return HTMLResponse('<p class="klein" role="status">Wordt voorbereid…</p>')
    return fragment(request, "views/leegmaken_verslag.html", report=report, final=False)


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
    """Afmaken: finish an interrupted clear as it was planned."""
    report = await flows.resume_clear(deps, graph, me, operation_id=operation_id)
    return fragment(request, "views/leegmaken_verslag.html", report=report, final=True)


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


class PlanRequest(BaseModel):
    start: AwareDatetime


@router.post("/pane/herplannen/{entry_id}/inplannen", response_class=HTMLResponse)
async def backlog_plan(
    request: Request, entry_id: str, body: PlanRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    entry = await flows.plan_entry(deps, graph, me, entry_id=entry_id, start=body.start)
    return fragment(request, "views/herplannen_uitkomst.html", entry=entry)


class DropRequest(BaseModel):
    reason: str = Field(max_length=2000)


@router.post("/pane/herplannen/{entry_id}/laten-vervallen", response_class=HTMLResponse)
async def backlog_drop(
    request: Request, entry_id: str, body: DropRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    entry = await flows.drop_entry(deps, me, entry_id=entry_id, reason=body.reason)
    return fragment(request, "views/herplannen_uitkomst.html", entry=entry)
