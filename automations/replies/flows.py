"""Reply drafts, their approval and the team's templates as a user does them: one function
each, for every adapter (the JSON API, the pane and its phone page, the CLI's ``--actor``).

Each flow decides, in this order: may she (``roster.policy``; always first, so nobody outside
the team learns whose claim holds), does a colleague hold the mail (drafts only: asked
first), then the work, audited, and an event so open panes redraw: "changed" when a draft is
offered for approval (again, after a revision) or sent back with a comment, "closed" when it
is sent, its draft is gone, or a revised version replaced it. Adapters only parse and render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from automations.context import Actor, Deps
from automations.errors import AccessDenied, BadRequest, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.tagged import graph_one
from automations.queue.flows import ensure_unclaimed, working_in
from automations.replies import approvals
from automations.replies.approvals import (
    STATUS_LABELS,
    ApprovalClosed,
    ApprovalDetail,
    ApprovalView,
    DraftChanged,
)
from automations.replies.approvals.views import load, not_told, queue_key
from automations.replies.drafts import Draft, Rendered, make_draft, render_reply
from automations.replies.service import DOCUMENT, ActiveTemplates
from automations.replies.templates import VARIABLES
from automations.roster.policy import Action, authorize, may
from automations.store.models import ApprovalRow
from automations.versions import VersionInfo

__all__ = [
    "STATUSES",
    "ApprovalClosed",
    "DraftChanged",
    "DraftPreview",
    "OpenedApproval",
    "PreparedDraft",
    "TemplateInfo",
    "TemplateList",
    "approve",
    "check_approvals",
    "later",
    "list_approvals",
    "list_templates",
    "not_told",
    "notify_again",
    "open_approval",
    "prepare_draft",
    "preview_draft",
    "preview_template",
    "publish_templates",
    "reject",
    "remind_waiting",
    "request_approval",
    "resubmit",
    "template_set",
    "template_version",
    "template_versions",
]

STATUSES = ("open", *STATUS_LABELS)  # what a list of approvals may be narrowed to


# --- templates --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateInfo:
    name: str
    description: str
    style: str
    reply_all: bool


@dataclass(frozen=True)
class TemplateList:
    version: int
    variables: dict[str, str]  # what a template may use, with what each holds
    templates: list[TemplateInfo]


@dataclass(frozen=True)
class DraftPreview:
    rendered: Rendered
    attachments: list[dict[str, Any]]  # the original's (not inline): id, name, size


async def template_set(deps: Deps) -> ActiveTemplates:
    """The active set, read in a session of its own (closed before any Graph call)."""
    async with deps.sessions() as session:
        found = await DOCUMENT.active(session)
    if found is None:
        raise NotFound("Er zijn nog geen antwoordsjablonen ingesteld; vraag de beheerder.")
    return found


async def list_templates(deps: Deps, actor: Actor) -> TemplateList:
    """The team's templates (not secret: anyone signed in may read them, as before)."""
    found = await template_set(deps)
    shown = [TemplateInfo(t.name, t.description, t.style, t.reply_all)
             for t in found.parsed.templates]  # fmt: skip
    return TemplateList(found.info.version, VARIABLES, shown)


async def publish_templates(
    deps: Deps, actor: Actor, text: str, note: str | None, based_on: int | None = None
) -> VersionInfo:
    """A new version of the team's set (admins); a bad file is refused whole and audited, and
    one started from an older version than the active one is refused (``Superseded``)."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    async with deps.sessions() as session:
        try:
            return await DOCUMENT.publish(
                session,
                text,
                author=actor.upn,
                note=note,
                based_on=based_on,
                names=actor.roster.names,
            )
        finally:
            await session.commit()  # the version, or the audit entry of the refusal


async def template_versions(deps: Deps, actor: Actor) -> list[VersionInfo]:
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    async with deps.sessions() as session:
        return await DOCUMENT.versions(session)


async def template_version(deps: Deps, actor: Actor, version: int) -> tuple[VersionInfo, str]:
    """An old (or the current) version exactly as it was published (admins)."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    async with deps.sessions() as session:
        return await DOCUMENT.read_version(session, version)


