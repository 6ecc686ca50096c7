"""The reschedule backlog (herplannen): what a calamity cleared, waiting to be planned again.

Each entry keeps what it takes to plan the meeting again (attendees, duration, location, text);
this module lists and reads entries and lets one go (``drop``, with the reason). Planning one
again — proposals, the invitation, the re-invite — is ``replanning``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.dates import AMSTERDAM
from automations.errors import BadRequest, Conflict, NotFound
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store import clock_of
from automations.store.models import RescheduleRow

__all__ = ["STATUS_LABELS", "BacklogEntry", "drop", "get_entry", "list_backlog"]

log = logging.getLogger(__name__)

STATUS_LABELS = {"open": "te herplannen", "planned": "opnieuw gepland", "dropped": "vervallen"}


@dataclass(frozen=True)
class BacklogEntry:
    id: str
    mailbox: str
    operation_id: str
    calamity: str
    action: str
    subject: str
    organizer: str
    organizer_name: str
    attendees: list[dict[str, str]]
    start: dt.datetime
    end: dt.datetime
    duration_minutes: int
    location: str
    is_online: bool
    body: str
    status: str
    status_label: str
    created_at: dt.datetime
    closed_by: str | None
    closed_reason: str | None
    planned_event_id: str | None
    planned_start: dt.datetime | None


def _entry(row: RescheduleRow) -> BacklogEntry:
    return BacklogEntry(
        id=row.id,
        mailbox=row.mailbox,
        operation_id=row.operation_id,
        calamity=row.calamity,
        action=row.action,
        subject=row.subject,
        organizer=row.organizer,
        organizer_name=row.organizer_name,
        attendees=list(row.attendees or []),
        start=row.start.astimezone(AMSTERDAM),
        end=row.end.astimezone(AMSTERDAM),
        duration_minutes=max(int((row.end - row.start).total_seconds() // 60), 15),
        location=row.location,
        is_online=row.is_online,
        body=row.body,
        status=row.status,
        status_label=STATUS_LABELS[row.status],
        created_at=row.created_at,
        closed_by=row.closed_by,
        closed_reason=row.closed_reason,
        planned_event_id=row.planned_event_id,
        planned_start=row.planned_start.astimezone(AMSTERDAM) if row.planned_start else None,
    )


async def list_backlog(
    session: AsyncSession, *, mailboxes: list[str], status: str | None = "open"
) -> list[BacklogEntry]:
    query = select(RescheduleRow).where(RescheduleRow.mailbox.in_([m.lower() for m in mailboxes]))
    if status:
        query = query.where(RescheduleRow.status == status)
    rows = await session.scalars(query.order_by(RescheduleRow.start).limit(1000))
    return [_entry(r) for r in rows]


async def get_entry(
    sessions: async_sessionmaker[AsyncSession], roster: Roster, actor: str, entry_id: str
) -> BacklogEntry:
    async with sessions() as session:
        row = await session.get(RescheduleRow, entry_id)
    if row is None:
        raise NotFound("Dit item staat niet (meer) in de lijst om te herplannen.")
    authorize(roster, actor, Action.ACT_ON_MAILBOX, row.mailbox)
    return _entry(row)


async def drop(
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    actor: str,
    entry_id: str,
    reason: str,
) -> BacklogEntry:
    """Not planned again, with the reason (it stays readable in the list and the audit log)."""
    reason = reason.strip()
    if not reason:
        raise BadRequest("Geef een reden waarom dit niet opnieuw gepland wordt.")
    entry = await get_entry(sessions, roster, actor, entry_id)
    if entry.status != "open":
        raise Conflict(f"Dit item is al {entry.status_label}.")
    async with sessions() as session, session.begin():
        await session.execute(
            update(RescheduleRow)
            .where(RescheduleRow.id == entry.id, RescheduleRow.status == "open")
            .values(
                status="dropped",
                closed_by=actor.lower(),
                closed_at=clock_of(session).now(),
                closed_reason=reason,
            )
        )
        await record(
            session,
            AuditEntry(
                actor=actor.lower(),
                mailbox=entry.mailbox,
                action="backlog.drop",
                outcome="success",
                operation_id=entry.operation_id,
                details={"entry": entry.id, "reason": reason[:400]},
            ),
        )
    return await get_entry(sessions, roster, actor, entry_id)
