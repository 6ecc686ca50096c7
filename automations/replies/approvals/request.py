"""Asking the executive to decide on a draft: the draft gets the category "Ter goedkeuring",
its ``changeKey`` after that is recorded with who asked and the note, and she gets a short
mail with a link to the approval page (the notice).

The notice comes from the secretary's own mailbox when she asks with her own sign-in, and
from the secretariat's shared mailbox when the app asks with its own identity (the CLI): the
app's RBAC scope holds that one, not the secretaries'. A notice that cannot be sent leaves the
approval standing, and says so: in the answer (``notice_error``), in the audit log, and so in
the work queue ("niet gemeld") until a notice or a reminder does reach her."""

from __future__ import annotations

from dataclasses import replace

from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import AppError, BadRequest
from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.categories import ensure_categories
from automations.mailboxes.tagged import graph_one, send_tagged_mail
from automations.replies.approvals.decide import notify_rejected
from automations.replies.approvals.views import (
    AWAITING,
    CATEGORIES,
    OPEN,
    REJECTED,
    ApprovalView,
    approval_id_for,
    audit,
    failure_reason,
    load,
    not_sent,
    view_of,
    with_notices,
)
from automations.replies.drafts import recipients_of
from automations.store.models import ApprovalRow

__all__ = ["notify_again", "request_approval"]


async def request_approval(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    mailbox: str,
    draft_id: str,
    message_id: str,
    actor: str,
    note: str,
    template: str | None,
    operation_id: str,
    link_base: str,
    sender: str | None = None,
) -> ApprovalView:
    """Ask once per ``operation_id`` (and per draft: a draft already waiting is answered with
    that approval), the notice from ``sender`` (default: ``actor``'s own mailbox); asking
    again under the same id sends a notice that failed. The caller has authorised ``actor``
    on ``mailbox``."""
    mailbox, actor = mailbox.lower(), actor.lower()
    approval_id = approval_id_for(operation_id)
    async with sessions() as session:
        mine = await session.get(ApprovalRow, approval_id)
        other = await session.scalar(
            select(ApprovalRow).where(
                ApprovalRow.draft_id == draft_id, ApprovalRow.status.in_(OPEN)
            )
        )
    if other is not None and other.id != approval_id:  # one approval per draft at a time
        async with sessions() as session:
            [waiting] = await with_notices(session, [view_of(other)])
        return waiting  # already waiting (and whether she was told)
    if mine is None:
        mine = await _mark_and_record(
            graph, sessions, approval_id=approval_id, mailbox=mailbox, draft_id=draft_id,
            message_id=message_id, actor=actor, note=note, template=template,
        )  # fmt: skip
        await audit(sessions, mine, actor, "approval.request", operation_id=operation_id)
    view = view_of(mine)
    if actor != mailbox:
        failed = await _tell_her(graph, sessions, mine, actor, sender, link_base)
        view = replace(view, notice_error=failed)
    return view


async def notify_again(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    approval_id: str,
    actor: str,
    link_base: str,
    sender: str | None = None,
    front_office: str | None = None,
) -> ApprovalView:
    """The notice of a waiting approval once more (after it failed: "niet gemeld"), from
    ``sender`` (default: ``actor``'s own mailbox); sent at most once per mailbox it comes from.
    For a rejected one, the rejection's notice to who asked and ``front_office``, when it
    failed (``decide.notify_rejected``). The caller has authorised ``actor`` on the approval's
    mailbox."""
    async with sessions() as session:
        row = await load(session, approval_id)
    actor = actor.lower()
    if row.status == "rejected":
        return await notify_rejected(graph, sessions, row=row, actor=actor,
                                     front_office=front_office, link_base=link_base)  # fmt: skip
    if row.status != "waiting":
        label = view_of(row).status_label
        raise BadRequest(f"Dit concept wacht niet meer op een besluit ({label}).")
    failed = await _tell_her(graph, sessions, row, actor, sender, link_base)
    return replace(view_of(row), notice_error=failed)


async def _mark_and_record(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], *, approval_id: str,
    mailbox: str, draft_id: str, message_id: str, actor: str, note: str, template: str | None,
) -> ApprovalRow:  # fmt: skip
    """The draft marked "Ter goedkeuring" and the version that mark made, recorded."""
    draft = await graph_one(
        graph,
        BatchRequest(
            "GET",
            f"/users/{mailbox}/messages/{draft_id}"
            "?$select=isDraft,categories,subject,toRecipients,ccRecipients",
        ),
    )
    if not draft.get("isDraft"):
        raise BadRequest(
            "Dit bericht is geen concept (meer); alleen concepten gaan ter goedkeuring."
        )
    await ensure_categories(graph, mailbox, CATEGORIES, create=True)
    keep = [c for c in draft.get("categories") or [] if c not in (AWAITING, REJECTED)]
    marked = await graph_one(
        graph,
        BatchRequest(
            "PATCH", f"/users/{mailbox}/messages/{draft_id}", {"categories": [*keep, AWAITING]}
        ),
    )
    async with sessions() as session, session.begin():
        row = ApprovalRow(
            id=approval_id,
            mailbox=mailbox,
            draft_id=draft_id,
            message_id=message_id,
            subject=(marked.get("subject") or "")[:400],
            recipients=";".join(recipients_of(marked))[:1000],
            change_key=marked["changeKey"],
            template=template,
            note=note.strip()[:4000],
            requested_by=actor,
            status="waiting",
            reminders=0,
        )
        session.add(row)
    return row


async def _tell_her(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    row: ApprovalRow,
    actor: str,
    app_sender: str | None,
    link_base: str,
) -> str | None:
    """The notice with the link, from ``app_sender`` (the app's own identity sends) or else
    from ``actor``'s own mailbox; audited either way. The request stands when it fails: the
    answer is why (``not_sent``), None when it went out."""
    sender = (app_sender or actor).lower()
    link = f"{link_base}/goedkeuren/{row.id}"
    note_html = f"<p><b>Notitie:</b> {escape(row.note)}</p>" if row.note else ""
    html = (
        f"<p>Er staat een concept voor u klaar ter goedkeuring: "
        f"<b>{escape(row.subject)}</b>.</p>{note_html}"
        f'<p><a href="{escape(link)}">Bekijken en beslissen</a></p>'
    )
    try:
        await send_tagged_mail(
            graph, sender, [row.mailbox], f"Ter goedkeuring: {row.subject}", html,
            f"approval-request/{row.id}",
        )  # fmt: skip
    except AppError as exc:
        reason = failure_reason(exc, sender, app_sent=app_sender is not None)
        await audit(sessions, row, actor, "approval.notify", "failure", sender=sender,
                    error=reason, graph_error=exc.message[:400])  # fmt: skip
        return not_sent(reason)
    await audit(sessions, row, actor, "approval.notify", sender=sender)
    return None