async def preview_template(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, message_id: str,
    template: str,
) -> Rendered:  # fmt: skip
    """The template rendered against a real message in the executive's mailbox."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    found = await template_set(deps)
    return await render_reply(graph, found.parsed, mailbox=mailbox, message_id=message_id,
                              template=template, actor=actor.upn, today=deps.today())  # fmt: skip


async def preview_draft(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, message_id: str,
    template: str,
) -> DraftPreview:  # fmt: skip
    """The template's text for this message, to edit before the draft is made, with the
    original's attachments she may take along."""
    rendered = await preview_template(deps, graph, actor, mailbox=mailbox, message_id=message_id,
                                      template=template)  # fmt: skip
    listed = await graph_one(graph, BatchRequest(
        "GET", f"/users/{mailbox}/messages/{message_id}/attachments?$select=id,name,size,isInline"
    ))  # fmt: skip
    return DraftPreview(rendered, [a for a in listed["value"] if not a.get("isInline")])


# --- drafts and asking for approval -----------------------------------------------------------
@dataclass(frozen=True)
class PreparedDraft:
    draft: Draft
    approval: ApprovalView | None  # when her approval was asked


async def prepare_draft(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, message_id: str,
    operation_id: str, template: str | None = None, html: str | None = None,
    reply_all: bool | None = None, attachments: Sequence[str] = (),
    ask_approval: bool = False, note: str = "", despite_claim: bool = False,
    notice_from: str | None = None,
) -> PreparedDraft:  # fmt: skip
    """A reply draft in the executive's Drafts folder (once per ``operation_id``), from a
    template or her own text, and on request her approval asked (``request_approval``). Mail
    a colleague picked up is ``ClaimHeld`` (409) unless she goes ahead anyway (audited)."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    await ensure_unclaimed(deps, actor, mailbox=mailbox, message_ids=[message_id],
                           despite=despite_claim)  # fmt: skip
    if html is None and template is None:
        raise BadRequest("Kies een sjabloon of geef de tekst van het antwoord.")
    if template is not None and (html is None or reply_all is None):
        rendered = await preview_template(deps, graph, actor, mailbox=mailbox,
                                          message_id=message_id, template=template)  # fmt: skip
        html = html if html is not None else rendered.html
        reply_all = reply_all if reply_all is not None else rendered.reply_all
    assert html is not None
    draft = await make_draft(graph, mailbox=mailbox, message_id=message_id, html=html,
                             reply_all=bool(reply_all), attachment_ids=attachments,
                             operation_id=operation_id)  # fmt: skip
    asked = None
    if ask_approval:
        asked = await _ask(deps, graph, actor, mailbox=mailbox, draft_id=draft.id,
                           message_id=message_id, note=note, template=template,
                           operation_id=operation_id, notice_from=notice_from)  # fmt: skip
    return PreparedDraft(draft, asked)


async def request_approval(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, draft_id: str,
    message_id: str, operation_id: str, note: str = "", template: str | None = None,
    notice_from: str | None = None,
) -> ApprovalView:  # fmt: skip
    """Ask the executive to decide on a draft already in her Drafts folder; once per
    ``operation_id``, and a draft already waiting answers with that approval.

    She is told by mail from ``notice_from``: the secretariat's shared mailbox when the app
    asks with its own identity (the CLI; its RBAC scope holds that mailbox), else None: from
    my own mailbox, with my sign-in. A notice that cannot be sent leaves the approval standing
    and is never silent: ``notice_error`` says why, and the queue shows "niet gemeld"."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    return await _ask(deps, graph, actor, mailbox=mailbox, draft_id=draft_id,
                      message_id=message_id, note=note, template=template,
                      operation_id=operation_id, notice_from=notice_from)  # fmt: skip


async def _ask(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, draft_id: str,
    message_id: str, note: str, template: str | None, operation_id: str,
    notice_from: str | None,
) -> ApprovalView:  # fmt: skip
    view = await approvals.request_approval(
        graph, deps.sessions, mailbox=mailbox, draft_id=draft_id, message_id=message_id,
        actor=actor.upn, note=note, template=template, operation_id=operation_id,
        link_base=deps.base_url, sender=notice_from, names=actor.roster.names,
    )  # fmt: skip
    _published(deps, view)
    return view


