"""The pane's reply drafts and approvals: prepare a draft on Bericht, decide on Goedkeuren, and
the same approval page on its own for an executive's phone (``/goedkeuren``).

Draft bodies are HTML written by people; they reach a template only after
``automations.replies.html.clean`` (an allow-list), as ``Markup``. Nothing else is marked safe.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import BaseModel, Field

from automations.context import Actor, Deps
from automations.graph import GraphSession
from automations.replies import flows
from automations.replies.service import clean
from server.deps import FlowDeps, Me, SettingsDep, UserGraph
from server.fields import ItemId, Mailbox, OperationId
from server.routes.pane import Selected, _sign_in_config, fragment

router = APIRouter(include_in_schema=False)


# --- Goedkeuren: the queue and one approval ---------------------------------------------------
@router.get("/pane/goedkeuren/inhoud", response_class=HTMLResponse)
async def approvals_view(
    request: Request, selected: Selected, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """An executive's queue; for a secretary, the drafts in the mailboxes she works in."""
    found = await flows.list_approvals(deps, me)
    return fragment(
        request,
        "views/goedkeuren.html",
        ctx=selected.ctx,
        executive=me.roster.role(me.upn) == "executive",
        waiting=[a for a in found if a.open],
        # a revised one is in the history of the version that replaced it
        decided=[a for a in found if not a.open and a.status != "revised"][:20],
        names=me.roster.names,
    )


async def _detail(
    request: Request, deps: Deps, graph: GraphSession, me: Actor, approval_id: str, **extra: Any
) -> HTMLResponse:
    opened = await flows.open_approval(deps, graph, me, approval_id=approval_id)
    found = opened.detail
    original = dict(found.original) if found.original else None
    if original:
        original["html"] = Markup(original["html"])  # cleaned by the allow-list
    return fragment(
        request,
        "views/goedkeuring.html",
        found=found,
        untold=flows.not_told(found.approval, me.roster.names),
        draft_html=Markup(found.draft_html),  # cleaned by the allow-list
        original=original,
        may_decide=opened.may_decide,
        may_resubmit=opened.may_resubmit,
        executive=me.roster.names.get(found.approval.mailbox, found.approval.mailbox),
        operation_id=str(uuid.uuid4()),
        names=me.roster.names,
        **extra,
    )


