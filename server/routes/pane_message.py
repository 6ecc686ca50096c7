"""The pane's Bericht: the selected mail, its quick steps (preview, apply, undo), what was
dispatched from it and who works on it; with several messages selected (item multi-select),
the selection and the quick steps on all of them as one operation."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.dispatch import flows as dispatch_flows
from automations.errors import BadRequest, NotFound
from automations.mailboxes.reading import get_message
from automations.queue import flows as queue_flows
from automations.quicksteps import flows
from automations.replies.service import DOCUMENT as REPLY_TEMPLATES
from server.deps import CurrentUser, FlowDeps, KeepDelegation, Me, RosterDep, Today, UserGraph
from server.fields import ItemId, Mailbox, OperationId
from server.routes.pane import Selected, fragment, pane_context
from server.waiting import waited

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

BODY_LIMIT = 4000  # characters of mail text shown in a 320 px pane; the rest stays in Outlook
MAX_SELECTED = 100  # Outlook's item multi-select gives at most 100 messages


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


class SelectedMessage(BaseModel):
    """One message of the selection as Office.js gives it (``getSelectedItemsAsync``)."""

    id: ItemId
    subject: str = Field(default="", max_length=1000)


class SelectionRequest(BaseModel):
    mailbox: Mailbox
    messages: list[SelectedMessage] = Field(min_length=1, max_length=MAX_SELECTED)


@router.post("/pane/bericht/inhoud", response_class=HTMLResponse)
async def selection_view(
    request: Request, body: SelectionRequest, deps: FlowDeps, me: Me, user: CurrentUser,
    roster: RosterDep, today: Today,
) -> HTMLResponse:  # fmt: skip
    """Several messages selected: which (their subjects, as Outlook gave them), the quick
    steps that work on all of them at once, and "gezien", "Ik pak deze op" and "Naar
    vergadermap" (``pane_selection``)."""
    ctx = pane_context(user, roster, body.mailbox, today)  # may she work in this mailbox
    try:
        steps = (await flows.list_steps(deps, me)).steps
    except NotFound:
        steps = []
    return fragment(
        request, "views/selectie.html", ctx=ctx, messages=body.messages, steps=steps,
        max_messages=flows.MAX_MESSAGES, labels={m.id: m.subject for m in body.messages},
        may_file=me.roster.role(me.upn) in ("secretary", "admin"),
    )  # fmt: skip


@router.post("/pane/selectie/voorbeeld", response_class=HTMLResponse)
async def selection_preview(
    request: Request, body: StepRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """One preview for the whole selection: each message and what the step does to it."""
    found = await flows.preview_step(deps, graph, me, mailbox=body.mailbox, step=body.step,
                                     messages=body.messages, choices=body.choices)  # fmt: skip
    return fragment(request, "views/selectie_voorbeeld.html", preview=found,
                    operation_id=str(uuid.uuid4()))  # fmt: skip


def _nothing_done(results: list[Any]) -> list[str]:  # flows.apply_step's results
    """The messages of which no action was done: those can be tried again as they are (one
    partly done would repeat what was done, a forward or a sent mail among it)."""
    return [r.id for r in results if r.actions and all(a.status != "done" for a in r.actions)]


# How long the pane's click waits for a handed-over apply (fragmenten.js waits longer).
PANE_WAIT_S = 45.0


@router.post("/pane/selectie/toepassen", response_class=HTMLResponse)
async def selection_apply(
    request: Request, body: StepRequest, deps: FlowDeps, me: Me, graph: UserGraph,
    keep: KeepDelegation,
) -> HTMLResponse:  # fmt: skip
    """The step on every selected message as one journaled operation (one id, one undo),
    carried out by a worker (it survives this instance); the answer waits for its outcome
    per message while the pane shows the count, with a new try for the messages on which
    nothing was done. Sent again (a lost answer), it finds the same operation."""
    if body.operation_id is None:
        raise BadRequest("Bekijk eerst wat de snelle stap doet.")
    await keep()
    await flows.start_step(
        deps, graph, me, mailbox=body.mailbox, step=body.step, messages=body.messages,
        operation_id=body.operation_id, choices=body.choices, despite_claim=body.despite_claim,
    )  # fmt: skip
    results = await waited(
        lambda: flows.step_outcome(deps, me, operation_id=body.operation_id or ""),
        lambda found: found is not None, PANE_WAIT_S,
    )  # fmt: skip
    if results is None:
        return fragment(request, "views/selectie_bezig_op_achtergrond.html", step=body.step)
    return fragment(
        request, "views/selectie_uitkomst.html", step=body.step, results=results,
        operation_id=body.operation_id, undoable=flows.can_undo(results),
        retry=_nothing_done(results), choices=body.choices,
    )  # fmt: skip


@router.get("/pane/selectie/voortgang", response_class=HTMLResponse)
async def selection_progress(
    request: Request, operation_id: Annotated[str, Query(min_length=1, max_length=64)],
    deps: FlowDeps, me: Me,
) -> HTMLResponse:  # fmt: skip
    """The line under the preview while "Toepassen" runs: how many messages are done."""
    found = await flows.apply_progress(deps, me, operation_id=operation_id)
    return fragment(request, "views/selectie_voortgang.html", progress=found)


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