def _published(deps: Deps, view: ApprovalView) -> None:
    """A request (again): its queue item changed, and the one of the version it replaced is
    closed."""
    if view.revises:
        deps.publish("closed", view.mailbox, key=queue_key(view.revises))
    deps.publish("changed", view.mailbox, key=queue_key(view.id))


async def resubmit(
    deps: Deps, graph: GraphSession, actor: Actor, *, approval_id: str, operation_id: str,
    note: str = "", html: str | None = None, change_key: str | None = None,
    notice_from: str | None = None,
) -> ApprovalView:  # fmt: skip
    """Herzien en opnieuw aanbieden: after a rejection, the draft as revised (in Outlook, or
    ``html`` here, written on the version seen: ``change_key``) goes to the executive again as
    a new approval of its own version, which replaces the rejected one (closed as "revised";
    the history stays). Whoever works in her mailbox may (the secretary who asked, or any
    other serving her; not she herself); once per ``operation_id``. The notice as
    ``request_approval``."""
    row = await _approval(deps, actor, approval_id, Action.ACT_ON_MAILBOX)
    if may(actor.roster, actor.upn, Action.DECIDE_APPROVAL, row.mailbox):
        raise AccessDenied(
            "Herzien en opnieuw aanbieden doet het secretariaat; uw eigen concept kunt u in"
            " Outlook bewerken en verzenden."
        )
    view = await approvals.resubmit(
        graph, deps.sessions, row=row, actor=actor.upn, operation_id=operation_id,
        link_base=deps.base_url, note=note, html=html, seen_change_key=change_key,
        sender=notice_from, names=actor.roster.names,
    )  # fmt: skip
    _published(deps, view)
    return view


async def notify_again(
    deps: Deps, graph: GraphSession, actor: Actor, *, approval_id: str,
    notice_from: str | None = None,
) -> ApprovalView:  # fmt: skip
    """Tell the executive once more of a waiting approval whose notice failed ("niet
    gemeld"), from ``notice_from`` as ``request_approval`` does; for a rejected one, tell
    who asked and today's front office of the rejection, when that notice failed (from the
    executive's mailbox, as the first attempt). ``notice_error`` says whether it went out
    this time."""
    row = await _approval(deps, actor, approval_id, Action.ACT_ON_MAILBOX)
    front = None
    if row.status == "rejected":
        front = actor.roster.front_office_on(row.mailbox, deps.today())
    view = await approvals.notify_again(graph, deps.sessions, approval_id=row.id,
                                        actor=actor.upn, link_base=deps.base_url,
                                        sender=notice_from, front_office=front,
                                        names=actor.roster.names)  # fmt: skip
    deps.publish("changed", view.mailbox, key=queue_key(view.id))
    return view


# --- reading approvals ------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenedApproval:
    detail: ApprovalDetail
    may_decide: bool  # she is the executive whose draft it is
    may_resubmit: bool = False  # rejected, and I work in her mailbox (not she herself)


async def list_approvals(
    deps: Deps, actor: Actor, *, mailbox: str | None = None, status: str | None = None,
    mine: bool = False,
) -> list[ApprovalView]:  # fmt: skip
    """Approvals in the executives' mailboxes I work in (or one of them, checked), newest
    first; ``mine``: only the drafts I asked about."""
    if status is not None and status not in STATUSES:
        raise BadRequest(f"Onbekende status {status!r}; kies uit: {', '.join(STATUSES)}.")
    boxes = working_in(actor, mailbox)
    async with deps.sessions() as session:
        return await approvals.list_approvals(session, mailboxes=boxes, status=status,
                                              requested_by=actor.upn if mine else None)  # fmt: skip


async def _approval(deps: Deps, actor: Actor, approval_id: str, action: Action) -> ApprovalRow:
    async with deps.sessions() as session:
        row = await load(session, approval_id)
    authorize(actor.roster, actor.upn, action, row.mailbox)
    return row


