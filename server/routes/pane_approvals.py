"""The pane's reply drafts and approvals: prepare a draft on Bericht, decide on Goedkeuren, and
the same approval page on its own for an executive's phone (``/goedkeuren``).

Draft bodies are HTML written by people; they reach a template only after
``automations.replies.html.clean`` (an allow-list), as ``Markup``. Nothing else is marked safe.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import BaseModel, Field

from automations.graph import BatchRequest
from automations.queue import claims
from automations.replies import approvals
from automations.replies.drafts import make_draft, render_reply
from automations.replies.html import clean
from automations.roster.policy import Action, authorize, may
from server.deps import (
    CurrentUser,
    JournalDep,
    Now,
    RosterDep,
    SessionsDep,
    SettingsDep,
    Today,
    UserGraph,
)
from server.routes.pane import Selected, _sign_in_config, fragment
from server.routes.templates import active_templates

router = APIRouter(include_in_schema=False)

MailboxField = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
ItemField = Annotated[str, Field(min_length=1, max_length=512)]
OperationField = Annotated[str, Field(pattern=r"^[A-Za-z0-9\-_]{8,64}$")]


# --- Goedkeuren: the queue and one approval ---------------------------------------------------
@router.get("/pane/goedkeuren/inhoud", response_class=HTMLResponse)
async def approvals_view(
    request: Request,
    selected: Selected,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
) -> HTMLResponse:
    """An executive's queue; for a secretary, the drafts in the mailboxes she works in."""
    executive = roster.role(user.upn) == "executive"
    if executive:
        mailboxes = [user.upn]
    else:
        mailboxes = [m for m in roster.roles if may(roster, user.upn, Action.ACT_ON_MAILBOX, m)]
    async with sessions() as session:
        found = await approvals.list_approvals(session, mailboxes=mailboxes)
    waiting = [a for a in found if a.status in ("waiting", "sending")]
    decided = [a for a in found if a.status not in ("waiting", "sending")][:20]
    return fragment(
        request,
        "views/goedkeuren.html",
        ctx=selected.ctx,
        executive=executive,
        waiting=waiting,
        decided=decided,
        names=roster.names,
    )


async def _detail(
    request: Request, graph: Any, sessions: Any, roster: Any, user: Any, approval_id: str, **extra
) -> HTMLResponse:
    found = await approvals.open_approval(
        graph, sessions, roster=roster, approval_id=approval_id, actor=user.upn
    )
    original = dict(found.original) if found.original else None
    if original:
        original["html"] = Markup(original["html"])  # cleaned by the allow-list
    return fragment(
        request,
        "views/goedkeuring.html",
        found=found,
        draft_html=Markup(found.draft_html),  # cleaned by the allow-list
        original=original,
        may_decide=may(roster, user.upn, Action.DECIDE_APPROVAL, found.approval.mailbox),
        operation_id=str(uuid.uuid4()),
        names=roster.names,
        **extra,
    )


@router.get("/pane/goedkeuren/{approval_id}/inhoud", response_class=HTMLResponse)
async def approval_view(
    request: Request,
    approval_id: str,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
) -> HTMLResponse:
    """The original, the note and the draft as it is now, with the decision buttons."""
    return await _detail(request, graph, sessions, roster, user, approval_id, refusal=None)


class DecideRequest(BaseModel):
    operation_id: OperationField
    change_key: str | None = Field(default=None, max_length=200)
    html: str | None = Field(default=None, min_length=1, max_length=200_000)


@router.post("/pane/goedkeuren/{approval_id}/goedkeuren", response_class=HTMLResponse)
async def approve(
    request: Request,
    approval_id: str,
    body: DecideRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    journal: JournalDep,
    graph: UserGraph,
) -> HTMLResponse:
    """Send what she saw (or her edit); a changed draft is shown again with the refusal."""
    try:
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
    except approvals.DraftChanged as exc:
        return await _detail(
            request, graph, sessions, roster, user, approval_id, refusal=exc.message
        )
    return fragment(request, "views/goedkeuring_uitkomst.html", view=view)


