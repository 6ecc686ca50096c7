"""Approval of reply drafts (DESIGN principle 5): the executive approves the version she saw.

- **Request**: the draft gets the category "Ter goedkeuring"; its ``changeKey`` after that is
  recorded with who asked and the note, and the executive gets a short mail with a link.
- **Approve (and edit)**: one journaled operation of two steps. *mark* updates the draft with
  ``If-Match`` on the version she saw (Graph answers 412 when the draft changed: nothing is
  sent) and tags it; *send* sends it. A resumed step first looks whether it took effect (the
  tag travels with the sent item), so a double tap, a retry after a timeout or a fault sends
  once. The first approval fixes the operation id on the approval; later taps resume that one.
- **Reject**: category "Afgekeurd", the comment stored, the secretary who asked and the front
  office on duty told; the item is back with the secretariat.
- **Lifecycle**: a draft deleted or sent outside the product closes its approval, found when
  the approval is opened and by ``check_open``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import AppError, BadRequest, Conflict, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.journal import Journal, OperationNotFound, StepContext, StepPlan
from automations.mailboxes.tagged import find_tagged, graph_one
from automations.quicksteps.apply import ensure_categories
from automations.quicksteps.effects import TAG_PROPERTY
from automations.replies.drafts import recipients_of
from automations.replies.html import clean
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store import clock_of
from automations.store.models import ApprovalRow

__all__ = [
    "AWAITING",
    "CATEGORIES",
    "ApprovalDetail",
    "ApprovalView",
    "DraftChanged",
    "approve",
    "check_open",
    "later",
    "list_approvals",
    "open_approval",
    "reject",
    "remind_waiting",
    "request_approval",
    "send_tagged_mail",
]

AWAITING = "Ter goedkeuring"
REJECTED = "Afgekeurd"
CATEGORIES = {AWAITING: "preset3", REJECTED: "preset0"}  # yellow, red
OPEN = ("waiting", "sending")
STATUS_LABELS = {
    "waiting": "Wacht op besluit",
    "sending": "Wordt verzonden",
    "sent": "Goedgekeurd en verzonden",
    "rejected": "Afgekeurd",
    "deleted": "Concept verwijderd",
    "sent_elsewhere": "Buiten Secretariaat verzonden",
}
_NAMESPACE = uuid.UUID("3f0b8a52-8d7e-4f7e-9a3c-5b2f1c9e7d10")
_DRAFT = (
    "$select=subject,body,toRecipients,ccRecipients,changeKey,isDraft,categories,"
    "lastModifiedDateTime,webLink,parentFolderId"
)
_ORIGINAL = "$select=subject,from,receivedDateTime,body,toRecipients"


class DraftChanged(Conflict):
    code = "draft_changed"

    def __init__(self) -> None:
        super().__init__("Het concept is gewijzigd; bekijk het opnieuw.")


class ApprovalClosed(Conflict):
    code = "approval_closed"


@dataclass(frozen=True)
class ApprovalView:
    id: str
    mailbox: str
    draft_id: str
    message_id: str
    subject: str
    recipients: list[str]
    status: str
    status_label: str
    requested_by: str
    requested_at: dt.datetime
    change_key: str
    note: str
    template: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    comment: str | None
    deferred_at: dt.datetime | None


@dataclass(frozen=True)
class ApprovalDetail:
    approval: ApprovalView
    draft_html: str  # cleaned: safe to show
    draft_change_key: str | None  # the version shown now; approve names it
    changed: bool  # differs from the version approval was asked for
    draft_to: list[str]
    attachments: list[str]
    original: Mapping[str, Any] | None  # subject, sender, received, html (cleaned)


def _view(row: ApprovalRow) -> ApprovalView:
    return ApprovalView(
        id=row.id,
        mailbox=row.mailbox,
        draft_id=row.draft_id,
        message_id=row.message_id,
        subject=row.subject,
        recipients=[r for r in row.recipients.split(";") if r],
        status=row.status,
        status_label=STATUS_LABELS[row.status],
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        change_key=row.change_key,
        note=row.note,
        template=row.template,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        comment=row.comment,
        deferred_at=row.deferred_at,
    )


async def _row(session: AsyncSession, approval_id: str) -> ApprovalRow:
    row = await session.get(ApprovalRow, approval_id)
    if row is None:
        raise NotFound("Dit verzoek om goedkeuring bestaat niet (meer).")
    return row


async def _audit(
    sessions: async_sessionmaker[AsyncSession],
    row: ApprovalRow | ApprovalView,
    actor: str,
    action: str,
    outcome: str = "success",
    **details: Any,
) -> None:
    async with sessions() as session, session.begin():
        await record(
            session,
            AuditEntry(
                actor=actor,
                mailbox=row.mailbox,
                action=action,
                outcome=outcome,  # type: ignore[arg-type]
                item_id=row.draft_id,
                operation_id=details.pop("operation_id", None),
                details={"approval": row.id, **details},
            ),
        )


async def send_tagged_mail(
    graph: GraphSession, sender: str, to: Sequence[str], subject: str, html: str, tag: str
) -> None:
    """A notice from ``sender``'s mailbox, tagged so it is sent once per ``tag``."""
    if await find_tagged(graph, sender, tag) is not None:
        return
    message = {
        "subject": subject,
        "body": {"contentType": "html", "content": html},
        "toRecipients": [{"emailAddress": {"address": a}} for a in dict.fromkeys(to)],
        "singleValueExtendedProperties": [{"id": TAG_PROPERTY, "value": tag}],
    }
    await graph_one(
        graph,
        BatchRequest(
            "POST", f"/users/{sender}/sendMail", {"message": message, "saveToSentItems": True}
        ),
    )