async def open_approval(
    deps: Deps, graph: GraphSession, actor: Actor, *, approval_id: str
) -> OpenedApproval:
    """The approval with the draft as it is now and the original it answers; a draft found
    deleted or sent outside Secretariaat closes it."""
    row = await _approval(deps, actor, approval_id, Action.ACT_ON_MAILBOX)
    detail = await approvals.read_approval(graph, deps.sessions, row)
    if row.status == "waiting" and not detail.approval.open:
        deps.publish("closed", row.mailbox, key=queue_key(row.id))
    decides = may(actor.roster, actor.upn, Action.DECIDE_APPROVAL, row.mailbox)
    again = detail.approval.status == "rejected" and not decides
    return OpenedApproval(detail, decides, again)


async def check_approvals(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str
) -> list[ApprovalView]:
    """Close the approvals whose drafts were deleted or sent outside Secretariaat."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    closed = await approvals.check_open(graph, deps.sessions, mailbox=mailbox)
    for view in closed:
        deps.publish("closed", view.mailbox, key=queue_key(view.id))
    return closed


async def remind_waiting(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, after: dt.timedelta,
    notice_from: str | None = None,
) -> list[ApprovalView]:  # fmt: skip
    """Remind the executive, from my mailbox (or ``notice_from``, as ``request_approval``),
    of drafts waiting longer than ``after`` (once per such period)."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    return await approvals.remind_waiting(graph, deps.sessions, mailbox=mailbox,
                                          sender=notice_from or actor.upn, after=after,
                                          now=deps.now(), link_base=deps.base_url)  # fmt: skip


# --- the executive's decision -----------------------------------------------------------------
async def approve(
    deps: Deps, graph: GraphSession, actor: Actor, *, approval_id: str, operation_id: str,
    change_key: str | None = None, html: str | None = None,
) -> ApprovalView:  # fmt: skip
    """Send the version she saw (``change_key``; without it, the one approval was asked for),
    or her edit (``html``); refused (``DraftChanged``) when the draft changed since. Once per
    approval, whatever taps and retries happen."""
    row = await _approval(deps, actor, approval_id, Action.DECIDE_APPROVAL)
    try:
        view = await approvals.send_approved(
            graph, deps.sessions, deps.journal, row=row, actor=actor.upn,
            seen_change_key=change_key, operation_id=operation_id, edited_html=html,
        )  # fmt: skip
    except ApprovalClosed:
        if row.status == "waiting":  # its draft was found gone just now, or another tap decided
            deps.publish("closed", row.mailbox, key=queue_key(row.id))
        raise
    deps.publish("closed", view.mailbox, key=queue_key(view.id))
    return view


async def reject(
    deps: Deps, graph: GraphSession, actor: Actor, *, approval_id: str, comment: str
) -> ApprovalView:
    """Back to the secretariat with a comment: the one who asked and today's front office
    hear it, and the queue item becomes "revise and offer again". A notice that cannot be
    sent leaves the rejection standing and is never silent: ``notice_error`` says why, the
    queue shows "niet gemeld", and ``notify_again`` sends it."""
    if not comment.strip():
        raise BadRequest("Geef bij afwijzen een toelichting voor het secretariaat.")
    row = await _approval(deps, actor, approval_id, Action.DECIDE_APPROVAL)
    front = actor.roster.front_office_on(row.mailbox, deps.today())
    view = await approvals.reject(graph, deps.sessions, row=row, actor=actor.upn, comment=comment,
                                  front_office=front, link_base=deps.base_url)  # fmt: skip
    deps.publish("changed", view.mailbox, key=queue_key(view.id))
    return view


async def later(deps: Deps, actor: Actor, *, approval_id: str) -> ApprovalView:
    """She looked and decides later: it stays in her queue, marked as seen (the queue shows
    nothing new, so no event)."""
    await _approval(deps, actor, approval_id, Action.DECIDE_APPROVAL)
    return await approvals.defer(deps.sessions, approval_id=approval_id, actor=actor.upn)
