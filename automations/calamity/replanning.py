"""Planning a cleared meeting again: proposals, the invitation, the re-invite.

Proposals come from Graph's ``findMeetingTimes`` for the executive and the original attendees,
within her working hours (``getSchedule`` says which) and a horizon (six weeks by default),
starting after the hours just cleared: the calamity's window, kept with the clear in the
journal (``cleared_until``), and never in the past. Each says who of the attendees is free
(``automations.calamity.proposals``).

A chosen proposal is first shown as the invitation it would send (``invitation``: subject,
text, attendees, time, location), which the secretary may edit; only confirming sends it
(``replan``). The re-invite is a new event in the executive's calendar with the original
attendees; its ``transactionId`` is the entry's id, and before creating it the chosen slot is
read, so a double click or a retry finds the event it made instead of inviting everyone twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.calamity.backlog import BacklogEntry, get_entry
from automations.calamity.proposals import (
    Slot,
    earliest_start,
    invitation_html,
    invitation_text,
    usable_slots,
    working_hours,
)
from automations.dates import AMSTERDAM, to_graph
from automations.errors import BadRequest, Conflict
from automations.graph import BatchRequest, GraphSession, calendar
from automations.journal import Journal, OperationNotFound
from automations.roster.models import Roster
from automations.store import clock_of
from automations.store.models import RescheduleRow

__all__ = ["HORIZON", "Invitation", "Slot", "cleared_until", "invitation", "propose", "replan"]

log = logging.getLogger(__name__)

HORIZON = dt.timedelta(weeks=6)
# findMeetingTimes' emptySuggestionsReason, as the secretary reads it.
_EMPTY = {
    "organizerUnavailable": "de agenda van de bestuurder zelf is steeds bezet",
    "attendeesUnavailable": "te veel deelnemers zijn steeds bezet",
    "attendeesUnavailableOrUnknown": "deelnemers zijn bezet of hun agenda is niet in te zien",
    "locationsUnavailable": "er is geen ruimte vrij",
    "unknown": "er valt geen moment binnen de werktijden",
}


@dataclass(frozen=True)
class Invitation:
    """What confirming sends: a new meeting at ``start`` for the original attendees."""

    entry_id: str
    subject: str
    text: str  # plain text, editable; sent as HTML with every line escaped
    start: dt.datetime
    end: dt.datetime
    location: str
    is_online: bool
    attendees: list[dict[str, str]]  # name, address, type (required/optional)


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


async def cleared_until(journal: Journal, operation_id: str) -> dt.datetime | None:
    """The end of the window the calamity cleared (kept with the clear's plan), if known."""
    try:
        op = await journal.get(operation_id)
    except OperationNotFound:
        return None
    end = op.steps[0].params.get("end") if op.steps else None
    try:
        return dt.datetime.fromisoformat(end) if isinstance(end, str) else None
    except ValueError:
        return None


def _names(entry: BacklogEntry) -> dict[str, str]:
    """Every attendee's name by lower-case address (the free/busy line names people)."""
    names = {a["address"].lower(): a["name"] for a in entry.attendees if a.get("name")}
    if entry.organizer and entry.organizer_name:
        names.setdefault(entry.organizer.lower(), entry.organizer_name)
    return names


async def propose(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    journal: Journal,
    *,
    roster: Roster,
    actor: str,
    entry_id: str,
    now: dt.datetime,
    horizon: dt.timedelta = HORIZON,
    count: int = 5,
) -> list[Slot]:
    """Moments for her and the attendees after the cleared hours, within her working hours
    and the horizon, best first, each saying who of the attendees is free."""
    entry = await get_entry(sessions, roster, actor, entry_id)
    window_end = await cleared_until(journal, entry.operation_id)
    start = earliest_start(now=now, cleared=[window_end, entry.end])
    body = {
        "attendees": [
            {"emailAddress": a["emailAddress"], "type": a["type"]} for a in _attendees(entry)
        ],
        "timeConstraint": {
            "activityDomain": "work",
            "timeSlots": [{"start": to_graph(start), "end": to_graph(start + horizon)}],
        },
        "meetingDuration": f"PT{entry.duration_minutes}M",
        # Room to drop what falls outside her hours; Graph's default share (half of the
        # attendees), so one external attendee whose calendar is unknown does not rule out
        # every moment: the proposal says who is free instead.
        "maxCandidates": count * 4,
        "isOrganizerOptional": False,
        "returnSuggestionReasons": True,
        "minimumAttendeePercentage": 50,
    }
    schedule = {
        "schedules": [entry.mailbox],
        "startTime": to_graph(start),
        "endTime": to_graph(start + dt.timedelta(days=1)),
        "availabilityViewInterval": 60,
    }
    answer, hours = await graph.batch(
        [
            BatchRequest("POST", f"/users/{entry.mailbox}/findMeetingTimes", body),
            BatchRequest("POST", f"/users/{entry.mailbox}/calendar/getSchedule", schedule),
        ]
    )
    answer.raise_for_status()
    if not hours.ok:  # findMeetingTimes kept to her hours; this only double-checks them
        log.warning("getSchedule answered %s: default working hours", hours.status)
    info = (hours.body.get("value") or [{}])[0] if hours.ok else {}
    slots = usable_slots(
        answer.body.get("meetingTimeSuggestions") or [],
        not_before=start,
        hours=working_hours(info.get("workingHours")),
        names=_names(entry),
        count=count,
    )
    reason = answer.body.get("emptySuggestionsReason")
    if not slots and reason:
        why = _EMPTY.get(reason, "niemand is vrij")
        raise Conflict(f"Er is in de komende zes weken geen moment gevonden: {why}.")
    return slots


async def invitation(
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    actor: str,
    entry_id: str,
    start: dt.datetime,
) -> Invitation:
    """The invitation confirming would send at ``start``, with the default text (editable)."""
    if start.tzinfo is None:
        raise BadRequest("Geef het nieuwe begin met tijdzone.")
    entry = await get_entry(sessions, roster, actor, entry_id)
    people = [
        {"name": a["emailAddress"]["name"] or a["emailAddress"]["address"],
         "address": a["emailAddress"]["address"], "type": a["type"]}
        for a in _attendees(entry)
    ]  # fmt: skip
    local = start.astimezone(AMSTERDAM)
    return Invitation(
        entry_id=entry.id,
        subject=entry.subject,
        text=invitation_text(entry.subject, entry.start, entry.body),
        start=local,
        end=local + dt.timedelta(minutes=entry.duration_minutes),
        location=entry.location,
        is_online=entry.is_online,
        attendees=people,
    )


async def _made(graph: GraphSession, entry: BacklogEntry, start: dt.datetime) -> str | None:
    """The event an earlier click made for this entry in this slot, if any."""
    end = start + dt.timedelta(minutes=entry.duration_minutes)
    made = await calendar.made_with_transaction(graph, entry.mailbox, entry.id, start, end)
    return str(made["id"]) if made else None


async def replan(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    roster: Roster,
    actor: str,
    entry_id: str,
    start: dt.datetime,
    subject: str | None = None,
    text: str | None = None,
) -> BacklogEntry:
    """Invite the original attendees at ``start`` (with the invitation's subject and text as
    shown and edited, else the defaults); the entry closes as planned."""
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
        if text is None or not text.strip():
            text = invitation_text(entry.subject, entry.start, entry.body)
        note = invitation_html(text)
        event = {
            "subject": (subject or "").strip() or entry.subject,
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