# --- request ----------------------------------------------------------------------------------
async def request_approval(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    mailbox: str,
    draft_id: str,
    message_id: str,
    actor: str,
    note: str,
    template: str | None,
    operation_id: str,
    link_base: str,
) -> ApprovalView:
    """Ask the executive to decide on a draft; once per ``operation_id`` (and per draft)."""
    mailbox, actor = mailbox.lower(), actor.lower()
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    approval_id = str(uuid.uuid5(_NAMESPACE, operation_id))
    async with sessions() as session:
        mine = await session.get(ApprovalRow, approval_id)
        other = await session.scalar(
            select(ApprovalRow).where(
                ApprovalRow.draft_id == draft_id, ApprovalRow.status.in_(OPEN)
            )
        )
    if other is not None and other.id != approval_id:
        return _view(other)  # already waiting: one approval per draft at a time
    if mine is None:
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
            mine = ApprovalRow(
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
            session.add(mine)
        await _audit(sessions, mine, actor, "approval.request", operation_id=operation_id)
    if actor != mailbox:
        link = f"{link_base}/goedkeuren/{approval_id}"
        note_html = f"<p><b>Notitie:</b> {escape(mine.note)}</p>" if mine.note else ""
        html = (
            f"<p>Er staat een concept voor u klaar ter goedkeuring: "
            f"<b>{escape(mine.subject)}</b>.</p>{note_html}"
            f'<p><a href="{escape(link)}">Bekijken en beslissen</a></p>'
        )
        try:
            await send_tagged_mail(
                graph, actor, [mailbox], f"Ter goedkeuring: {mine.subject}", html,
                f"approval-request/{approval_id}",
            )  # fmt: skip
        except AppError as exc:  # the request stands; the failed notice is in the audit log
            await _audit(sessions, mine, actor, "approval.notify", "failure", error=exc.message)
    return _view(mine)


# --- open and lifecycle -----------------------------------------------------------------------
def _deleted_items(mailbox: str) -> BatchRequest:
    return BatchRequest("GET", f"/users/{mailbox}/mailFolders/deleteditems?$select=id")


async def _close_if_gone(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    row: ApprovalRow,
    draft: Any,
    deleted_items: str | None = None,
) -> ApprovalRow:
    """A waiting approval whose draft was deleted or sent elsewhere is closed as such.

    Deleting in Outlook moves the draft to Deleted Items (it still answers by id there).
    """
    if row.status != "waiting":
        return row
    if draft is not None and deleted_items and draft.get("parentFolderId") == deleted_items:
        status = "deleted"
    elif draft is None:
        elsewhere = await find_tagged(graph, row.mailbox, f"approval/{row.id}")
        status = "sent" if elsewhere and not elsewhere["isDraft"] else "deleted"
    elif not draft.get("isDraft", True):
        status = "sent_elsewhere"
    else:
        return row
    async with sessions() as session, session.begin():
        fresh = await _row(session, row.id)
        if fresh.status == "waiting":
            fresh.status, fresh.decided_at = status, clock_of(session).now()
        row = fresh
    await _audit(sessions, row, "system@secretariaat", f"approval.{status}")
    return row


async def open_approval(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    approval_id: str,
    actor: str,
) -> ApprovalDetail:
    """The approval with the draft as it is now and the original it answers."""
    async with sessions() as session:
        row = await _row(session, approval_id)
    authorize(roster, actor, Action.ACT_ON_MAILBOX, row.mailbox)
    base = f"/users/{row.mailbox}/messages"
    draft, original, attached, trash = await graph.batch(
        [
            BatchRequest("GET", f"{base}/{row.draft_id}?{_DRAFT}"),
            BatchRequest("GET", f"{base}/{row.message_id}?{_ORIGINAL}"),
            BatchRequest("GET", f"{base}/{row.draft_id}/attachments?$select=name,size"),
            _deleted_items(row.mailbox),
        ]
    )
    if draft.status != 404:
        draft.raise_for_status()
    trash.raise_for_status()
    body = draft.body if draft.ok else None
    row = await _close_if_gone(graph, sessions, row, body, trash.body["id"])
    found = None
    if original.ok:
        sender = (original.body.get("from") or {}).get("emailAddress") or {}
        found = {
            "subject": original.body.get("subject") or "",
            "sender": sender.get("name") or sender.get("address") or "",
            "received": original.body.get("receivedDateTime"),
            "html": clean((original.body.get("body") or {}).get("content") or ""),
        }
    return ApprovalDetail(
        approval=_view(row),
        draft_html=clean(body["body"]["content"]) if body else "",
        draft_change_key=body.get("changeKey") if body else None,
        changed=bool(body) and body.get("changeKey") != row.change_key,
        draft_to=recipients_of(body) if body else [],
        attachments=[a["name"] for a in attached.body["value"]] if attached.ok else [],
        original=found,
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
        [_deleted_items(mailbox)]
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
        after = await _close_if_gone(graph, sessions, row, draft, trash.body["id"])
        if after.status != "waiting":
            closed.append(_view(after))
    return closed


async def list_approvals(
    session: AsyncSession,
    *,
    mailboxes: Sequence[str],
    status: str | None = None,
    requested_by: str | None = None,
) -> list[ApprovalView]:
    query = select(ApprovalRow).where(ApprovalRow.mailbox.in_([m.lower() for m in mailboxes]))
    if status == "open":
        query = query.where(ApprovalRow.status.in_(OPEN))
    elif status:
        query = query.where(ApprovalRow.status == status)
    if requested_by:
        query = query.where(ApprovalRow.requested_by == requested_by.lower())
    rows = await session.scalars(query.order_by(ApprovalRow.requested_at.desc()).limit(500))
    return [_view(r) for r in rows]


# --- decide -----------------------------------------------------------------------------------
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
            .values(status="sending", send_operation_id=operation_id, decided_by=actor)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return operation_id
        fresh = await _row(session, row.id)
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
            .values(status="waiting", send_operation_id=None, decided_by=None)
        )


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


async def approve(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    journal: Journal,
    *,
    roster: Roster,
    approval_id: str,
    actor: str,
    seen_change_key: str | None,
    operation_id: str,
    edited_html: str | None = None,
    _again: bool = False,
) -> ApprovalView:
    """Send the draft as the executive saw it (or as she edited it); once, whatever happens."""
    actor = actor.lower()
    async with sessions() as session:
        row = await _row(session, approval_id)
    authorize(roster, actor, Action.DECIDE_APPROVAL, row.mailbox)
    if row.status == "sent":
        return _view(row)
    if edited_html is not None and not clean(edited_html).strip():
        raise BadRequest("Het bewerkte concept is leeg; er is niets verzonden.")
    draft = None
    if row.status == "waiting":
        answer, trash = await graph.batch(
            [
                BatchRequest(
                    "GET",
                    f"/users/{row.mailbox}/messages/{row.draft_id}"
                    "?$select=isDraft,categories,changeKey,parentFolderId",
                ),
                _deleted_items(row.mailbox),
            ]
        )
        if answer.status != 404:
            answer.raise_for_status()
        trash.raise_for_status()
        draft = answer.body if answer.ok else None
        closed = await _close_if_gone(graph, sessions, row, draft, trash.body["id"])
        if closed.status != "waiting":
            raise ApprovalClosed(f"Er is niets verzonden: {STATUS_LABELS[closed.status].lower()}.")
    op_id = await _claim(sessions, row, actor, operation_id)
    assert op_id is not None
    execute, verify = _executors(graph)
    try:
        if op_id == operation_id and draft is not None:
            seen = seen_change_key or row.change_key
            steps = _steps(row, draft.get("categories") or [], seen, edited_html)
            await journal.submit(
                kind="approval.send",
                actor=actor,
                mailbox=row.mailbox,
                steps=steps,
                executor=execute,
                verify=verify,
                operation_id=op_id,
            )
        else:
            try:
                await journal.run(op_id, execute, verify=verify)  # an earlier tap's, resumed
            except OperationNotFound:
                # That tap claimed the approval and stopped before planning: release, start over.
                if not _again:
                    await _release(sessions, row.id, op_id)
                    return await approve(
                        graph, sessions, journal, roster=roster, approval_id=approval_id,
                        actor=actor, seen_change_key=seen_change_key,
                        operation_id=operation_id, edited_html=edited_html, _again=True,
                    )  # fmt: skip
                raise
    except DraftChanged:
        await _release(sessions, row.id, op_id)
        await _audit(
            sessions, row, actor, "approval.approve", "failure",
            reason="draft_changed", operation_id=op_id,
        )  # fmt: skip
        raise
    async with sessions() as session, session.begin():
        fresh = await _row(session, row.id)
        if fresh.status != "sent":
            fresh.status, fresh.decided_by, fresh.decided_at = (
                "sent",
                actor,
                clock_of(session).now(),
            )
            newly = True
        else:
            newly = False
        view = _view(fresh)
    if newly:
        action = "approval.edit_and_send" if edited_html is not None else "approval.approve"
        await _audit(sessions, view, actor, action, operation_id=op_id)
    return view


async def reject(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    approval_id: str,
    actor: str,
    comment: str,
    today: dt.date,
    link_base: str,
) -> ApprovalView:
    """Back to the secretariat with a comment; the one who asked and the front office hear it."""
    actor, comment = actor.lower(), comment.strip()
    if not comment:
        raise BadRequest("Geef bij afwijzen een toelichting voor het secretariaat.")
    async with sessions() as session:
        row = await _row(session, approval_id)
    authorize(roster, actor, Action.DECIDE_APPROVAL, row.mailbox)
    if row.status == "rejected":
        return _view(row)
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
        fresh = await _row(session, row.id)
        view = _view(fresh)
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        return view  # another tap decided first
    await _audit(sessions, view, actor, "approval.reject", comment=comment[:400])
    front = roster.front_office_on(row.mailbox, today)
    to = [row.requested_by, *([front] if front else [])]
    html = (
        f"<p>Het concept <b>{escape(row.subject)}</b> is afgekeurd door "
        f"{escape(actor)}.</p><p><b>Toelichting:</b> {escape(comment)}</p>"
        f'<p><a href="{escape(link_base)}/goedkeuren/{escape(row.id)}">Bekijken</a></p>'
    )
    try:
        await send_tagged_mail(
            graph, row.mailbox, to, f"Afgekeurd: {row.subject}", html, f"approval-rejected/{row.id}"
        )
    except AppError as exc:  # the decision stands; the notice is in the audit log as failed
        await _audit(sessions, view, actor, "approval.notify", "failure", error=exc.message)
    return view


async def later(
    sessions: async_sessionmaker[AsyncSession], *, roster: Roster, approval_id: str, actor: str
) -> ApprovalView:
    """She looked and decides later: it stays in her queue, marked as seen."""
    async with sessions() as session, session.begin():
        row = await _row(session, approval_id)
        authorize(roster, actor, Action.DECIDE_APPROVAL, row.mailbox)
        if row.status == "waiting":
            row.deferred_at = clock_of(session).now()
        view = _view(row)
    await _audit(sessions, view, actor.lower(), "approval.later")
    return view


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
        return [_view(r) for r in rows]
    reminded = []
    for row in rows:
        async with sessions() as session, session.begin():
            won = await session.execute(
                update(ApprovalRow)
                .where(ApprovalRow.id == row.id, ApprovalRow.reminders == row.reminders)
                .values(reminders=row.reminders + 1, last_reminded_at=now)
            )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another run reminded it just now
        link = f"{link_base}/goedkeuren/{row.id}"
        html = (
            f"<p>Het concept <b>{escape(row.subject)}</b> wacht sinds "
            f"{row.requested_at:%d-%m-%Y %H:%M} UTC op uw besluit.</p>"
            f'<p><a href="{escape(link)}">Bekijken en beslissen</a></p>'
        )
        await send_tagged_mail(
            graph, sender, [row.mailbox], f"Herinnering – ter goedkeuring: {row.subject}", html,
            f"approval-reminder/{row.id}/{row.reminders + 1}",
        )  # fmt: skip
        await _audit(sessions, row, sender, "approval.remind", count=row.reminders + 1)
        reminded.append(_view(row))
    return reminded
