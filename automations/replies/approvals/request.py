"""Asking the executive to decide on a draft: the draft gets the category "Ter goedkeuring",
its ``changeKey`` after that is recorded with who asked and the note, and she gets a short
mail with a link to the approval page."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import AppError, BadRequest
from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.categories import ensure_categories
from automations.mailboxes.tagged import graph_one, send_tagged_mail
from automations.replies.approvals.views import (
    AWAITING,
    CATEGORIES,
    OPEN,
    REJECTED,
    ApprovalView,
    approval_id_for,
    audit,
    view_of,
)
from automations.replies.drafts import recipients_of
from automations.store.models import ApprovalRow

__all__ = ["request_approval"]


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
) -> ApprovalView:
    """Ask once per ``operation_id`` (and per draft: a draft already waiting is answered with
    that approval). The caller has authorised ``actor`` on ``mailbox``."""
    mailbox, actor = mailbox.lower(), actor.lower()
    approval_id = approval_id_for(operation_id)
    async with sessions() as session:
        mine = await session.get(ApprovalRow, approval_id)
        other = await session.scalar(
            select(ApprovalRow).where(
                ApprovalRow.draft_id == draft_id, ApprovalRow.status.in_(OPEN)
            )
        )
    if other is not None and other.id != approval_id:
        return view_of(other)  # already waiting: one approval per draft at a time
    if mine is None:
        mine = await _mark_and_record(
            graph, sessions, approval_id=approval_id, mailbox=mailbox, draft_id=draft_id,
            message_id=message_id, actor=actor, note=note, template=template,
        )  # fmt: skip
        await audit(sessions, mine, actor, "approval.request", operation_id=operation_id)
    if actor != mailbox:
        await _tell_her(graph, sessions, mine, actor, link_base)
    return view_of(mine)


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
    link_base: str,
) -> None:
    """The notice with the link; the request stands when it fails (audited as failed)."""
    link = f"{link_base}/goedkeuren/{row.id}"
    note_html = f"<p><b>Notitie:</b> {escape(row.note)}</p>" if row.note else ""
    html = (
        f"<p>Er staat een concept voor u klaar ter goedkeuring: "
        f"<b>{escape(row.subject)}</b>.</p>{note_html}"
        f'<p><a href="{escape(link)}">Bekijken en beslissen</a></p>'
    )
    try:
        await send_tagged_mail(
            graph, actor, [row.mailbox], f"Ter goedkeuring: {row.subject}", html,
            f"approval-request/{row.id}",
        )  # fmt: skip
    except AppError as exc:
        await audit(sessions, row, actor, "approval.notify", "failure", error=exc.message)
