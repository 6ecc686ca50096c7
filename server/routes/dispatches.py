"""Dispatches (uitzetten): what is out with which department, answers, reminders."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from automations.dispatch import flows
from server.deps import FlowDeps, Me, UserGraph
from server.fields import MailboxQuery, OperationId, OptionalMailboxQuery

router = APIRouter(prefix="/api/v1/dispatches", tags=["dispatches"])


class RemindRequest(BaseModel):
    operation_id: OperationId


@router.get("", operation_id="list_dispatches")
async def dispatches(
    deps: FlowDeps,
    me: Me,
    mailbox: OptionalMailboxQuery = None,
    status: Literal["open", "answered", "overdue"] | None = None,
    message: Annotated[str | None, Query(max_length=512)] = None,
) -> dict[str, Any]:
    """Dispatches in the mailboxes I work in (or one of them), deadline first."""
    found = await flows.list_dispatches(deps, me, mailbox=mailbox, status=status,
                                        message_id=message)  # fmt: skip
    return {"dispatches": [asdict(d) for d in found]}


@router.post("/check", operation_id="check_dispatch_answers")
async def check(deps: FlowDeps, me: Me, graph: UserGraph, mailbox: MailboxQuery) -> dict[str, Any]:
    """Look for answers from departments (Graph delta: cheap when nothing arrived)."""
    return {"answered": await flows.check_answers(deps, graph, me, mailbox=mailbox)}


@router.post("/{dispatch_id}/remind", operation_id="remind_dispatch")
async def send_reminder(
    dispatch_id: str, body: RemindRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """One reminder per click (the click's operation id), in the same conversation."""
    found = await flows.remind(deps, graph, me, dispatch_id=dispatch_id,
                               operation_id=body.operation_id)  # fmt: skip
    return asdict(found)