class RejectRequest(BaseModel):
    comment: str = Field(max_length=4000)


@router.post("/pane/goedkeuren/{approval_id}/afwijzen", response_class=HTMLResponse)
async def reject(
    request: Request,
    approval_id: str,
    body: RejectRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    settings: SettingsDep,
    today: Today,
) -> HTMLResponse:
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
    return fragment(request, "views/goedkeuring_uitkomst.html", view=view)


@router.post("/pane/goedkeuren/{approval_id}/later", response_class=HTMLResponse)
async def later(
    request: Request, approval_id: str, user: CurrentUser, roster: RosterDep, sessions: SessionsDep
) -> HTMLResponse:
    view = await approvals.later(sessions, roster=roster, approval_id=approval_id, actor=user.upn)
    return fragment(request, "views/goedkeuring_uitkomst.html", view=view)


# --- Bericht: prepare a reply draft -----------------------------------------------------------
class DraftPreviewRequest(BaseModel):
    mailbox: MailboxField
    message: ItemField
    template: str = Field(min_length=1, max_length=80)


@router.post("/pane/concept/voorbeeld", response_class=HTMLResponse)
async def draft_preview(
    request: Request,
    body: DraftPreviewRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    today: Today,
) -> HTMLResponse:
    """The template's text for this message, editable, with the original's attachments."""
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, body.mailbox)
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
    [listed] = await graph.batch(
        [
            BatchRequest(
                "GET",
                f"/users/{body.mailbox}/messages/{body.message}/attachments"
                "?$select=id,name,size,isInline",
            )
        ]
    )
    listed.raise_for_status()
    attachments = [a for a in listed.body["value"] if not a.get("isInline")]
    return fragment(
        request,
        "views/concept_voorbeeld.html",
        rendered=rendered,
        html=Markup(clean(rendered.html)),  # our own template's output, cleaned as any edit
        attachments=attachments,
        operation_id=str(uuid.uuid4()),
        executive=roster.names.get(body.mailbox.lower(), body.mailbox),
    )


class DraftRequest(BaseModel):
    mailbox: MailboxField
    message: ItemField
    template: str = Field(min_length=1, max_length=80)
    html: str = Field(min_length=1, max_length=200_000)
    reply_all: bool = False
    attachments: list[ItemField] = Field(default_factory=list, max_length=20)
    operation_id: OperationField
    request_approval: bool = False
    note: str = Field(default="", max_length=4000)
    despite_claim: bool = False


@router.post("/pane/concept/klaarzetten", response_class=HTMLResponse)
async def draft_make(
    request: Request,
    body: DraftRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    settings: SettingsDep,
    now: Now,
) -> HTMLResponse:
    """The draft in the executive's Drafts folder (once per click), approval asked if chosen."""
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
    draft = await make_draft(
        graph,
        mailbox=body.mailbox,
        message_id=body.message,
        html=body.html,
        reply_all=body.reply_all,
        attachment_ids=body.attachments,
        operation_id=body.operation_id,
    )
    view = None
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
    return fragment(
        request,
        "views/concept_uitkomst.html",
        draft=draft,
        view=view,
        executive=roster.names.get(body.mailbox.lower(), body.mailbox),
    )


# --- the phone page ---------------------------------------------------------------------------
@router.get("/goedkeuren", response_class=HTMLResponse)
@router.get("/goedkeuren/{approval_id}", response_class=HTMLResponse)
async def phone_page(
    request: Request, settings: SettingsDep, approval_id: str | None = None
) -> HTMLResponse:
    """For the executive outside Outlook (the link in the notice mail): signs in by redirect."""
    if approval_id is not None and not all(c.isalnum() or c == "-" for c in approval_id):
        approval_id = None
    config = _sign_in_config(request, settings, approval=approval_id)
    return fragment(request, "goedkeuren_pagina.html", config=config)
