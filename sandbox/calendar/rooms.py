"""Room mailboxes: each room's Resource Booking Attendant, with Exchange Online's defaults.

A room invited to a meeting (any attendee whose address is a room; Outlook and Graph invite it
as ``type: resource``) processes the request itself. Its calendar processing is Exchange
Online's default for a room mailbox (Set-CalendarProcessing, "AutomateProcessing": AutoAccept
for rooms made in the admin center or in PowerShell since November 2018):

- free: accepted; a conflict: declined (``AllowConflicts`` false). A series is declined whole
  when any occurrence conflicts (``ConflictPercentageAllowed`` and ``MaximumConflictInstances``
  0), or when it runs past the booking window (``BookingWindowInDays`` 180 with
  ``EnforceSchedulingHorizon`` true: a series without end always does);
- longer than ``MaximumDurationInMinutes`` (1440, per occurrence) or starting past the booking
  window: declined;
- the room's copy loses its subject to the organizer's name (``DeleteSubject``,
  ``AddOrganizerToSubject``), its body (``DeleteComments``) and its private flag
  (``RemovePrivateProperty``); a declined request leaves nothing in the room's calendar; a
  cancelled meeting stays there, marked cancelled (``RemoveCanceledMeetings`` false);
- the organizer's event records the room's answer on its attendee and she gets the room's
  response in her Inbox ("Accepted: ..." / "Declined: ...").

Exchange does this asynchronously, seconds after the request; the event routes call
``process`` right after they have answered, so the answer to POST or PATCH still shows the
room as the request left it (``none``) and the next read shows its decision.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timedelta
from typing import Any

from sandbox.calendar import messages, render
from sandbox.calendar.meetings import CANCELED
from sandbox.calendar.service import NEVER, copy_for, delete_event_record, save_event
from sandbox.directory import Directory
from sandbox.mail.service import now_iso
from sandbox.store import Record, Store
from sandbox.timezones import parse_graph_datetime

__all__ = ["BOOKING_WINDOW", "MAX_DURATION", "process", "seed_bookings"]

log = logging.getLogger(__name__)

BOOKING_WINDOW = timedelta(days=180)  # BookingWindowInDays
MAX_DURATION = timedelta(minutes=1440)  # MaximumDurationInMinutes
_TIMES = {"start", "end", "recurrence", "isAllDay"}
# The body of the room's response (EnableResponseDetails: the reason is included). Exchange's
# wording is not documented; these are the sandbox's.
_ACCEPTED = "Your request was accepted."
_DECLINED = {
    "conflict": "Your request was declined because the room is not available at that time.",
    "horizon": "Your request was declined because it is past the room's booking window.",
    "duration": "Your request was declined because it is longer than the room allows.",
}


def _address(att: dict[str, Any]) -> str:
    return str(att["emailAddress"].get("address") or "")


def _busy(store: Store, room_id: str, own: str | None, start: datetime, end: datetime) -> bool:
    """Whether anything but this meeting's own booking (``own``) occupies the room."""
    for item in render.view_items(store, room_id, start, end):
        data = {**item.master, **(item.master.get("_exceptions") or {}).get(item.stamp or "", {})}
        if item.master.get("id") == own or data.get("isCancelled"):
            continue
        if data.get("showAs") not in ("free", None) and item.start < end and item.end > start:
            return True
    return False


def _verdict(store: Store, room_id: str, data: dict[str, Any], own: str | None) -> str | None:
    """None to accept, else why the room declines (a key of ``_DECLINED``)."""
    now = store.clock.now()
    horizon = now + BOOKING_WINDOW
    start = parse_graph_datetime(data["start"])
    end = parse_graph_datetime(data["end"])
    if end - start > MAX_DURATION:
        return "duration"
    if start > horizon:
        return "horizon"
    if data.get("recurrence"):
        rng = data["recurrence"]["range"]
        if rng["type"] == "noEnd" or render.expand_event(
            data, horizon, horizon + timedelta(days=5 * 366)
        ):
            return "horizon"
    first = now if data.get("recurrence") else start  # a series: the occurrences to come
    for item in render.expand_event(data, first, horizon):
        if item.end - item.start > MAX_DURATION:
            return "duration"
        if _busy(store, room_id, own, item.start, item.end):
            return "conflict"
    return None


def _booking(organizer_rec: Record, room_id: str, status: dict[str, Any]) -> Record:
    """The room's copy of the meeting, as its calendar processing keeps it."""
    rec = copy_for(organizer_rec, room_id, status)
    data = rec.data
    name = data["organizer"]["emailAddress"].get("name") or _address(data["organizer"])
    data.update(
        {
            "subject": name,
            "body": {"contentType": "html", "content": ""},
            "bodyPreview": "",
            "sensitivity": "normal",
            "showAs": "busy",
            "_showAs": "busy",
            "_roomBooking": True,
        }
    )
    for change in (data.get("_exceptions") or {}).values():
        for key in ("subject", "body", "bodyPreview", "sensitivity"):
            change.pop(key, None)
        if "responseStatus" in change:
            change["responseStatus"] = dict(data["responseStatus"])
    return rec


