"""The pane's Bericht: the selected mail, its quick steps (preview, apply, undo), what was
dispatched from it and who works on it."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.dispatch import flows as dispatch_flows
from automations.errors import BadRequest, NotFound
from automations.mailboxes.reading import get_message
from automations.queue import flows as queue_flows
from automations.quicksteps import flows
from automations.replies.service import DOCUMENT as REPLY_TEMPLATES
from server.deps import FlowDeps, Me, UserGraph
from server.fields import ItemId, Mailbox, OperationId
from server.routes.pane import Selected, fragment

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

BODY_LIMIT = 4000  # characters of mail text shown in a 320 px pane; the rest stays in Outlook


@router.get("/pane/bericht/inhoud", response_class=HTMLResponse)
async def message_view(
    request: Request, selected: Selected, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    message = held = None
    mailbox = selected.ctx.mailbox
    if selected.item and selected.type != "appointment":
        message = await get_message(graph=graph, roster=me.roster, actor=me.upn,
                                    mailbox=mailbox, message_id=selected.item)  # fmt: skip
    body = message.body.strip() if message else ""
    steps: list[Any] = []
    dispatched: list[Any] = []
    reply_templates: list[Any] = []
    if message is not None:
        try:
            steps = (await flows.list_steps(deps, me)).steps
        except NotFound:
            steps = []
        async with deps.sessions() as session:
            replies = await REPLY_TEMPLATES.active(session)
        if replies is not None and not message.is_draft:
            reply_templates = replies.parsed.templates
        dispatched = await dispatch_flows.dispatches_of_message(
            deps, graph, me, mailbox=mailbox, message_id=message.id
        )
        held = await queue_flows.holder_of_message(deps, me, mailbox=mailbox,
                                                   message_id=message.id)  # fmt: skip
    return fragment(
        request, "views/bericht.html", ctx=selected.ctx, message=message,
        body=body[:BODY_LIMIT], truncated=len(body) > BODY_LIMIT, steps=steps,
        dispatched=dispatched, reply_templates=reply_templates,
        may_file=message is not None and me.roster.role(me.upn) in ("secretary", "admin"),
        held=held, message_id=message.id if message else "", user=me.upn,
        names=me.roster.names, ask=False,
    )  # fmt: skip


class StepRequest(BaseModel):
    mailbox: Mailbox
    step: str = Field(min_length=1, max_length=80)
    messages: list[ItemId] = Field(min_length=1, max_length=flows.MAX_MESSAGES)
    operation_id: OperationId | None = None
    choices: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=80)]] = (
        Field(default_factory=dict, max_length=5)
    )
    despite_claim: bool = False  # she was told a colleague works on it and goes ahead


@router.post("/pane/snelle-stappen/voorbeeld", response_class=HTMLResponse)
async def step_preview(
    request: Request, body: StepRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """What the step will do to the selected message(s), with the button that does it."""
    found = await flows.preview_step(deps, graph, me, mailbox=body.mailbox, step=body.step,
                                     messages=body.messages, choices=body.choices)  # fmt: skip
    return fragment(
        request, "views/stap_voorbeeld.html", preview=found, operation_id=str(uuid.uuid4())
    )


@router.post("/pane/snelle-stappen/toepassen", response_class=HTMLResponse)
async def step_apply(
    request: Request, body: StepRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """Apply; the operation id came with the preview, so a second click changes nothing."""
    if body.operation_id is None:
        raise BadRequest("Bekijk eerst wat de snelle stap doet.")
    results = await flows.apply_step(
        deps, graph, me, mailbox=body.mailbox, step=body.step, messages=body.messages,
        operation_id=body.operation_id, choices=body.choices, despite_claim=body.despite_claim,
    )  # fmt: skip
    undoable = flows.can_undo(results)
    return fragment(request, "views/stap_uitkomst.html", step=body.step, results=results,
                    operation_id=body.operation_id, undoable=undoable)  # fmt: skip


class UndoRequest(BaseModel):
    operation_id: OperationId
    undo_operation_id: OperationId


@router.post("/pane/snelle-stappen/ongedaan-maken", response_class=HTMLResponse)
async def step_undo(
    request: Request, body: UndoRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    results = await flows.undo_step(deps, graph, me, operation_id=body.operation_id,
                                    undo_id=body.undo_operation_id)  # fmt: skip
    return fragment(request, "views/stap_ongedaan.html", results=results)


class ReminderRequest(BaseModel):
    operation_id: OperationId


@router.post("/pane/uitzettingen/{dispatch_id}/herinneren", response_class=HTMLResponse)
async def dispatch_reminder(
    request: Request, dispatch_id: str, body: ReminderRequest, deps: FlowDeps, me: Me,
    graph: UserGraph,
) -> HTMLResponse:  # fmt: skip
    """One reminder to the department (the click's operation id keeps it to one)."""
    found = await dispatch_flows.remind(deps, graph, me, dispatch_id=dispatch_id,
                                        operation_id=body.operation_id)  # fmt: skip
    return fragment(request, "views/herinnering.html", dispatch=found)
