"""What an approval is, as the store keeps it and as every adapter shows it: the statuses and
their labels, the view of one approval, the refusals, and the queries that read them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, Outcome, record
from automations.errors import AccessDenied, AppError, Conflict, NotFound
from automations.queue.service import unnotified
from automations.store.models import ApprovalRow

__all__ = [
    "AWAITING",
    "CATEGORIES",
    "OPEN",
    "REJECTED",
    "STATUS_LABELS",
    "ApprovalClosed",
    "ApprovalDetail",
    "ApprovalView",
    "DraftChanged",
    "approval_id_for",
    "audit",
    "failure_reason",
    "history_of",
    "list_approvals",
    "load",
    "not_sent",
    "not_told",
    "queue_key",
    "successor_of",
    "view_of",
    "with_notices",
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
    "revised": "Herzien",
}
# The approval of a click is named by its operation id: asking twice makes one approval.
_NAMESPACE = uuid.UUID("3f0b8a52-8d7e-4f7e-9a3c-5b2f1c9e7d10")


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
    # "melding niet verstuurd: <why>": the approval stands, but she was not told of it (niet
    # gemeld) and nothing reminded her since; for a rejected one: the rejection stands, but
    # the secretary who asked was not told of it. None when told (or nobody needed to be).
    notice_error: str | None = None
    revises: str | None = None  # the rejected approval this revised version replaces

    @property
    def revision(self) -> bool:
        """A revised version, offered again after a rejection."""
        return self.revises is not None

    @property
    def open(self) -> bool:
        """Still waiting for her (or being sent): in her queue, not yet decided."""
        return self.status in OPEN


@dataclass(frozen=True)
class ApprovalDetail:
    approval: ApprovalView
    draft_html: str  # cleaned: safe to show
    draft_change_key: str | None  # the version shown now; approve names it
    changed: bool  # differs from the version approval was asked for
    draft_to: list[str]
    attachments: list[str]
    original: Mapping[str, Any] | None  # subject, sender, received, html (cleaned)
    # The earlier versions of this draft it replaced, newest first (each rejected, then
    # revised), and for a revised one the version that replaced it.
    history: list[ApprovalView] = field(default_factory=list)
    replaced_by: ApprovalView | None = None

    @property
    def version(self) -> int:
        """1 for the first request, 2 for the first revision, …"""
        return len(self.history) + 1


def not_sent(reason: str) -> str:
    """The words every adapter shows when the notice failed: the approval exists regardless."""
    return f"melding niet verstuurd: {reason}"


def failure_reason(exc: AppError, sender: str, *, app_sent: bool) -> str:
    """Why a notice did not go out, in the words a secretary (or her script) can act on."""
    if isinstance(exc, AccessDenied):
        if app_sent:
            return (
                f"de app mag niet verzenden uit postvak {sender}; neem het op in het bereik van"
                " de app (RBAC for Applications)"
            )
        return f"geen toegang tot postvak {sender}"
    if isinstance(exc, NotFound):
        return f"postvak {sender} bestaat niet" + (
            " (SECRETARIAAT_NOTICE_MAILBOX)" if app_sent else ""
        )
    return f"verzenden uit postvak {sender} mislukt: {exc.message}"


def not_told(view: ApprovalView, names: Mapping[str, str]) -> str | None:
    """What every adapter says when a notice failed, None when it did not: for a waiting draft
    ``notice_error`` itself, for a rejected one that the rejection stands but who asked was not
    told (``names``: the roster's display names)."""
    if not view.notice_error:
        return None
    if view.status != "rejected":
        return view.notice_error
    name = names.get(view.requested_by, view.requested_by)
    reason = view.notice_error.removeprefix(not_sent(""))
    return f"Afgekeurd, maar de melding aan {name} kon niet worden verstuurd: {reason}"


def approval_id_for(operation_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, operation_id))


def queue_key(approval_id: str) -> str:
    """The key its item has in the work queue (``automations.queue.service``)."""
    return f"approval:{approval_id}"


def view_of(row: ApprovalRow) -> ApprovalView:
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
        revises=row.revises,
    )


async def load(session: AsyncSession, approval_id: str) -> ApprovalRow:
    row = await session.get(ApprovalRow, approval_id)
    if row is None:
        raise NotFound("Dit verzoek om goedkeuring bestaat niet (meer).")
    return row


async def audit(
    sessions: async_sessionmaker[AsyncSession],
    row: ApprovalRow | ApprovalView,
    actor: str,
    action: str,
    outcome: Outcome = "success",
    **details: Any,
) -> None:
    """One audit entry about an approval, in a transaction of its own."""
    async with sessions() as session, session.begin():
        await record(
            session,
            AuditEntry(
                actor=actor,
                mailbox=row.mailbox,
                action=action,
                outcome=outcome,
                item_id=row.draft_id,
                operation_id=details.pop("operation_id", None),
                details={"approval": row.id, **details},
            ),
        )


async def list_approvals(
    session: AsyncSession,
    *,
    mailboxes: Sequence[str],
    status: str | None = None,
    requested_by: str | None = None,
) -> list[ApprovalView]:
    """Newest first; ``status`` "open" is waiting or being sent."""
    query = select(ApprovalRow).where(ApprovalRow.mailbox.in_([m.lower() for m in mailboxes]))
    if status == "open":
        query = query.where(ApprovalRow.status.in_(OPEN))
    elif status:
        query = query.where(ApprovalRow.status == status)
    if requested_by:
        query = query.where(ApprovalRow.requested_by == requested_by.lower())
    rows = await session.scalars(query.order_by(ApprovalRow.requested_at.desc()).limit(500))
    return await with_notices(session, [view_of(r) for r in rows])


async def with_notices(session: AsyncSession, views: Sequence[ApprovalView]) -> list[ApprovalView]:
    """The views, each saying so when who had to be told was not (``notice_error``): the
    executive of a waiting one, the secretary of a rejected one."""
    unsent = await unnotified(session, views)
    return [replace(v, notice_error=not_sent(unsent[v.id])) if v.id in unsent else v
            for v in views]  # fmt: skip


async def history_of(session: AsyncSession, row: ApprovalRow) -> list[ApprovalView]:
    """The earlier versions ``row`` replaced, newest first (at most 50: a loop stops)."""
    found: list[ApprovalView] = []
    at = row.revises
    while at is not None and len(found) < 50:
        earlier = await session.get(ApprovalRow, at)
        if earlier is None:
            break
        found.append(view_of(earlier))
        at = earlier.revises
    return found


async def successor_of(session: AsyncSession, approval_id: str) -> ApprovalRow | None:
    """The approval that replaced this one (revised and offered again), if any."""
    found: ApprovalRow | None = await session.scalar(
        select(ApprovalRow).where(ApprovalRow.revises == approval_id).limit(1)
    )
    return found
