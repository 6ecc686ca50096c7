"""Calamity clear (agenda leegmaken) and the reschedule backlog (herplannen)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from automations.calamity import backlog
from automations.calamity.classify import ClearSettings
from automations.calamity.clear import CANCEL_MESSAGE, DECLINE_MESSAGE, execute, preview, report_of
from automations.errors import NotFound
from automations.journal.errors import OperationNotFound
from automations.roster.policy import Action, authorize, may
from server.deps import (
    ClearGraph,
    CurrentUser,
    JournalDep,
    Now,
    RosterDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    UserGraph,
)
from server.settings import Settings

router = APIRouter(tags=["calamity"])

Mailbox = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
EventId = Annotated[str, Field(min_length=1, max_length=512)]
OperationId = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")]


class Window(BaseModel):
    mailbox: Mailbox
    start: AwareDatetime
    end: AwareDatetime
    # Items whose decision the secretary flipped: kept ones to clear, cleared ones to keep.
    toggled: list[EventId] = Field(default_factory=list, max_length=500)


class ClearRequest(Window):
    operation_id: OperationId  # from the preview: a second click resumes, never repeats
    cancel_message: str = Field(default=CANCEL_MESSAGE, min_length=1, max_length=4000)
    decline_message: str = Field(default=DECLINE_MESSAGE, min_length=1, max_length=4000)
    calamity: str = Field(default="", max_length=400)  # what happened, for the backlog


class PlanRequest(BaseModel):
    start: AwareDatetime


class DropRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def clear_settings(settings: Settings) -> ClearSettings:
    return ClearSettings(
        keep_categories=tuple(settings.calamity_keep_categories),
        remove_appointments=settings.calamity_remove_appointments,
    )


@router.post("/api/v1/calamity/preview", operation_id="preview_calamity_clear")
async def preview_clear(
    body: Window,
    user: CurrentUser,
    roster: RosterDep,
    graph: ClearGraph,
    settings: SettingsDep,
    journal: JournalDep,
) -> dict[str, Any]:
    """What clearing the window would do to each item (nothing changes)."""
    report = await preview(
        graph,
        roster=roster,
        actor=user.upn,
        mailbox=body.mailbox,
        start=body.start,
        end=body.end,
        settings=clear_settings(settings),
        toggled=body.toggled,
        journal=journal,
    )
    return asdict(report)


@router.post("/api/v1/calamity/execute", operation_id="execute_calamity_clear")
async def execute_clear(
    body: ClearRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    journal: JournalDep,
    graph: ClearGraph,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Cancel, decline and remove as previewed; again under the same id finishes the rest."""
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
    return asdict(report)


@router.get("/api/v1/calamity/{operation_id}", operation_id="get_calamity_clear")
async def progress(
    operation_id: str, user: CurrentUser, roster: RosterDep, journal: JournalDep
) -> dict[str, Any]:
    """Where a clear stands, item by item (the pane polls this while it runs)."""
    try:
        op = await journal.get(operation_id)
    except OperationNotFound:
        raise NotFound("Deze operatie bestaat niet.") from None
    if op.kind != "calamity.clear":
        raise NotFound("Deze operatie bestaat niet.")
    authorize(roster, user.upn, Action.CLEAR_AGENDA, op.mailbox)
    return asdict(report_of(op))


@router.get("/api/v1/backlog", operation_id="list_backlog")
async def list_backlog(
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    mailbox: Annotated[str | None, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] = None,
    status: Literal["open", "planned", "dropped"] | None = "open",
) -> dict[str, Any]:
    """What waits to be planned again, in the mailboxes I work in (or one of them)."""
    if mailbox:
        authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
        mailboxes = [mailbox]
    else:
        mailboxes = [m for m in roster.roles if may(roster, user.upn, Action.ACT_ON_MAILBOX, m)]
    found = await backlog.list_backlog(session, mailboxes=mailboxes, status=status)
    return {"backlog": [asdict(e) for e in found]}


@router.post("/api/v1/backlog/{entry_id}/proposals", operation_id="propose_backlog_slots")
async def proposals(
    entry_id: str,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    now: Now,
) -> dict[str, Any]:
    """Free moments for the executive and the original attendees (findMeetingTimes)."""
    slots = await backlog.propose(
        graph, sessions, roster=roster, actor=user.upn, entry_id=entry_id, now=now
    )
    return {"slots": [asdict(s) for s in slots]}


@router.post("/api/v1/backlog/{entry_id}/plan", operation_id="replan_backlog_entry")
async def plan(
    entry_id: str,
    body: PlanRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
) -> dict[str, Any]:
    """Invite the original attendees at the chosen moment (once, however often clicked)."""
    entry = await backlog.replan(
        graph, sessions, roster=roster, actor=user.upn, entry_id=entry_id, start=body.start
    )
    return asdict(entry)


@router.post("/api/v1/backlog/{entry_id}/drop", operation_id="drop_backlog_entry")
async def drop(
    entry_id: str, body: DropRequest, user: CurrentUser, roster: RosterDep, sessions: SessionsDep
) -> dict[str, Any]:
    entry = await backlog.drop(
        sessions, roster=roster, actor=user.upn, entry_id=entry_id, reason=body.reason
    )
    return asdict(entry)


__all__ = ["clear_settings", "router"]
