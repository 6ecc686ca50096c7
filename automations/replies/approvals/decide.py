"""The executive's decision (DESIGN principle 5: she approves the version she saw).

- **Approve (and edit)**: one journaled operation of two steps. *mark* updates the draft with
  ``If-Match`` on the version she saw (Graph answers 412 when the draft changed: nothing is
  sent) and tags it; *send* sends it. A resumed step first looks whether it took effect (the
  tag travels with the sent item), so a double tap, a retry after a timeout or a fault sends
  once. The first approval fixes the operation id on the approval; later taps resume that one.
- **Reject**: category "Afgekeurd", the comment stored, the secretary who asked and the front
  office on duty told; the item is back with the secretariat. A notice that cannot be sent
  leaves the rejection standing and says so (``notice_error``, the audit log, the queue's
  "niet gemeld") until ``notify_rejected`` gets it out.
- **Revise** (``request.resubmit``): the secretariat offers the revised draft again, as a
  new approval that replaces the rejected one.
- **Later**: she looked and decides later; it stays in her queue, marked as seen.

The caller (``automations.replies.flows``) has loaded the approval and authorised the actor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from markupsafe import escape
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import AppError, BadRequest
from automations.graph import BatchRequest, GraphSession
from automations.journal import Journal, OperationNotFound, StepContext, StepPlan
from automations.mailboxes.tagged import TAG_PROPERTY, find_tagged, graph_one, send_tagged_mail
from automations.queue.service import REJECTION_NOTICE
from automations.replies.approvals.lifecycle import close_if_gone, deleted_items
from automations.replies.approvals.views import (
    AWAITING,
    REJECTED,
    STATUS_LABELS,
    ApprovalClosed,
    ApprovalView,
    DraftChanged,
    audit,
    failure_reason,
    load,
    not_sent,
    view_of,
    with_notices,
)
from automations.replies.html import clean
from automations.store import clock_of, rowcount
from automations.store.models import ApprovalRow

__all__ = ["CLAIM_GRACE", "defer", "notify_rejected", "reject", "send_approved"]

#: How long a tap's claim stands before it has planned its send. Normally the gap is one
#: database write; a claim older than this without a plan is from a tap whose server died.
CLAIM_GRACE = dt.timedelta(seconds=30)


class SendingElsewhere(ApprovalClosed):
    code = "approval_sending"

    def __init__(self) -> None:
        super().__init__("Dit concept wordt op dit moment al verzonden (ander apparaat of tik).")


async def _claim(
    sessions: async_sessionmaker[AsyncSession], row: ApprovalRow, actor: str, operation_id: str
) -> str | None:
    """The operation that sends this approval: ours, or the one an earlier tap started."""
    async with sessions() as session, session.begin():
        claimed = await session.execute(
            update(ApprovalRow)
            .where(
                ApprovalRow.id == row.id,
                ApprovalRow.status == "waiting",
                ApprovalRow.send_operation_id.is_(None),
            )
            .values(
                status="sending",
                send_operation_id=operation_id,
                decided_by=actor,
                decided_at=clock_of(session).now(),
            )
        )
        if rowcount(claimed) == 1:
            return operation_id
        fresh = await load(session, row.id)
        if fresh.status in ("sending", "sent"):
            return fresh.send_operation_id
        raise ApprovalClosed(f"Dit concept is al afgehandeld ({STATUS_LABELS[fresh.status]}).")


async def _release(
    sessions: async_sessionmaker[AsyncSession], approval_id: str, op_id: str
) -> None:
    """Back to waiting: this operation sent nothing (refused, or never planned)."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(ApprovalRow)
            .where(ApprovalRow.id == approval_id, ApprovalRow.send_operation_id == op_id)
            .values(status="waiting", send_operation_id=None, decided_by=None, decided_at=None)
        )


async def _release_abandoned(
    sessions: async_sessionmaker[AsyncSession], approval_id: str, op_id: str
) -> None:
    """Release a claim whose operation was never planned, but only once it is stale: a claim
    younger than ``CLAIM_GRACE`` belongs to a tap still on its way to planning (a double tap,
    her phone and her laptop at once), and taking it away would let both send."""
    async with sessions() as session:
        fresh = await load(session, approval_id)
        now = clock_of(session).now()
    claimed = fresh.decided_at
    if fresh.send_operation_id == op_id and claimed is not None and now - claimed < CLAIM_GRACE:
        raise SendingElsewhere()
    await _release(sessions, approval_id, op_id)


def _steps(
    row: ApprovalRow, categories: list[str], seen: str, edited_html: str | None
) -> list[StepPlan]:
    tag = f"approval/{row.id}"
    patch: dict[str, Any] = {
        "categories": [c for c in categories if c not in (AWAITING, REJECTED)],
        "singleValueExtendedProperties": [{"id": TAG_PROPERTY, "value": tag}],
    }
    if edited_html is not None:
        patch["body"] = {"contentType": "html", "content": clean(edited_html)}
    return [
        StepPlan(
            "mark", {"draft_id": row.draft_id, "change_key": seen, "patch": patch, "tag": tag}
        ),
        StepPlan("send", {"draft_id": row.draft_id, "tag": tag}),
    ]


