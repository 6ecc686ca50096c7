"""An approval's life outside our clicks: a draft deleted or sent in Outlook closes its
approval (found when the approval is opened, and by ``check_open``), and a draft left waiting
too long reminds the executive, once per period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import escape
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.tagged import find_tagged, send_tagged_mail
from automations.replies.approvals.views import (
    ApprovalDetail,
    ApprovalView,
    audit,
    history_of,
    load,
    successor_of,
    view_of,
    with_notices,
)
from automations.replies.drafts import recipients_of
from automations.replies.html import clean
from automations.store import clock_of, rowcount
from automations.store.models import ApprovalRow

__all__ = ["check_open", "close_if_gone", "deleted_items", "read_approval", "remind_waiting"]

_DRAFT = (
    "$select=subject,body,toRecipients,ccRecipients,changeKey,isDraft,categories,"
    "lastModifiedDateTime,webLink,parentFolderId"
)
_ORIGINAL = "$select=subject,from,receivedDateTime,body,toRecipients"


def deleted_items(mailbox: str) -> BatchRequest:
    """The id of Deleted Items: a draft deleted in Outlook still answers by id there."""
    return BatchRequest("GET", f"/users/{mailbox}/mailFolders/deleteditems?$select=id")


async def close_if_gone(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    row: ApprovalRow,
    draft: Any,
    trash_id: str | None = None,
) -> ApprovalRow:
    """A waiting approval whose draft was deleted or sent elsewhere is closed as such."""
    if row.status != "waiting":
        return row
    if draft is not None and trash_id and draft.get("parentFolderId") == trash_id:
        status = "deleted"
    elif draft is None:
        elsewhere = await find_tagged(graph, row.mailbox, f"approval/{row.id}")
        status = "sent" if elsewhere and not elsewhere["isDraft"] else "deleted"
    elif not draft.get("isDraft", True):
        status = "sent_elsewhere"
    else:
        return row
    async with sessions() as session, session.begin():
        fresh = await load(session, row.id)
        if fresh.status == "waiting":
            fresh.status, fresh.decided_at = status, clock_of(session).now()
        row = fresh
    await audit(sessions, row, "system@secretariaat", f"approval.{status}")
    return row


async def read_approval(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], row: ApprovalRow
) -> ApprovalDetail:
    """The approval with the draft as it is now and the original it answers (one $batch),
    with the earlier versions it replaced, or the version that replaced it."""
    base = f"/users/{row.mailbox}/messages"
    draft, original, attached, trash = await graph.batch(
        [
            BatchRequest("GET", f"{base}/{row.draft_id}?{_DRAFT}"),
            BatchRequest("GET", f"{base}/{row.message_id}?{_ORIGINAL}"),
            BatchRequest("GET", f"{base}/{row.draft_id}/attachments?$select=name,size"),
            deleted_items(row.mailbox),
        ]
    )
    if draft.status != 404:
        draft.raise_for_status()
    trash.raise_for_status()
    body = draft.body if draft.ok else None
    row = await close_if_gone(graph, sessions, row, body, trash.body["id"])
    found = None
    if original.ok:
        sender = (original.body.get("from") or {}).get("emailAddress") or {}
        found = {
            "subject": original.body.get("subject") or "",
            "sender": sender.get("name") or sender.get("address") or "",
            "received": original.body.get("receivedDateTime"),
            "html": clean((original.body.get("body") or {}).get("content") or ""),
        }
    async with sessions() as session:
        [view] = await with_notices(session, [view_of(row)])
        history = await history_of(session, row)
        after = await successor_of(session, row.id) if row.status == "revised" else None
    return ApprovalDetail(
        approval=view,
        draft_html=clean(body["body"]["content"]) if body else "",
        draft_change_key=body.get("changeKey") if body else None,
        changed=bool(body and body.get("changeKey") != row.change_key),
        draft_to=recipients_of(body) if body else [],
        attachments=[a["name"] for a in attached.body["value"]] if attached.ok else [],
        original=found,
        history=history,
        replaced_by=view_of(after) if after else None,
    )


async def check_open(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], *, mailbox: str
) -> list[ApprovalView]:
    """Close the waiting approvals of a mailbox whose drafts are gone (one $batch per 20)."""
    async with sessions() as session:
        rows = list(
            await session.scalars(
                select(ApprovalRow).where(
                    ApprovalRow.mailbox == mailbox.lower(), ApprovalRow.status == "waiting"
                )
            )
        )
    if not rows:
        return []
    trash, *answers = await graph.batch(
        [deleted_items(mailbox)]
        + [
            BatchRequest(
                "GET", f"/users/{r.mailbox}/messages/{r.draft_id}?$select=isDraft,parentFolderId"
            )
            for r in rows
        ]
    )
    trash.raise_for_status()
    closed = []
    for row, answer in zip(rows, answers, strict=True):
        if answer.status != 404:
            answer.raise_for_status()
        draft = answer.body if answer.ok else None
        after = await close_if_gone(graph, sessions, row, draft, trash.body["id"])
        if after.status != "waiting":
            closed.append(view_of(after))
    return closed


async def remind_waiting(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    mailbox: str,
    sender: str,
    after: dt.timedelta,
    now: dt.datetime,
    link_base: str,
    dry_run: bool = False,
) -> list[ApprovalView]:
    """Remind the executive of drafts waiting longer than ``after``, once per such period
    (``dry_run``: only which would be reminded)."""
    due = now - after
    async with sessions() as session:
        rows = list(
            await session.scalars(
                select(ApprovalRow).where(
                    ApprovalRow.mailbox == mailbox.lower(),
                    ApprovalRow.status == "waiting",
                    ApprovalRow.requested_at <= due,
                    or_(
                        ApprovalRow.last_reminded_at.is_(None), ApprovalRow.last_reminded_at <= due
                    ),
                )
            )
        )
    if dry_run:
        return [view_of(r) for r in rows]
    reminded = []
    for row in rows:
        async with sessions() as session, session.begin():
            won = await session.execute(
                update(ApprovalRow)
                .where(ApprovalRow.id == row.id, ApprovalRow.reminders == row.reminders)
                .values(reminders=row.reminders + 1, last_reminded_at=now)
            )
        if rowcount(won) != 1:
            continue  # another run reminded it just now
        link = f"{link_base}/goedkeuren/{row.id}"
        html = (
            f"<p>Het concept <b>{escape(row.subject)}</b> wacht sinds "
            f"{row.requested_at:%d-%m-%Y %H:%M} UTC op uw besluit.</p>"
            f'<p><a href="{escape(link)}">Bekijken en beslissen</a></p>'
        )
        try:
            await send_tagged_mail(
                graph, sender, [row.mailbox], f"Herinnering – ter goedkeuring: {row.subject}",
                html, f"approval-reminder/{row.id}/{row.reminders + 1}",
            )  # fmt: skip
        except Exception:
            # Not sent (or not known to be): give the claim back, so the next run reminds
            # her; the mail's tag makes sure a reminder that did go out is not sent twice.
            async with sessions() as session, session.begin():
                await session.execute(
                    update(ApprovalRow)
                    .where(ApprovalRow.id == row.id, ApprovalRow.reminders == row.reminders + 1)
                    .values(reminders=row.reminders, last_reminded_at=row.last_reminded_at)
                )
            raise
        await audit(sessions, row, sender, "approval.remind", count=row.reminders + 1)
        reminded.append(view_of(row))
    return reminded
