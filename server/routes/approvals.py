"""Reply drafts and their approval: prepare, ask, and the executive's decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from automations.replies import flows
from server.deps import FlowDeps, Me, SettingsDep, UserGraph
from server.fields import ItemId, Mailbox, MailboxQuery, OperationId, OptionalMailboxQuery

router = APIRouter(tags=["approvals"])

Html = Annotated[str, Field(min_length=1, max_length=200_000)]
Note = Annotated[str, Field(max_length=4000)]
Status = Literal[
    "open", "waiting", "sending", "sent", "rejected", "deleted", "sent_elsewhere", "revised"
]


class DraftRequest(BaseModel):
    mailbox: Mailbox
    message: ItemId
    # One id per click: a retry or double click finds the draft this click made.
    operation_id: OperationId
    template: str | None = Field(default=None, min_length=1, max_length=80)
    html: Html | None = None  # the (edited) text; without it the template's text
    reply_all: bool | None = None  # default: as the template says
    attachments: list[ItemId] = Field(default_factory=list, max_length=20)
    request_approval: bool = False
    note: Note = ""
    despite_claim: bool = False  # a colleague works on this mail: 409 "claimed" unless set


class ApprovalRequest(BaseModel):
    mailbox: Mailbox
    draft: ItemId
    message: ItemId
    operation_id: OperationId
    note: Note = ""


class ApproveRequest(BaseModel):
    operation_id: OperationId
    # The draft version the executive saw (from GET /approvals/{id}); without it, the version
    # approval was asked for.
    change_key: str | None = Field(default=None, min_length=1, max_length=200)
    html: Html | None = None  # edit and send: this text replaces the draft's body


class RejectRequest(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)


class ResubmitRequest(BaseModel):
    # One id per click: a retry or double click finds the request this click made.
    operation_id: OperationId
    note: Note = ""  # for the executive; default: the earlier request's note
    html: Html | None = None  # the revised text; without it, the draft as revised in Outlook
    # The draft version the revision was made on (from GET /approvals/{id}); with ``html``,
    # refused (409 draft_changed) when the draft changed since.
    change_key: str | None = Field(default=None, min_length=1, max_length=200)


@router.post("/api/v1/drafts", operation_id="prepare_draft", status_code=201)
async def prepare_draft(
    body: DraftRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """A reply draft in the executive's Drafts folder, and on request her approval asked."""
    made = await flows.prepare_draft(
        deps, graph, me, mailbox=body.mailbox, message_id=body.message,
        operation_id=body.operation_id, template=body.template, html=body.html,
        reply_all=body.reply_all, attachments=body.attachments,
        ask_approval=body.request_approval, note=body.note, despite_claim=body.despite_claim,
    )  # fmt: skip
    return asdict(made)


@router.post("/api/v1/approvals", operation_id="request_approval", status_code=201)
async def request_approval(
    body: ApprovalRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Ask the executive to approve a draft that is already in her Drafts folder; she is told
    by mail from my mailbox. When that notice cannot be sent the approval stands and
    ``notice_error`` says "melding niet verstuurd: …" (the queue shows "niet gemeld")."""
    view = await flows.request_approval(deps, graph, me, mailbox=body.mailbox,
                                        draft_id=body.draft, message_id=body.message,
                                        operation_id=body.operation_id,
                                        note=body.note)  # fmt: skip
    return asdict(view)


@router.get("/api/v1/approvals", operation_id="list_approvals")
async def list_approvals(
    deps: FlowDeps,
    me: Me,
    mailbox: OptionalMailboxQuery = None,
    status: Status | None = None,
    mine: bool = False,
) -> dict[str, Any]:
    """Approvals in the mailboxes I work in (or one); ``mine``: the drafts I asked about."""
    found = await flows.list_approvals(deps, me, mailbox=mailbox, status=status, mine=mine)
    return {"approvals": [asdict(v) for v in found]}


@router.post("/api/v1/approvals/check", operation_id="check_approvals")
async def check(deps: FlowDeps, me: Me, graph: UserGraph, mailbox: MailboxQuery) -> dict[str, Any]:
    """Close approvals whose drafts were deleted or sent outside Secretariaat."""
    closed = await flows.check_approvals(deps, graph, me, mailbox=mailbox)
    return {"closed": [asdict(v) for v in closed]}


@router.post("/api/v1/approvals/remind", operation_id="remind_approvals")
async def remind(
    deps: FlowDeps, me: Me, graph: UserGraph, settings: SettingsDep, mailbox: MailboxQuery
) -> dict[str, Any]:
    """Remind the executive of drafts waiting longer than the configured time (once a period)."""
    after = dt.timedelta(hours=settings.approval_reminder_hours)
    reminded = await flows.remind_waiting(deps, graph, me, mailbox=mailbox, after=after)
    return {"reminded": [asdict(v) for v in reminded]}


@router.post("/api/v1/approvals/{approval_id}/notify", operation_id="notify_approval")
async def notify(approval_id: str, deps: FlowDeps, me: Me, graph: UserGraph) -> dict[str, Any]:
    """Tell the executive again of a waiting draft whose notice failed ("niet gemeld"), from my
    mailbox; of a rejected one, tell the secretariat of the rejection (once, from her
    mailbox). ``notice_error`` is null when it went out."""
    return asdict(await flows.notify_again(deps, graph, me, approval_id=approval_id))


@router.get("/api/v1/approvals/{approval_id}", operation_id="get_approval")
async def get_approval(
    approval_id: str, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """The approval with the draft as it is now (``draft_change_key``: approve names it)."""
    opened = await flows.open_approval(deps, graph, me, approval_id=approval_id)
    return asdict(opened.detail)


@router.post("/api/v1/approvals/{approval_id}/approve", operation_id="approve_draft")
async def approve(
    approval_id: str, body: ApproveRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Approve and send (or edit and send) the version seen; refused if it changed since."""
    view = await flows.approve(deps, graph, me, approval_id=approval_id,
                               operation_id=body.operation_id, change_key=body.change_key,
                               html=body.html)  # fmt: skip
    return asdict(view)


@router.post("/api/v1/approvals/{approval_id}/reject", operation_id="reject_draft")
async def reject(
    approval_id: str, body: RejectRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Back to the secretariat with a comment for the one who asked. When the notice to her
    cannot be sent the rejection stands and ``notice_error`` says "melding niet verstuurd: …"
    (the queue shows "niet gemeld"; ``/notify`` sends it again)."""
    view = await flows.reject(deps, graph, me, approval_id=approval_id, comment=body.comment)
    return asdict(view)


@router.post(
    "/api/v1/approvals/{approval_id}/resubmit", operation_id="resubmit_draft", status_code=201
)
async def resubmit(
    approval_id: str, body: ResubmitRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Herzien en opnieuw aanbieden: a rejected draft, revised, goes to the executive again as
    a new approval (the answer) that replaces this one (closed as "revised", kept as history);
    she is told by mail from my mailbox, with the new text. Once per ``operation_id``."""
    view = await flows.resubmit(deps, graph, me, approval_id=approval_id,
                                operation_id=body.operation_id, note=body.note, html=body.html,
                                change_key=body.change_key)  # fmt: skip
    return asdict(view)


@router.post("/api/v1/approvals/{approval_id}/later", operation_id="defer_approval")
async def defer(approval_id: str, deps: FlowDeps, me: Me) -> dict[str, Any]:
    """She decides later: it stays in her queue, marked as seen."""
    return asdict(await flows.later(deps, me, approval_id=approval_id))
