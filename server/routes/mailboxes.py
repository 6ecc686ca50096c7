"""The executives' mailboxes the signed-in user works in."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from automations.mailboxes.service import get_mailbox, list_mailboxes
from server.deps import CurrentUser, RosterDep, UserGraph

router = APIRouter(prefix="/api/v1", tags=["mailboxes"])


@router.get("/mailboxes", operation_id="list_mailboxes")
async def mailboxes(user: CurrentUser, roster: RosterDep, graph: UserGraph) -> dict[str, Any]:
    """The mailboxes I may open, with unread and total counts of their Inboxes."""
    found = await list_mailboxes(graph=graph, roster=roster, actor=user.upn)
    return {"mailboxes": [asdict(m) for m in found]}


@router.get("/mailboxes/{upn}", operation_id="get_mailbox")
async def mailbox(
    upn: str, user: CurrentUser, roster: RosterDep, graph: UserGraph
) -> dict[str, Any]:
    """One mailbox; 403 when the roster says I do not work for its owner."""
    return asdict(await get_mailbox(graph=graph, roster=roster, actor=user.upn, mailbox=upn))
