"""Calendar state: events as stored records, meetings linked across mailboxes.

A meeting lives once per mailbox, as Exchange keeps it: the organizer's event and, in each
internal attendee's calendar, a copy with its own ``responseStatus`` that points back at the
organizer's event (``_organizerEvent``); the organizer's event lists its copies (``_copies``).
Times are stored in the zone they were given in; rendering converts. A series keeps its
changed occurrences in ``_exceptions`` and deleted ones in ``_removed`` (keyed by the
occurrence's original start, UTC), so calendarView can expand it with its exceptions.
"""

from __future__ import annotations

import copy
import logging
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sandbox.calendar import fields, messages
from sandbox.directory import Directory
from sandbox.errors import ErrorInvalidRequest
from sandbox.ids import change_key, new_id
from sandbox.mail.service import now_iso, touch
from sandbox.store import Record, Store

__all__ = [
    "NEVER",
    "attendee_copies",
    "calendar_of",
    "copy_for",
    "create_event",
    "delete_event_record",
    "organizer_event",
    "save_event",
    "stamp_of",
    "user_address",
]

log = logging.getLogger(__name__)

NEVER = "0001-01-01T00:00:00Z"  # Graph's "no response yet" time
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def stamp_of(original_start: datetime) -> str:
    """The key an occurrence is filed under in ``_exceptions``/``_removed``."""
    return original_start.astimezone(UTC).strftime(_STAMP)


def calendar_of(store: Store, mailbox_id: str) -> Record:
    """The mailbox's default calendar, made on first use (every mailbox has one)."""
    for rec in store.find("calendar", mailbox=mailbox_id):
        return rec
    rec = Record(id=new_id("calendar"), kind="calendar", mailbox=mailbox_id, parent=None)
    rec.data = {
        "id": rec.id,
        "name": "Agenda",
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": True,
        "changeKey": "",
        "canShare": True,
        "canViewPrivateItems": True,
        "canEdit": True,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": True,
        "isRemovable": False,
    }
    rec.data["changeKey"] = change_key()
    store.put(rec)
    return rec


def _ical_uid() -> str:
    """Exchange's global object id in hex, as Graph shows iCalUId (bytes 16-19: no date)."""
    return (
        "040000008200E00074C5B7101A82E008" + "00000000" + secrets.token_hex(8).upper()
        + "0000000000000000" + "10000000" + secrets.token_hex(16).upper()
    )  # fmt: skip


def web_link(event_id: str) -> str:
    item = quote(event_id, safe="")
    return f"https://outlook.office365.com/owa/?itemid={item}&exvsurl=1&path=/calendar/item"


def user_address(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "emailAddress": {
            "name": user["displayName"],
            "address": user.get("mail") or user["userPrincipalName"],
        }
    }


def new_event_data(
    store: Store, event_id: str, event: dict[str, Any], organizer: dict[str, Any]
) -> dict[str, Any]:
    """A new organizer's event as Graph stores it: every property present, ``event`` applied."""
    now = now_iso(store)
    data: dict[str, Any] = {
        "id": event_id,
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "changeKey": "",
        "categories": [],
        "transactionId": None,
        "originalStartTimeZone": "UTC",
        "originalEndTimeZone": "UTC",
        "iCalUId": _ical_uid(),
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": "",
        "bodyPreview": "",
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": "busy",
        "type": "singleInstance",
        "webLink": web_link(event_id),
        "onlineMeetingUrl": None,
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": True,
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": {"response": "organizer", "time": NEVER},
        "body": {"contentType": "html", "content": ""},
        "start": None,
        "end": None,
        "location": fields.location(None),
        "locations": [],
        "recurrence": None,
        "attendees": [],
        "organizer": organizer,
        "onlineMeeting": None,
        "_exceptions": {},
        "_removed": [],
    }
    fields.apply_changes(data, event, creating=True)
    data["organizer"] = organizer
    if "originalStartTimeZone" not in event:
        data["originalStartTimeZone"] = data["start"].get("timeZone") or "UTC"
        data["originalEndTimeZone"] = data["end"].get("timeZone") or data["originalStartTimeZone"]
    if not data["attendees"] and "responseRequested" not in event:
        data["responseRequested"] = True
    touch(store, data)
    if event.get("createdDateTime"):
        data["createdDateTime"] = data["lastModifiedDateTime"] = event["createdDateTime"]
    return data


