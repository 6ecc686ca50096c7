"""Dispatches (uitzetten): what was put out to which department, and whether it answered.

A dispatch is recorded when the quick step's forward went out. It is answered when a message
from the department arrives in the same conversation in the executive's Inbox; that is read
with Graph's delta query, so a check costs a request or two when nothing changed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.clock import local_today
from automations.errors import NotFound
from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.tagged import TAG_PROPERTY, find_tagged
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store import clock_of
from automations.store.models import DeltaLinkRow, DispatchRow

__all__ = [
    "Dispatch",
    "NewDispatch",
    "check_answers",
    "get_dispatch",
    "list_dispatches",
    "dispatch_row",
    "remind",
]

DELTA_SELECT = "$select=conversationId,from,receivedDateTime,subject"


@dataclass(frozen=True)
class NewDispatch:
    tag: str
    mailbox: str
    message_id: str
    conversation_id: str
    subject: str
    department_key: str
    department_name: str
    address: str
    deadline: dt.date
    note: str
    dispatched_by: str


@dataclass(frozen=True)
class Dispatch:
    id: str
    mailbox: str
    message_id: str
    subject: str
    department: str
    address: str
    deadline: dt.date
    dispatched_by: str
    dispatched_at: dt.datetime
    status: str  # "open" | "answered"
    answered_at: dt.datetime | None
    reminders: int
    overdue: bool
    age_days: int


def _view(row: DispatchRow, today: dt.date) -> Dispatch:
    return Dispatch(
        id=row.id,
        mailbox=row.mailbox,
        message_id=row.message_id,
        subject=row.subject,
        department=row.department_name,
        address=row.address,
        deadline=row.deadline,
        dispatched_by=row.dispatched_by,
        dispatched_at=row.dispatched_at,
        status=row.status,
        answered_at=row.answered_at,
        reminders=row.reminders,
        overdue=row.status == "open" and row.deadline < today,
        age_days=(today - row.dispatched_at.date()).days,
    )


def dispatch_row(new: NewDispatch) -> DispatchRow:
    """The store's row for a new dispatch (written with the quick step's journal step)."""
    return DispatchRow(id=str(uuid.uuid4()), status="open", reminders=0, **new.__dict__)


async def list_dispatches(
    session: AsyncSession,
    *,
    mailboxes: Sequence[str],
    today: dt.date,
    status: str | None = None,
    message_id: str | None = None,
) -> list[Dispatch]:
    stmt = select(DispatchRow).where(DispatchRow.mailbox.in_([m.lower() for m in mailboxes]))
    if status in ("open", "answered"):
        stmt = stmt.where(DispatchRow.status == status)
    if message_id:
        stmt = stmt.where(DispatchRow.message_id == message_id)
    rows = await session.scalars(stmt.order_by(DispatchRow.deadline, DispatchRow.dispatched_at))
    found = [_view(r, today) for r in rows]
    return [d for d in found if status != "overdue" or d.overdue]


async def get_dispatch(session: AsyncSession, dispatch_id: str) -> DispatchRow:
    row = await session.get(DispatchRow, dispatch_id)
    if row is None:
        raise NotFound("Deze uitzetting bestaat niet.")
    return row


async def check_answers(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], mailbox: str
) -> int:
    """Read the Inbox's changes since last time; mark dispatches the department answered."""
    mailbox = mailbox.lower()
    async with sessions() as session:
        saved = await session.get(DeltaLinkRow, (mailbox, "inbox"))
    url = (
        "/" + saved.link.split("/v1.0/", 1)[1]
        if saved
        else f"/users/{mailbox}/mailFolders/inbox/messages/delta?{DELTA_SELECT}"
    )
    arrived: list[dict[str, Any]] = []
    while True:
        [answer] = await graph.batch([BatchRequest("GET", url)])
        if answer.status == 410 and saved is not None:  # the token expired: read once in full
            saved = None
            url = f"/users/{mailbox}/mailFolders/inbox/messages/delta?{DELTA_SELECT}"
            arrived = []
            continue
        answer.raise_for_status()
        arrived.extend(m for m in answer.body.get("value", []) if "@removed" not in m)
        if "@odata.nextLink" in answer.body:
            url = "/" + answer.body["@odata.nextLink"].split("/v1.0/", 1)[1]
            continue
        delta_link = answer.body["@odata.deltaLink"]
        break
    answered = 0
    async with sessions() as session, session.begin():
        open_rows = (
            await session.scalars(
                select(DispatchRow).where(
                    DispatchRow.mailbox == mailbox, DispatchRow.status == "open"
                )
            )
        ).all()
        by_conversation: dict[str, list[DispatchRow]] = {}
        for row in open_rows:
            by_conversation.setdefault(row.conversation_id, []).append(row)
        for message in arrived:
            sender = ((message.get("from") or {}).get("emailAddress") or {}).get("address", "")
            for row in by_conversation.get(message.get("conversationId", ""), []):
                if row.status == "open" and sender.lower() == row.address.lower():
                    row.status, row.answered_at = "answered", clock_of(session).now()
                    row.answer_message_id = message["id"]
                    answered += 1
                    await record(
                        session,
                        AuditEntry(
                            actor="system@secretariaat",
                            mailbox=mailbox,
                            action="dispatch.answered",
                            outcome="success",
                            item_id=row.message_id,
                            details={"department": row.department_name},
                        ),
                    )
        link = await session.get(DeltaLinkRow, (mailbox, "inbox"))
        if link is None:
            session.add(DeltaLinkRow(mailbox=mailbox, folder="inbox", link=delta_link))
        else:
            link.link, link.updated_at = delta_link, clock_of(session).now()
    return answered


async def remind(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    dispatch_id: str,
    actor: str,
    operation_id: str,
) -> Dispatch:
    """A reminder to the department in the same conversation; once per ``operation_id``."""
    async with sessions() as session:
        row = await get_dispatch(session, dispatch_id)
        mailbox = row.mailbox
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    tag = f"remind/{operation_id}"
    found = await find_tagged(graph, mailbox, tag)
    if found and not found["isDraft"]:
        draft_id = None  # sent by an earlier click: nothing to do
    elif found:
        draft_id = found["id"]
    else:
        comment = (
            f"Herinnering: wij hadden graag uiterlijk {row.deadline:%d-%m-%Y} uw reactie"
            " ontvangen. Wilt u laten weten hoe het ervoor staat?"
        )
        body = {
            "comment": comment,
            "message": {
                "toRecipients": [{"emailAddress": {"address": row.address}}],
                "singleValueExtendedProperties": [{"id": TAG_PROPERTY, "value": tag}],
            },
        }
        [made] = await graph.batch(
            [
                BatchRequest(
                    "POST", f"/users/{mailbox}/messages/{row.message_id}/createForward", body
                )
            ]
        )
        made.raise_for_status()
        draft_id = made.body["id"]
    if draft_id:
        [sent] = await graph.batch(
            [BatchRequest("POST", f"/users/{mailbox}/messages/{draft_id}/send")]
        )
        sent.raise_for_status()
        async with sessions() as session, session.begin():
            fresh = await get_dispatch(session, dispatch_id)
            fresh.reminders += 1
            fresh.last_reminded_at = clock_of(session).now()
            await record(
                session,
                AuditEntry(
                    actor=actor,
                    mailbox=mailbox,
                    action="dispatch.remind",
                    outcome="success",
                    item_id=fresh.message_id,
                    operation_id=operation_id,
                    details={"department": fresh.department_name},
                ),
            )
    async with sessions() as session:
        return _view(await get_dispatch(session, dispatch_id), local_today(clock_of(session)))
