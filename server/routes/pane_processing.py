"""The pane's Postverwerking: per executive the mail nobody has handled yet, "Gezien" on each
(or several), and what the team already handled with who did what; the team table's counts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.context import Actor, Deps
from automations.dates import AMSTERDAM
from automations.errors import AppError
from automations.graph import GraphSession
from automations.plural import counted
from automations.processing import flows
from automations.processing.models import SeenOutcome
from server.deps import FlowDeps, Me, UserGraph
from server.fields import ItemId, Mailbox, MailboxQuery, OperationId
from server.routes.pane import Selected, fragment

router = APIRouter(include_in_schema=False)
Since = Literal["", "vandaag", "gisteren", "week"]
SINCE_LABELS = {"": "Sinds begin werkdag of mijn vorige keer", "vandaag": "Vandaag",
                "gisteren": "Sinds gisteren", "week": "Afgelopen 7 dagen"}  # fmt: skip


class ViewState(BaseModel):
    """What she chose to see; every click sends it, so the redraw keeps it."""

    executive: Mailbox | Literal[""] = ""  # "" is the mailbox the pane is in, or the first
    vanaf: Since = ""


def _since(deps: Deps, vanaf: str) -> dt.datetime | None:
    today = deps.today()
    starts = {"vandaag": today, "gisteren": today - dt.timedelta(days=1),
              "week": today - dt.timedelta(days=7)}  # fmt: skip
    if vanaf not in starts:
        return None
    return dt.datetime.combine(starts[vanaf], dt.time(), AMSTERDAM).astimezone(dt.UTC)


def _executive(
    me: Actor, state: ViewState, pane_mailbox: str | None
) -> tuple[str | None, list[str]]:
    boxes = flows.working_in(me)
    if state.executive:
        flows.working_in(me, state.executive)  # checked: a clear 403 naming her
        return state.executive.lower(), boxes
    if pane_mailbox and pane_mailbox.lower() in boxes:
        return pane_mailbox.lower(), boxes
    return (boxes[0] if boxes else None), boxes


def _notice(found: SeenOutcome, names: dict[str, str], *, undo: bool) -> str:
    if undo:
        return f"{counted(len(found.marked), 'bericht', 'berichten')} weer open."
    parts = (
        [f"{counted(len(found.marked), 'bericht', 'berichten')} gezien."] if found.marked else []
    )
    for by in sorted(set(found.already.values())):
        n = sum(1 for b in found.already.values() if b == by)
        parts.append(f"{counted(n, 'bericht was', 'berichten waren')} al gezien door "
                     f"{names.get(by, by)}.")  # fmt: skip
    return " ".join(parts)


async def _render(
    request: Request, deps: Deps, graph: GraphSession, me: Actor, state: ViewState,
    pane_mailbox: str | None, notice: str | None = None,
) -> HTMLResponse:  # fmt: skip
    executive, boxes = _executive(me, state, pane_mailbox)
    found = None
    if executive is not None:
        found = await flows.unhandled(deps, graph, me, mailbox=executive,
                                      since=_since(deps, state.vanaf))  # fmt: skip
    return fragment(
        request, "views/postverwerking.html", found=found, boxes=boxes, executive=executive,
        state=state, names=me.roster.names, notice=notice, labels=SINCE_LABELS,
        today=deps.today(), amsterdam=AMSTERDAM,
    )  # fmt: skip


@router.get("/pane/postverwerking/inhoud", response_class=HTMLResponse)
async def processing_view(
    request: Request, selected: Selected, deps: FlowDeps, me: Me, graph: UserGraph,
    state: Annotated[ViewState, Query()],
) -> HTMLResponse:  # fmt: skip
    return await _render(request, deps, graph, me, state, selected.ctx.mailbox)


class SeenRequest(ViewState):
    message_ids: list[ItemId] = Field(min_length=1, max_length=flows.MAX_SEEN)
    operation_id: OperationId
    mailbox: Mailbox | None = None  # the pane's own (the selection)


@router.post("/pane/postverwerking/gezien", response_class=HTMLResponse)
async def processing_seen(
    request: Request, body: SeenRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    executive, _ = _executive(me, body, body.mailbox)
    if executive is None:
        raise AppError("U werkt voor geen bestuurder.", code="bad_request", status=400)
    found = await flows.mark_seen(deps, me, mailbox=executive, message_ids=body.message_ids,
                                  operation_id=body.operation_id)  # fmt: skip
    notice = _notice(found, me.roster.names, undo=False)
    return await _render(request, deps, graph, me, body, body.mailbox, notice)


@router.post("/pane/postverwerking/terug", response_class=HTMLResponse)
async def processing_unseen(
    request: Request, body: SeenRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    executive, _ = _executive(me, body, body.mailbox)
    if executive is None:
        raise AppError("U werkt voor geen bestuurder.", code="bad_request", status=400)
    found = await flows.unmark_seen(deps, me, mailbox=executive, message_ids=body.message_ids,
                                    operation_id=body.operation_id)  # fmt: skip
    notice = _notice(found, me.roster.names, undo=True)
    return await _render(request, deps, graph, me, body, body.mailbox, notice)


@router.get("/pane/postverwerking/telling", response_class=HTMLResponse)
async def processing_count_cell(
    request: Request, deps: FlowDeps, me: Me, graph: UserGraph, executive: MailboxQuery
) -> HTMLResponse:
    """The team table's cell: how many of her mails nobody has handled (— when Graph cannot
    be asked: the Werkvoorraad itself never waits on it)."""
    try:
        found = (await flows.counts(deps, graph, me, executive=executive))[executive.lower()]
    except AppError:
        found = None
    return fragment(request, "views/postverwerking_telling.html", count=found,
                    executive=executive.lower(), names=me.roster.names)  # fmt: skip
