"""Dispatches (uitzetten): what is out with which department, answers, reminders."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from automations.dispatch.service import check_answers, list_dispatches, remind
from automations.roster.policy import Action, authorize, may
from server.deps import CurrentUser, RosterDep, SessionDep, SessionsDep, Today, UserGraph

router = APIRouter(prefix="/api/v1/dispatches", tags=["dispatches"])

MailboxQuery = Annotated[str | None, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]


class RemindRequest(BaseModel):
    operation_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")


@router.get("", operation_id="list_dispatches")
async def dispatches(
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    today: Today,
    mailbox: MailboxQuery = None,
    status: Literal["open", "answered", "overdue"] | None = None,
    message: Annotated[str | None, Query(max_length=512)] = None,
) -> dict[str, Any]:
    """Dispatches in the mailboxes I work in (or one of them), deadline first."""
    if mailbox:
        authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
        mailboxes = [mailbox]
    else:
        everyone = list(roster.roles)
        mailboxes = [m for m in everyone if may(roster, user.upn, Action.ACT_ON_MAILBOX, m)]
    found = await list_dispatches(
        session, mailboxes=mailboxes, today=today, status=status, message_id=message
    )
    return {"dispatches": [asdict(d) for d in found]}


@router.post("/check", operation_id="check_dispatch_answers")
async def check(
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    mailbox: Annotated[str, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")],
) -> dict[str, Any]:
    """Look for answers from departments (Graph delta: cheap when nothing arrived)."""
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
    return {"answered": await check_answers(graph, sessions, mailbox)}


@router.post("/{dispatch_id}/remind", operation_id="remind_dispatch")
async def send_reminder(
    dispatch_id: str,
    body: RemindRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
) -> dict[str, Any]:
    """One reminder per click (the click's operation id), in the same conversation."""
    found = await remind(
        graph,
        sessions,
        roster=roster,
        dispatch_id=dispatch_id,
        actor=user.upn,
        operation_id=body.operation_id,
    )
    return asdict(found)