def _store(
    store: Store,
    organizer_rec: Record,
    room_id: str,
    status: dict[str, Any],
    existing: Record | None,
) -> str:
    """Write the room's booking of the meeting as it now stands; returns its id."""
    booking = _booking(organizer_rec, room_id, dict(status))
    if existing is not None:  # the room's item keeps its id across updates
        booking.id = existing.id
        booking.parent = existing.parent
        for key in ("id", "webLink", "createdDateTime"):
            booking.data[key] = existing.data[key]
    save_event(store, booking)
    return booking.id


def _answer(organizer_rec: Record, address: str, status: dict[str, Any]) -> None:
    for att in organizer_rec.data.get("attendees") or []:
        if _address(att).lower() == address.lower():
            att["status"] = dict(status)


def _withdraw(store: Store, booking: Record) -> None:
    """The room is no longer invited: its Calendar Attendant marks the booking cancelled."""
    booking.data["isCancelled"] = True
    subject = booking.data.get("subject") or ""
    if not subject.startswith(CANCELED):
        booking.data["subject"] = CANCELED + subject
    save_event(store, booking)


def process(
    store: Store, directory: Directory, organizer_rec: Record, changed: set[str] | None = None
) -> None:
    """Let every invited room answer the organizer's meeting.

    ``changed`` None: a new meeting, every room answers. Otherwise the PATCH's changed
    properties: a new time asks every room again, a changed attendee list only the rooms that
    have not answered; a room taken off the list cancels its booking.
    """
    if changed is not None and not changed & (_TIMES | {"attendees"}):
        return
    # Read back as stored: the answer already given must not see the rooms' decisions.
    stored = store.get(organizer_rec.id, "event")
    if stored is None:
        return
    organizer_rec, data = stored, stored.data
    if not data.get("isOrganizer") or organizer_rec.mailbox is None or data.get("isCancelled"):
        return
    invited: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for att in data.get("attendees") or []:
        room = directory.room(_address(att))
        if room is not None:
            invited[room["id"]] = (room, att)
    copies: dict[str, str] = dict(data.get("_copies") or {})
    with store.transaction():
        for mailbox_id, copy_id in list(copies.items()):
            booking = store.get(copy_id, "event")
            if booking is not None and booking.data.get("_roomBooking"):
                if mailbox_id not in invited:
                    _withdraw(store, booking)
                    copies.pop(mailbox_id)
        answers = []
        for room_id, (room, att) in invited.items():
            existing = store.get(copies[room_id], "event") if room_id in copies else None
            answered = (att.get("status") or {}).get("response") not in (None, "none")
            if changed is not None and not changed & _TIMES and answered:
                if existing is not None:  # the update reaches its booking, answered before
                    _store(store, organizer_rec, room_id, existing.data["responseStatus"], existing)
                continue
            reason = _verdict(store, room_id, data, existing.id if existing else None)
            status = {"response": "declined" if reason else "accepted", "time": now_iso(store)}
            if reason is None:
                copies[room_id] = _store(store, organizer_rec, room_id, status, existing)
            elif existing is not None:
                delete_event_record(store, existing)
                copies.pop(room_id, None)
            _answer(organizer_rec, room["emailAddress"], status)
            answers.append((room_id, status["response"], reason))
        organizer_rec.data["_copies"] = copies
        save_event(store, organizer_rec, touched=bool(answers))  # the answers are tracked on it
        for room_id, kind, reason in answers:
            body = _DECLINED[reason] if reason else _ACCEPTED
            messages.response(store, directory, organizer_rec, room_id, kind, body)
            log.debug("room %s %s %s", room_id, kind, organizer_rec.id)


def seed_bookings(store: Store, directory: Directory, organizer_rec: Record) -> None:
    """A seeded meeting's rooms that accepted hold it in their calendars (no messages)."""
    if not organizer_rec.data.get("isOrganizer"):
        return  # organized outside the tenant: no organizer's event to hang the bookings on
    copies: dict[str, str] = dict(organizer_rec.data.get("_copies") or {})
    for att in organizer_rec.data.get("attendees") or []:
        room = directory.room(_address(att))
        status = att.get("status") or {"response": "none", "time": NEVER}
        if room is None or status.get("response") != "accepted":
            continue
        booking = _booking(organizer_rec, room["id"], copy.deepcopy(status))
        save_event(store, booking, touched=False)
        copies[room["id"]] = booking.id
    organizer_rec.data["_copies"] = copies
    save_event(store, organizer_rec, touched=False)
