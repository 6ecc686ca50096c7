"""Laatste acties: today's operations in a mailbox, with undo where possible (API and pane).

The list lives in its own fragment on Bericht, so it outlasts a change of selection (Outlook
selects the next mail after a move) and a reload of the pane.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from automations.activity import flows
from server.deps import FlowDeps, Me, UserGraph
from server.fields import MAILBOX_PATTERN, OPERATION_PATTERN, Mailbox, OperationId
from server.routes.pane import Selected, fragment

router = APIRouter()

MailboxPath = Annotated[str, Path(min_length=3, max_length=320, pattern=MAILBOX_PATTERN)]
OperationPath = Annotated[str, Path(min_length=8, max_length=64, pattern=OPERATION_PATTERN)]


class RecentActionOut(BaseModel):
    operation_id: str
    kind: str
    actor: str
    who: str  # "ik" for the one asking, else the colleague's name
    at: str  # HH:MM, Amsterdam time
    what: str
    subjects: list[str]
    outcome: str
    status: str
    undoable: bool
    undone_by: str | None = None


class RecentActions(BaseModel):
    mailbox: str
    actions: list[RecentActionOut]


class UndoOut(BaseModel):
    messages: list[dict[str, Any]]


@router.get(
    "/api/v1/mailboxes/{mailbox}/recent", operation_id="list_recent_actions", tags=["mailboxes"]
)
async def recent(mailbox: MailboxPath, deps: FlowDeps, me: Me) -> RecentActions:
    """Today's operations in the mailbox, newest first, by me ("ik") and by colleagues."""
    found = await flows.recent_actions(deps, me, mailbox=mailbox)
    return RecentActions(
        mailbox=mailbox.lower(), actions=[RecentActionOut(**asdict(a)) for a in found]
    )


@router.post(
    "/api/v1/mailboxes/{mailbox}/recent/{operation_id}/undo",
    operation_id="undo_recent_action",
    tags=["mailboxes"],
)
async def undo(
    mailbox: MailboxPath, operation_id: OperationPath, deps: FlowDeps, me: Me, graph: UserGraph
) -> UndoOut:
    """Undo a quick step from the list, once (409 ``already_undone`` when it was undone
    already, by a colleague or another way in; her own second click gets the first result)."""
    results = await flows.undo_action(deps, graph, me, mailbox=mailbox, operation_id=operation_id)
    return UndoOut(messages=[asdict(r) for r in results])


@router.get("/pane/laatste-acties", response_class=HTMLResponse, include_in_schema=False)
async def recent_pane(request: Request, selected: Selected, deps: FlowDeps, me: Me) -> HTMLResponse:
    """The section "Laatste acties" (redrawn after each action and on the live events)."""
    found = await flows.recent_actions(deps, me, mailbox=selected.ctx.mailbox)
    return fragment(request, "views/laatste_acties.html", actions=found, undone=None)


class PaneUndo(BaseModel):
    mailbox: Mailbox
    operation_id: OperationId


@router.post(
    "/pane/laatste-acties/ongedaan-maken", response_class=HTMLResponse, include_in_schema=False
)
async def recent_undo_pane(
    request: Request, body: PaneUndo, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """Undo from the list; the list comes back with what was put back on top."""
    results = await flows.undo_action(deps, graph, me, mailbox=body.mailbox,
                                      operation_id=body.operation_id)  # fmt: skip
    found = await flows.recent_actions(deps, me, mailbox=body.mailbox)
    return fragment(request, "views/laatste_acties.html", actions=found, undone=results)