def _executors(graph: GraphSession) -> tuple[Any, Any]:
    async def execute(ctx: StepContext) -> dict[str, Any]:
        p, base = ctx.params, f"/users/{ctx.mailbox}/messages"
        if ctx.name == "mark":
            [answer] = await graph.batch(
                [
                    BatchRequest(
                        "PATCH",
                        f"{base}/{p['draft_id']}",
                        p["patch"],
                        headers={"If-Match": f'W/"{p["change_key"]}"'},
                    )
                ]
            )
            if answer.status == 412:
                raise DraftChanged()
            answer.raise_for_status()
            return {"change_key": answer.body.get("changeKey")}
        await graph_one(graph, BatchRequest("POST", f"{base}/{p['draft_id']}/send"))
        return {"sent": True}

    async def verify(ctx: StepContext) -> dict[str, Any] | None:
        p, base = ctx.params, f"/users/{ctx.mailbox}/messages"
        prop = f"singleValueExtendedProperties($filter=id eq '{TAG_PROPERTY}')"
        [answer] = await graph.batch(
            [BatchRequest("GET", f"{base}/{p['draft_id']}?$select=isDraft&$expand={prop}")]
        )
        if answer.status == 404:  # its id changed on sending: look for the tag
            found = await find_tagged(graph, ctx.mailbox, p["tag"])
            return {"verified": True} if found and not found["isDraft"] else None
        answer.raise_for_status()
        if ctx.name == "mark":
            tags = [e.get("value") for e in answer.body.get("singleValueExtendedProperties") or []]
            return {"verified": True} if p["tag"] in tags else None
        return {"verified": True} if answer.body.get("isDraft") is False else None

    return execute, verify


async def _draft_now(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], row: ApprovalRow
) -> Any:
    """The draft as it is before sending; gone or sent elsewhere closes the approval."""
    answer, trash = await graph.batch(
        [
            BatchRequest(
                "GET",
                f"/users/{row.mailbox}/messages/{row.draft_id}"
                "?$select=isDraft,categories,changeKey,parentFolderId",
            ),
            deleted_items(row.mailbox),
        ]
    )
    if answer.status != 404:
        answer.raise_for_status()
    trash.raise_for_status()
    draft = answer.body if answer.ok else None
    closed = await close_if_gone(graph, sessions, row, draft, trash.body["id"])
    if closed.status != "waiting":
        raise ApprovalClosed(f"Er is niets verzonden: {STATUS_LABELS[closed.status].lower()}.")
    return draft


async def send_approved(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    journal: Journal,
    *,
    row: ApprovalRow,
    actor: str,
    seen_change_key: str | None,
    operation_id: str,
    edited_html: str | None = None,
    _again: bool = False,
) -> ApprovalView:
    """Send the draft as the executive saw it (or as she edited it); once, whatever happens."""
    actor = actor.lower()
    if row.status == "sent":
        return view_of(row)
    if edited_html is not None and not clean(edited_html).strip():
        raise BadRequest("Het bewerkte concept is leeg; er is niets verzonden.")
    draft = await _draft_now(graph, sessions, row) if row.status == "waiting" else None
    op_id = await _claim(sessions, row, actor, operation_id)
    assert op_id is not None
    execute, verify = _executors(graph)
    try:
        if op_id == operation_id and draft is not None:
            seen = seen_change_key or row.change_key
            steps = _steps(row, draft.get("categories") or [], seen, edited_html)
            await journal.submit(
                kind="approval.send", actor=actor, mailbox=row.mailbox, steps=steps,
                executor=execute, verify=verify, operation_id=op_id,
            )  # fmt: skip
        else:
            try:
                await journal.run(op_id, execute, verify=verify)  # an earlier tap's, resumed
            except OperationNotFound:
                # That tap claimed the approval and stopped before planning: release, start over.
                if _again:
                    raise
                await _release_abandoned(sessions, row.id, op_id)
                async with sessions() as session:
                    fresh = await load(session, row.id)
                return await send_approved(
                    graph, sessions, journal, row=fresh, actor=actor,
                    seen_change_key=seen_change_key, operation_id=operation_id,
                    edited_html=edited_html, _again=True,
                )  # fmt: skip
    except DraftChanged:
        await _release(sessions, row.id, op_id)
        await audit(
            sessions, row, actor, "approval.approve", "failure",
            reason="draft_changed", operation_id=op_id,
        )  # fmt: skip
        raise
    async with sessions() as session, session.begin():
        fresh = await load(session, row.id)
        newly = fresh.status != "sent"
        if newly:
            fresh.status, fresh.decided_by = "sent", actor
            fresh.decided_at = clock_of(session).now()
        view = view_of(fresh)
    if newly:
        action = "approval.edit_and_send" if edited_html is not None else "approval.approve"
        await audit(sessions, view, actor, action, operation_id=op_id)
    return view