def create_event(
    store: Store,
    directory: Directory,
    organizer_id: str,
    event: dict[str, Any],
    *,
    seeded: bool = False,
) -> Record:
    """Store a new event and its copies in internal attendees' calendars.

    ``organizer_id`` is a user id or UPN; an address outside the tenant stores only the
    attendees' copies (and returns the first). Seeded events keep their ``organizer`` and each
    attendee's ``status``; a declined attendee gets no copy, as Outlook removes it. Created
    through Graph, every internal attendee also gets a meeting request in her Inbox.
    """
    user = directory.mailbox(organizer_id)  # a user, or a room mailbox's own calendar
    if user is not None:
        organizer = user_address(user)
    else:
        organizer = {"emailAddress": {"name": organizer_id, "address": organizer_id}}
    if seeded and event.get("organizer"):
        organizer = event["organizer"]
    if not seeded:
        fields.check_properties(event)
        event = {
            **event,
            "attendees": [
                {**a, "status": None} if isinstance(a, dict) else a
                for a in event.get("attendees") or []
            ],
        }
    rec = Record(
        id=new_id("event"), kind="event", mailbox=user["id"] if user else None, parent=None
    )
    rec.data = new_event_data(store, rec.id, event, organizer)
    copies: dict[str, str] = {}
    with store.transaction():
        for att in rec.data["attendees"]:
            invitee = directory.user(att["emailAddress"]["address"])
            if invitee is None or (user is not None and invitee["id"] == user["id"]):
                continue
            if seeded and att["status"].get("response") == "declined":
                continue
            attendee_copy = copy_for(rec, invitee["id"], att["status"])
            save_event(store, attendee_copy, touched=False)
            copies[invitee["id"]] = attendee_copy.id
        rec.data["_copies"] = copies
        if user is None:
            first = next(iter(copies.values()), None)
            found = store.get(first, "event") if first else None
            if found is None:
                raise ErrorInvalidRequest(
                    "An event organized outside the tenant needs an attendee of ours."
                )
            return found
        save_event(store, rec, touched=False)
        if not seeded:  # one meeting request to the attendees, under the sending limits
            request = messages.submitted(store, user["id"], rec.data, "meetingRequest")
            for mailbox_id, copy_id in copies.items() if request is None or request.sent else ():
                at = request.at if request else None
                messages.invitation(store, mailbox_id, store.get(copy_id, "event"), at=at)
    log.debug("event %s for %s with %d attendee copies", rec.id, organizer_id, len(copies))
    return rec


def copy_for(organizer_rec: Record, mailbox_id: str, status: dict[str, Any] | None) -> Record:
    """An attendee's copy of the organizer's event, with her own response.

    Exchange shows an unanswered or tentatively accepted meeting as tentative time.
    """
    attendee_copy = Record(id=new_id("event"), kind="event", mailbox=mailbox_id, parent=None)
    data = copy.deepcopy({k: v for k, v in organizer_rec.data.items() if k != "_copies"})
    data["id"] = attendee_copy.id
    data["webLink"] = web_link(attendee_copy.id)
    data["isOrganizer"] = False
    response = (status or {}).get("response") or "none"
    data["responseStatus"] = {
        "response": "notResponded" if response == "none" else response,
        "time": (status or {}).get("time") or NEVER,
    }
    data["_organizerEvent"] = organizer_rec.id
    data["_showAs"] = organizer_rec.data.get("showAs", "busy")
    if response in ("none", "tentativelyAccepted"):
        data["showAs"] = "tentative"
    attendee_copy.data = data
    return attendee_copy


def save_event(store: Store, rec: Record, *, touched: bool = True) -> None:
    """Store an event in its mailbox's calendar; changes are logged for calendar delta."""
    if rec.mailbox is None:
        raise ValueError("an event needs a mailbox")
    if rec.parent is None:
        rec.parent = calendar_of(store, rec.mailbox).id
    if touched:
        touch(store, rec.data)
    store.put(rec, container=rec.parent)


def delete_event_record(store: Store, rec: Record) -> None:
    """Remove an event; a tombstone keeps its shape so delta can report its occurrences."""
    with store.transaction():
        tomb = Record(
            id=f"tomb:{rec.id}", kind="eventTombstone", mailbox=rec.mailbox, parent=rec.parent
        )
        tomb.data = rec.data
        store.put(tomb)
        store.delete(rec.id, container=rec.parent)


def organizer_event(store: Store, rec: Record) -> Record | None:
    """The organizer's event behind an attendee's copy (None when organized outside)."""
    if rec.data.get("isOrganizer"):
        return rec
    target = rec.data.get("_organizerEvent")
    return store.get(target, "event") if target else None


def attendee_copies(store: Store, organizer_rec: Record) -> list[Record]:
    out = []
    for copy_id in (organizer_rec.data.get("_copies") or {}).values():
        found = store.get(copy_id, "event")
        if found is not None:
            out.append(found)
    return out
