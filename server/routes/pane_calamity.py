"""The pane's calamity clear (Agenda → Agenda leegmaken) and reschedule backlog (Herplannen).

The secretary picks a window ("rest of today", "today and tomorrow", "this week"), sees every
item with what will happen and why, unticks or ticks items, edits the messages, and clears.
While the clear runs the pane polls its progress; the report and the backlog follow.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BaseModel, Field

from automations.calamity import backlog
from automations.calamity.clear import CANCEL_MESSAGE, DECLINE_MESSAGE, execute, preview, report_of
from automations.dates import AMSTERDAM
from automations.errors import NotFound
from automations.journal.errors import OperationNotFound
from automations.roster.policy import Action, authorize
from server.deps import (
    ClearGraph,
    CurrentUser,
    JournalDep,
    Now,
    RosterDep,
    SessionsDep,
    SettingsDep,
    UserGraph,
)
from server.routes.calamity import clear_settings
from server.routes.pane import fragment

router = APIRouter(include_in_schema=False)

MailboxField = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
EventId = Annotated[str, Field(min_length=1, max_length=512)]
WINDOWS = {
    "vandaag": "Rest van vandaag",
    "morgen": "Vandaag en morgen",
    "week": "Deze week",
}


def window_of(choice: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From now until the end of today, of tomorrow, or of Sunday."""
    now = now.astimezone(AMSTERDAM).replace(second=0, microsecond=0)
    days = {"vandaag": 0, "morgen": 1, "week": 6 - now.weekday()}[choice]
    end = dt.datetime.combine(now.date() + dt.timedelta(days=days + 1), dt.time(), AMSTERDAM)
    return now, end


class PreviewRequest(BaseModel):
    mailbox: MailboxField
    window: Literal["vandaag", "morgen", "week"] = "vandaag"
    toggled: list[EventId] = Field(default_factory=list, max_length=500)


@router.post("/pane/agenda/leegmaken/voorbeeld", response_class=HTMLResponse)
async def clear_preview(
    request: Request,
    body: PreviewRequest,
    user: CurrentUser,
    roster: RosterDep,
    graph: ClearGraph,
    journal: JournalDep,
    settings: SettingsDep,
    now: Now,
) -> HTMLResponse:
    start, end = window_of(body.window, now)
    report = await preview(
        graph,
        roster=roster,
        actor=user.upn,
        mailbox=body.mailbox,
        start=start,
        end=end,
        settings=clear_settings(settings),
        toggled=body.toggled,
        journal=journal,
    )
    return fragment(
        request,
        "views/leegmaken_voorbeeld.html",
        report=report,
        window=body.window,
        windows=WINDOWS,
        cancel_message=CANCEL_MESSAGE,
        decline_message=DECLINE_MESSAGE,
        start=start,
        end=end,
        executive=roster.names.get(body.mailbox.lower(), body.mailbox),
    )


class ClearRequest(BaseModel):
    mailbox: MailboxField
    start: AwareDatetime
    end: AwareDatetime
    operation_id: str = Field(pattern=r"^[A-Za-z0-9\-_]{8,64}$")
    toggled: list[EventId] = Field(default_factory=list, max_length=500)
    cancel_message: str = Field(min_length=1, max_length=4000)
    decline_message: str = Field(min_length=1, max_length=4000)
    calamity: str = Field(default="", max_length=400)


@router.post("/pane/agenda/leegmaken/uitvoeren", response_class=HTMLResponse)
async def clear_run(
    request: Request,
    body: ClearRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    journal: JournalDep,
    graph: ClearGraph,
    settings: SettingsDep,
) -> HTMLResponse:
    report = await execute(
        graph,
        sessions,
        journal,
        roster=roster,
        actor=user.upn,
        mailbox=body.mailbox,
        start=body.start,
        end=body.end,
        settings=clear_settings(settings),
        operation_id=body.operation_id,
        toggled=body.toggled,
        cancel_message=body.cancel_message,
        decline_message=body.decline_message,
        calamity=body.calamity,
    )
    return fragment(request, "views/leegmaken_verslag.html", report=report, final=True)


@router.get("/pane/agenda/leegmaken/{operation_id}/voortgang", response_class=HTMLResponse)
async def clear_progress(
    request: Request, operation_id: str, user: CurrentUser, roster: RosterDep, journal: JournalDep
) -> HTMLResponse:
    try:
        op = await journal.get(operation_id)
    except OperationNotFound:
        return HTMLResponse('<p class="klein" role="status">Wordt voorbereid…</p>')
    if op.kind != "calamity.clear":
        raise NotFound("Deze operatie bestaat niet.")
    authorize(roster, user.upn, Action.CLEAR_AGENDA, op.mailbox)
    return fragment(request, "views/leegmaken_verslag.html", report=report_of(op), final=False)


# --- Herplannen ------------------------------------------------------------------------------
@router.get("/pane/herplannen/inhoud", response_class=HTMLResponse)
async def backlog_view(
    request: Request,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    mailbox: Annotated[str, Query(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")],
) -> HTMLResponse:
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
    async with sessions() as session:
        entries = await backlog.list_backlog(session, mailboxes=[mailbox])
    return fragment(request, "views/herplannen.html", entries=entries)


@router.post("/pane/herplannen/{entry_id}/voorstellen", response_class=HTMLResponse)
async def backlog_slots(
    request: Request,
    entry_id: str,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    now: Now,
) -> HTMLResponse:
    slots = await backlog.propose(
        graph, sessions, roster=roster, actor=user.upn, entry_id=entry_id, now=now
    )
    return fragment(request, "views/herplannen_voorstellen.html", entry_id=entry_id, slots=slots)


class PlanRequest(BaseModel):
    start: AwareDatetime


@router.post("/pane/herplannen/{entry_id}/inplannen", response_class=HTMLResponse)
async def backlog_plan(
    request: Request,
    entry_id: str,
    body: PlanRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
) -> HTMLResponse:
    entry = await backlog.replan(
        graph, sessions, roster=roster, actor=user.upn, entry_id=entry_id, start=body.start
    )
    return fragment(request, "views/herplannen_uitkomst.html", entry=entry)


class DropRequest(BaseModel):
    reason: str = Field(max_length=2000)


@router.post("/pane/herplannen/{entry_id}/laten-vervallen", response_class=HTMLResponse)
async def backlog_drop(
    request: Request,
    entry_id: str,
    body: DropRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
) -> HTMLResponse:
    entry = await backlog.drop(
        sessions, roster=roster, actor=user.upn, entry_id=entry_id, reason=body.reason
    )
    return fragment(request, "views/herplannen_uitkomst.html", entry=entry)