@router.get("/pane/goedkeuren/{approval_id}/inhoud", response_class=HTMLResponse)
async def approval_view(
    request: Request, approval_id: str, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """The original, the note and the draft as it is now, with the decision buttons (and,
    when she was not told of it, why and "Opnieuw melden"); the earlier versions; for a
    rejected one, to the secretariat, "Herzien en opnieuw aanbieden"."""
    return await _detail(request, deps, graph, me, approval_id, refusal=None, told=None)


class DecideRequest(BaseModel):
    operation_id: OperationId
    change_key: str | None = Field(default=None, max_length=200)
    html: str | None = Field(default=None, min_length=1, max_length=200_000)


@router.post(
    "/pane/goedkeuren/{approval_id}/goedkeuren", response_class=HTMLResponse, name="pane_approve"
)
async def approve(
    request: Request, approval_id: str, body: DecideRequest, deps: FlowDeps, me: Me,
    graph: UserGraph,
) -> HTMLResponse:  # fmt: skip
    """Send what she saw (or her edit); a changed draft is shown again with the refusal."""
    try:
        view = await flows.approve(deps, graph, me, approval_id=approval_id,
                                   operation_id=body.operation_id, change_key=body.change_key,
                                   html=body.html)  # fmt: skip
    except flows.DraftChanged as exc:
        return await _detail(request, deps, graph, me, approval_id, refusal=exc.message,
                             told=None)  # fmt: skip
    return fragment(request, "views/goedkeuring_uitkomst.html", view=view, untold=None)


class RejectRequest(BaseModel):
    comment: str = Field(max_length=4000)


@router.post(
    "/pane/goedkeuren/{approval_id}/afwijzen", response_class=HTMLResponse, name="pane_reject"
)
async def reject(
    request: Request, approval_id: str, body: RejectRequest, deps: FlowDeps, me: Me,
    graph: UserGraph,
) -> HTMLResponse:  # fmt: skip
    """Back to the secretariat; when the notice to who asked failed, says so with "Opnieuw
    melden"."""
    view = await flows.reject(deps, graph, me, approval_id=approval_id, comment=body.comment)
    return fragment(request, "views/goedkeuring_uitkomst.html", view=view,
                    untold=flows.not_told(view, me.roster.names))  # fmt: skip


@router.post(
    "/pane/goedkeuren/{approval_id}/melden", response_class=HTMLResponse, name="pane_notify"
)
async def notify(
    request: Request, approval_id: str, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """Opnieuw melden: the notice that failed, once more (to the executive from my mailbox;
    of a rejection, to who asked from hers); the approval is shown again, saying whether it
    went out."""
    view = await flows.notify_again(deps, graph, me, approval_id=approval_id)
    told = None
    if not view.notice_error and view.status == "rejected":
        name = me.roster.names.get(view.requested_by, view.requested_by)
        told = f"{name} is gemeld dat het concept is afgekeurd."
    elif not view.notice_error:
        told = "De bestuurder is gemeld dat het concept klaarstaat."
    return await _detail(request, deps, graph, me, approval_id, refusal=None, told=told)


class ResubmitRequest(BaseModel):
    operation_id: OperationId
    change_key: str | None = Field(default=None, max_length=200)
    html: str | None = Field(default=None, min_length=1, max_length=200_000)
    note: str = Field(default="", max_length=4000)


@router.post(
    "/pane/goedkeuren/{approval_id}/opnieuw-aanbieden", response_class=HTMLResponse,
    name="pane_resubmit",
)  # fmt: skip
async def resubmit(
    request: Request, approval_id: str, body: ResubmitRequest, deps: FlowDeps, me: Me,
    graph: UserGraph,
) -> HTMLResponse:  # fmt: skip
    """Herzien en opnieuw aanbieden: the revised draft (as edited in Outlook, or here) to the
    executive again; a draft changed meanwhile is shown again with the refusal."""
    try:
        view = await flows.resubmit(deps, graph, me, approval_id=approval_id,
                                    operation_id=body.operation_id, note=body.note,
                                    html=body.html, change_key=body.change_key)  # fmt: skip
    except flows.DraftChanged as exc:
        return await _detail(request, deps, graph, me, approval_id, refusal=exc.message,
                             told=None)  # fmt: skip
    return fragment(request, "views/goedkeuring_uitkomst.html", view=view,
                    untold=flows.not_told(view, me.roster.names), resubmitted=True,
                    executive=me.roster.names.get(view.mailbox, view.mailbox))  # fmt: skip


@router.post("/pane/goedkeuren/{approval_id}/later", response_class=HTMLResponse)
async def later(request: Request, approval_id: str, deps: FlowDeps, me: Me) -> HTMLResponse:
    view = await flows.later(deps, me, approval_id=approval_id)
    return fragment(request, "views/goedkeuring_uitkomst.html", view=view, untold=None)


# --- Bericht: prepare a reply draft -----------------------------------------------------------
class DraftPreviewRequest(BaseModel):
    mailbox: Mailbox
    message: ItemId
    template: str = Field(min_length=1, max_length=80)


@router.post("/pane/concept/voorbeeld", response_class=HTMLResponse)
async def draft_preview(
    request: Request, body: DraftPreviewRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """The template's text for this message, editable, with the original's attachments."""
    found = await flows.preview_draft(deps, graph, me, mailbox=body.mailbox,
                                      message_id=body.message, template=body.template)  # fmt: skip
    return fragment(
        request,
        "views/concept_voorbeeld.html",
        rendered=found.rendered,
        html=Markup(clean(found.rendered.html)),  # our own template's output, cleaned as any edit
        attachments=found.attachments,
        operation_id=str(uuid.uuid4()),
        executive=me.roster.names.get(body.mailbox.lower(), body.mailbox),
    )


class DraftRequest(BaseModel):
    mailbox: Mailbox
    message: ItemId
    template: str = Field(min_length=1, max_length=80)
    html: str = Field(min_length=1, max_length=200_000)
    reply_all: bool = False
    attachments: list[ItemId] = Field(default_factory=list, max_length=20)
    operation_id: OperationId
    request_approval: bool = False
    note: str = Field(default="", max_length=4000)
    despite_claim: bool = False


@router.post("/pane/concept/klaarzetten", response_class=HTMLResponse)
async def draft_make(
    request: Request, body: DraftRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """The draft in the executive's Drafts folder (once per click), approval asked if chosen."""
    made = await flows.prepare_draft(
        deps, graph, me, mailbox=body.mailbox, message_id=body.message,
        operation_id=body.operation_id, template=body.template, html=body.html,
        reply_all=body.reply_all, attachments=body.attachments,
        ask_approval=body.request_approval, note=body.note, despite_claim=body.despite_claim,
    )  # fmt: skip
    return fragment(
        request,
        "views/concept_uitkomst.html",
        draft=made.draft,
        view=made.approval,
        executive=me.roster.names.get(body.mailbox.lower(), body.mailbox),
    )


# --- the phone page ---------------------------------------------------------------------------
@router.get("/goedkeuren", response_class=HTMLResponse)
@router.get("/goedkeuren/{approval_id}", response_class=HTMLResponse)
async def phone_page(
    request: Request, settings: SettingsDep, approval_id: str | None = None
) -> HTMLResponse:
    """For the executive outside Outlook (the link in the notice mail): signs in by redirect,
    then its script loads the same ``/pane/goedkeuren`` fragments the pane does."""
    if approval_id is not None and not all(c.isalnum() or c == "-" for c in approval_id):
        approval_id = None
    config = _sign_in_config(request, settings, approval=approval_id)
    return fragment(request, "goedkeuren_pagina.html", config=config)
