"""Reply drafts and their approval: prepare, ask, and the executive's decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from automations.errors import BadRequest
from automations.queue import claims
from automations.replies import approvals
from automations.replies.drafts import make_draft, render_reply
from automations.roster.policy import Action, authorize, may
from server.deps import (
    CurrentUser,
    JournalDep,
    Now,
    RosterDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    Today,
    UserGraph,
)
from server.routes.templates import Mailbox, active_templates

router = APIRouter(tags=["approvals"])

ItemId = Annotated[str, Field(min_length=1, max_length=512)]
OperationId = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")]
Html = Annotated[str, Field(min_length=1, max_length=200_000)]
Note = Annotated[str, Field(max_length=4000)]


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


def _detail(found: approvals.ApprovalDetail) -> dict[str, Any]:
    return asdict(found)


@router.post("/api/v1/drafts", operation_id="prepare_draft", status_code=201)
async def prepare_draft(
    body: DraftRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    settings: SettingsDep,
    today: Today,
    now: Now,
) -> dict[str, Any]:
    """A reply draft in the executive's Drafts folder, and on request her approval asked."""
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, body.mailbox)
    await claims.ensure_free(
        sessions,
        mailbox=body.mailbox.lower(),
        message_ids=[body.message],
        actor=user.upn,
        now=now.astimezone(dt.UTC),
        names=roster.names,
        despite=body.despite_claim,
    )
    if body.html is None and body.template is None:
        raise BadRequest("Kies een sjabloon of geef de tekst van het antwoord.")
    reply_all = body.reply_all
    html = body.html
    if body.template is not None and (html is None or reply_all is None):
        found = await active_templates(sessions)
        rendered = await render_reply(
            graph,
            found.parsed,
            mailbox=body.mailbox,
            message_id=body.message,
            template=body.template,
            actor=user.upn,
            today=today,
        )
        html = html if html is not None else rendered.html
        reply_all = reply_all if reply_all is not None else rendered.reply_all
    assert html is not None
    draft = await make_draft(
        graph,
        mailbox=body.mailbox,
        message_id=body.message,
        html=html,
        reply_all=bool(reply_all),
        attachment_ids=body.attachments,
        operation_id=body.operation_id,
    )
    out: dict[str, Any] = {"draft": asdict(draft), "approval": None}
    if body.request_approval:
        view = await approvals.request_approval(
            graph,
            sessions,
            roster=roster,
            mailbox=body.mailbox,
            draft_id=draft.id,
            message_id=body.message,
            actor=user.upn,
            note=body.note,
            template=body.template,
            operation_id=body.operation_id,
            link_base=settings.base_url,
        )
        out["approval"] = asdict(view)
    return out


@router.post("/api/v1/approvals", operation_id="request_approval", status_code=201)
async def request_approval(
    body: ApprovalRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Ask the executive to approve a draft that is already in her Drafts folder."""
    view = await approvals.request_approval(
        graph,
        sessions,
        roster=roster,
        mailbox=body.mailbox,
        draft_id=body.draft,
        message_id=body.message,
        actor=user.upn,
        note=body.note,
        template=None,
        operation_id=body.operation_id,
        link_base=settings.base_url,
    )
    return asdict(view)


@router.get("/api/v1/approvals", operation_id="list_approvals")
async def list_approvals(
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    mailbox: Annotated[str | None, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] = None,
    status: Literal["open", "waiting", "sending", "sent", "rejected", "deleted", "sent_elsewhere"]
    | None = None,
    mine: bool = False,
) -> dict[str, Any]:
    """Approvals in the mailboxes I work in (or one); ``mine``: the drafts I asked about."""
    if mailbox:
        authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
        mailboxes = [mailbox]
    else:
        mailboxes = [m for m in roster.roles if may(roster, user.upn, Action.ACT_ON_MAILBOX, m)]
    found = await approvals.list_approvals(
        session,
        mailboxes=mailboxes,
        status=status,
        requested_by=user.upn if mine else None,
    )
    return {"approvals": [asdict(v) for v in found]}


@router.post("/api/v1/approvals/check", operation_id="check_approvals")
async def check(
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    mailbox: Annotated[str, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")],
) -> dict[str, Any]:
    """Close approvals whose drafts were deleted or sent outside Secretariaat."""
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
    closed = await approvals.check_open(graph, sessions, mailbox=mailbox)
    return {"closed": [asdict(v) for v in closed]}


@router.post("/api/v1/approvals/remind", operation_id="remind_approvals")
async def remind(
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    settings: SettingsDep,
    now: Now,
    mailbox: Annotated[str, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")],
) -> dict[str, Any]:
    """Remind the executive of drafts waiting longer than the configured time (once a period)."""
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
    reminded = await approvals.remind_waiting(
        graph,
        sessions,
        mailbox=mailbox,
        sender=user.upn,
        after=dt.timedelta(hours=settings.approval_reminder_hours),
        now=now,
        link_base=settings.base_url,
    )
    return {"reminded": [asdict(v) for v in reminded]}


@router.get("/api/v1/approvals/{approval_id}", operation_id="get_approval")
async def get_approval(
    approval_id: str,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
) -> dict[str, Any]:
    """The approval with the draft as it is now (``draft_change_key``: approve names it)."""
    found = await approvals.open_approval(
        graph, sessions, roster=roster, approval_id=approval_id, actor=user.upn
    )
    return _detail(found)


@router.post("/api/v1/approvals/{approval_id}/approve", operation_id="approve_draft")
async def approve(
    approval_id: str,
    body: ApproveRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    journal: JournalDep,
    graph: UserGraph,
) -> dict[str, Any]:
    """Approve and send (or edit and send) the version seen; refused if it changed since."""
    view = await approvals.approve(
        graph,
        sessions,
        journal,
        roster=roster,
        approval_id=approval_id,
        actor=user.upn,
        seen_change_key=body.change_key,
        operation_id=body.operation_id,
        edited_html=body.html,
    )
    return asdict(view)


@router.post("/api/v1/approvals/{approval_id}/reject", operation_id="reject_draft")
async def reject(
    approval_id: str,
    body: RejectRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    settings: SettingsDep,
    today: Today,
) -> dict[str, Any]:
    view = await approvals.reject(
        graph,
        sessions,
        roster=roster,
        approval_id=approval_id,
        actor=user.upn,
        comment=body.comment,
        today=today,
        link_base=settings.base_url,
    )
    return asdict(view)


@router.post("/api/v1/approvals/{approval_id}/later", operation_id="defer_approval")
async def defer(
    approval_id: str, user: CurrentUser, roster: RosterDep, sessions: SessionsDep
) -> dict[str, Any]:
    view = await approvals.later(sessions, roster=roster, approval_id=approval_id, actor=user.upn)
    return asdict(view)
