"""What works on several selected messages besides a quick step (that is ``pane_message``):
"Gezien" (and its undo), "Ik pak deze op", and the attachments of all of them into one agenda
item (``pane_meetings``' picker, sent the selection). Parse, call the flows, render the
outcome per message under the subject Outlook gave."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.processing import flows as processing
from automations.queue import flows as queue
from server.deps import FlowDeps, Me, UserGraph
from server.fields import ItemId, Mailbox, OperationId
from server.routes.pane import fragment

router = APIRouter(include_in_schema=False)

Subject = Annotated[str, Field(max_length=1000)]


class Selection(BaseModel):
    mailbox: Mailbox
    messages: list[ItemId] = Field(min_length=1, max_length=processing.MAX_SEEN)
    # The subjects as Outlook gave them (getSelectedItemsAsync), to name each message.
    labels: dict[ItemId, Subject] = Field(default_factory=dict, max_length=processing.MAX_SEEN)


class SeenSelection(Selection):
    operation_id: OperationId


@router.post("/pane/selectie/gezien", response_class=HTMLResponse)
async def selection_seen(
    request: Request, body: SeenSelection, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """ "Gezien, niets te doen" on every selected message: one operation, per message whether
    it is hers now or a colleague had it already; one undo."""
    found = await processing.mark_selected_seen(
        deps, graph, me, mailbox=body.mailbox, message_ids=body.messages,
        operation_id=body.operation_id,
    )  # fmt: skip
    return fragment(request, "views/selectie_gezien.html", found=found, labels=body.labels,
                    names=me.roster.names, undone=False)  # fmt: skip


@router.post("/pane/selectie/gezien/terug", response_class=HTMLResponse)
async def selection_unseen(
    request: Request, body: SeenSelection, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    found = await processing.mark_selected_seen(
        deps, graph, me, mailbox=body.mailbox, message_ids=body.messages,
        operation_id=body.operation_id, undo=True,
    )  # fmt: skip
    return fragment(request, "views/selectie_gezien.html", found=found, labels=body.labels,
                    names=me.roster.names, undone=True)  # fmt: skip


class ClaimSelection(Selection):
    take_over: bool = False


@router.post("/pane/selectie/oppakken", response_class=HTMLResponse)
async def selection_pick_up(
    request: Request, body: ClaimSelection, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """ "Ik pak deze op": the free ones are hers; those a colleague works on are named, with
    "Toch overnemen" for just those."""
    found = await queue.claim_messages(deps, me, mailbox=body.mailbox, message_ids=body.messages,
                                       take_over=body.take_over)  # fmt: skip
    return fragment(request, "views/selectie_bezig.html", found=found, labels=body.labels,
                    names=me.roster.names, asked=body.messages)  # fmt: skip
