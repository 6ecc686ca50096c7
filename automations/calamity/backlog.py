"""The reschedule backlog (herplannen): what a calamity cleared, slots, a one-click re-invite.

Slots come from Graph's ``findMeetingTimes`` for the executive and the original attendees,
within working hours and a horizon (six weeks by default). A re-invite is a new event in the
executive's calendar with the original attendees and a note; its ``transactionId`` is the
entry's id, and before creating it the chosen slot is read, so a double click or a retry finds
the event it made instead of inviting everyone twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.dates import AMSTERDAM, from_graph, to_graph
from automations.errors import BadRequest, Conflict, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store import clock_of
from automations.store.models import RescheduleRow

__all__ = [
    "BacklogEntry",
    "Slot",
    "drop",
    "get_entry",
    "list_backlog",
    "propose",
    "replan",
]

HORIZON = dt.timedelta(weeks=6)
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


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # local time in the Netherlands
    end: dt.datetime
    confidence: float
    note: str


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


def _attendees(entry: BacklogEntry) -> list[dict[str, Any]]:
    """The original attendees without the executive herself (she is the new organizer)."""
    out: list[dict[str, Any]] = []
    for a in entry.attendees:
        if a["address"].lower() == entry.mailbox or not a["address"]:
            continue
        kind = a.get("type") if a.get("type") in ("required", "optional") else "required"
        out.append({"emailAddress": {"address": a["address"], "name": a["name"]}, "type": kind})
    if entry.organizer and entry.organizer.lower() != entry.mailbox:
        known = {a["emailAddress"]["address"].lower() for a in out}
        if entry.organizer.lower() not in known:  # declined: the organizer must come too
            out.append(
                {
                    "emailAddress": {"address": entry.organizer, "name": entry.organizer_name},
                    "type": "required",
                }
            )
    return out


async def propose(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    actor: str,
    entry_id: str,
    now: dt.datetime,
    horizon: dt.timedelta = HORIZON,
    count: int = 5,
) -> list[Slot]:
    """Free moments for her and the attendees, from tomorrow within the horizon."""
    entry = await get_entry(sessions, roster, actor, entry_id)
    start = dt.datetime.combine(
        now.astimezone(AMSTERDAM).date() + dt.timedelta(days=1), dt.time(8), AMSTERDAM
    )
    body = {
        "attendees": [
            {"emailAddress": a["emailAddress"], "type": a["type"]} for a in _attendees(entry)
        ],
        "timeConstraint": {
            "activityDomain": "work",
            "timeSlots": [{"start": to_graph(start), "end": to_graph(start + horizon)}],
        },
        "meetingDuration": f"PT{entry.duration_minutes}M",
        "maxCandidates": count,
        "isOrganizerOptional": False,
        "returnSuggestionReasons": True,
        "minimumAttendeePercentage": 100,
    }
    [answer] = await graph.batch(
        [BatchRequest("POST", f"/users/{entry.mailbox}/findMeetingTimes", body)]
    )
    answer.raise_for_status()
    slots = []
    for s in answer.body.get("meetingTimeSuggestions") or []:
        window = s["meetingTimeSlot"]
        slots.append(
            Slot(
                start=from_graph(window["start"]),
                end=from_graph(window["end"]),
                confidence=float(s.get("confidence") or 0),
                note=s.get("suggestionReason") or "",
            )
        )
    if not slots and answer.body.get("emptySuggestionsReason"):
        raise Conflict(
            "Er is binnen de termijn geen moment waarop iedereen kan"
            f" ({answer.body['emptySuggestionsReason']})."
        )
    return slots[:count]


async def _made(graph: GraphSession, entry: BacklogEntry, start: dt.datetime) -> str | None:
    """The event an earlier click made for this entry in this slot, if any."""
    end = start + dt.timedelta(minutes=entry.duration_minutes)
    url = (
        f"/users/{entry.mailbox}/calendarView?startDateTime={start.isoformat()}"
        f"&endDateTime={end.isoformat()}&$select=id,transactionId"
    ).replace("+", "%2B")
    [answer] = await graph.batch([BatchRequest("GET", url)])
    answer.raise_for_status()
    for event in answer.body["value"]:
        if event.get("transactionId") == entry.id:
            made: str = event["id"]
            return made
    return None


async def replan(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    actor: str,
    entry_id: str,
    start: dt.datetime,
) -> BacklogEntry:
    """Invite the original attendees at ``start``; the entry closes as planned."""
    entry = await get_entry(sessions, roster, actor, entry_id)
    if start.tzinfo is None:
        raise BadRequest("Geef het nieuwe begin met tijdzone.")
    if entry.status == "planned":
        return entry
    if entry.status != "open":
        raise Conflict(f"Dit item is {entry.status_label}.")
    event_id = await _made(graph, entry, start)
    if event_id is None:
        end = start + dt.timedelta(minutes=entry.duration_minutes)
        original = entry.start.strftime("%d-%m-%Y %H:%M")
        note = (
            f"<p>Nieuwe datum voor ‘{escape(entry.subject)}’, oorspronkelijk gepland op"
            f" {original}. Excuses voor het verzetten.</p>"
        )
        if entry.body:
            note += f"<p>{escape(entry.body)}</p>"
        event = {
            "subject": entry.subject,
            "start": to_graph(start),
            "end": to_graph(end),
            "attendees": _attendees(entry),
            "location": {"displayName": entry.location},
            "isOnlineMeeting": entry.is_online,
            "body": {"contentType": "html", "content": note},
            "transactionId": entry.id,
        }
        [made] = await graph.batch([BatchRequest("POST", f"/users/{entry.mailbox}/events", event)])
        made.raise_for_status()
        event_id = made.body["id"]
    async with sessions() as session, session.begin():
        await session.execute(
            update(RescheduleRow)
            .where(RescheduleRow.id == entry.id, RescheduleRow.status == "open")
            .values(
                status="planned",
                closed_by=actor.lower(),
                closed_at=clock_of(session).now(),
                planned_event_id=event_id,
                planned_start=start.astimezone(dt.UTC),
            )
        )
        await record(
            session,
            AuditEntry(
                actor=actor.lower(),
                mailbox=entry.mailbox,
                action="backlog.replan",
                outcome="success",
                item_id=event_id,
                operation_id=entry.operation_id,
                details={"entry": entry.id, "start": start.isoformat()},
            ),
        )
    return await get_entry(sessions, roster, actor, entry_id)


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