async def reject(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    row: ApprovalRow,
    actor: str,
    comment: str,
    front_office: str | None,
    link_base: str,
) -> ApprovalView:
    """Back to the secretariat with a comment; the one who asked and the front office on duty
    hear it. When that notice fails the rejection stands: ``notice_error`` says why."""
    actor, comment = actor.lower(), comment.strip()
    if row.status == "rejected":
        return await _with_notice(sessions, row)
    if row.status != "waiting":
        raise ApprovalClosed(f"Dit concept is al afgehandeld ({STATUS_LABELS[row.status]}).")
    base = f"/users/{row.mailbox}/messages/{row.draft_id}"
    draft = await graph_one(graph, BatchRequest("GET", f"{base}?$select=categories,isDraft"))
    keep = [c for c in draft.get("categories") or [] if c not in (AWAITING, REJECTED)]
    await graph_one(graph, BatchRequest("PATCH", base, {"categories": [*keep, REJECTED]}))
    async with sessions() as session, session.begin():
        decided = await session.execute(
            update(ApprovalRow)
            .where(ApprovalRow.id == row.id, ApprovalRow.status == "waiting")
            .values(
                status="rejected",
                decided_by=actor,
                decided_at=clock_of(session).now(),
                comment=comment[:4000],
            )
        )
        fresh = await load(session, row.id)
    if rowcount(decided) != 1:
        return await _with_notice(sessions, fresh)  # another tap decided first
    view = view_of(fresh)
    await audit(sessions, view, actor, "approval.reject", comment=comment[:400])
    failed = await _tell_secretariat(graph, sessions, view, actor, front_office, link_base)
    return replace(view, notice_error=failed)


async def notify_rejected(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    row: ApprovalRow,
    actor: str,
    front_office: str | None,
    link_base: str,
) -> ApprovalView:
    """The rejection's notice once more, when it failed ("niet gemeld"); a rejection already
    told is answered as it is, so nobody hears it twice. It comes from the executive's mailbox
    whoever sends it again (her own click, a secretary's, the app's), tagged as the first
    attempt was: sent once."""
    view = await _with_notice(sessions, row)
    if view.notice_error is None:
        return view
    failed = await _tell_secretariat(graph, sessions, view, actor.lower(), front_office,
                                     link_base)  # fmt: skip
    return replace(view, notice_error=failed)


async def _with_notice(
    sessions: async_sessionmaker[AsyncSession], row: ApprovalRow
) -> ApprovalView:
    async with sessions() as session:
        [view] = await with_notices(session, [view_of(row)])
    return view


async def _tell_secretariat(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    view: ApprovalView,
    actor: str,
    front_office: str | None,
    link_base: str,
) -> str | None:
    """The rejection's notice to who asked (and ``front_office``), from the executive's
    mailbox; audited either way (``notice`` "rejection": the queue tells it from the
    request's). The answer is why it failed (``not_sent``), None when it went out."""
    sender = view.mailbox
    to = [view.requested_by, *([front_office] if front_office else [])]
    html = (
        f"<p>Het concept <b>{escape(view.subject)}</b> is afgekeurd door "
        f"{escape(view.decided_by or sender)}.</p>"
        f"<p><b>Toelichting:</b> {escape(view.comment or '')}</p>"
        "<p>Het concept staat nog in Concepten (categorie Afgekeurd): pas het aan in Outlook"
        " of in Secretariaat en bied het opnieuw aan.</p>"
        f'<p><a href="{escape(link_base)}/goedkeuren/{escape(view.id)}">Herzien en opnieuw'
        " aanbieden</a></p>"
    )
    try:
        await send_tagged_mail(
            graph, sender, to, f"Afgekeurd: {view.subject}", html, f"approval-rejected/{view.id}"
        )
    except AppError as exc:  # the decision stands; the queue shows "niet gemeld"
        reason = failure_reason(exc, sender, app_sent=False)
        await audit(sessions, view, actor, "approval.notify", "failure", sender=sender,
                    notice=REJECTION_NOTICE, error=reason,
                    graph_error=(exc.detail or exc.message)[:400])  # fmt: skip
        return not_sent(reason)
    await audit(sessions, view, actor, "approval.notify", sender=sender, notice=REJECTION_NOTICE)
    return None


async def defer(
    sessions: async_sessionmaker[AsyncSession], *, approval_id: str, actor: str
) -> ApprovalView:
    """She looked and decides later: it stays in her queue, marked as seen."""
    async with sessions() as session, session.begin():
        row = await load(session, approval_id)
        if row.status == "waiting":
            row.deferred_at = clock_of(session).now()
        view = view_of(row)
    await audit(sessions, view, actor.lower(), "approval.later")
    return view
