"""The meeting workflow across mailboxes: updates, cancellations, responses and deletions.

The organizer's event is the source; each change is carried to the attendees' copies the way
Exchange processes meeting messages, and each answer back to the organizer's attendee list.
``stamp`` (an occurrence's original start, see ``service.stamp_of``) narrows an operation to
one occurrence of a series: it becomes an exception or a removed occurrence of the master.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from sandbox.calendar import fields, messages
from sandbox.calendar.service import (
    NEVER,
    attendee_copies,
    copy_for,
    delete_event_record,
    organizer_event,
    save_event,
)
from sandbox.directory import Directory
from sandbox.errors import GraphError
from sandbox.mail import submission
from sandbox.mail.service import now_iso
from sandbox.store import Record, Store

__all__ = ["CANCELED", "cancel", "delete", "occurrence_data", "respond", "update"]

log = logging.getLogger(__name__)

CANCELED = "Canceled: "
# What an organizer's change carries to the attendees' copies (personal fields stay theirs).
_SHARED = (
    "subject body bodyPreview start end originalStartTimeZone originalEndTimeZone location"
    " locations isAllDay recurrence type importance sensitivity isOnlineMeeting"
    " onlineMeetingProvider onlineMeeting allowNewTimeProposals hideAttendees attendees"
    " responseRequested"
).split()
# A room's booking keeps the organizer's name for subject and no body (rooms.py).
_SHARED_WITH_ROOMS = [k for k in _SHARED if k not in ("subject", "body", "bodyPreview",
                                                      "sensitivity")]  # fmt: skip
_TIMES = {"start", "end", "recurrence", "isAllDay"}
# One occurrence of a series: its stamp (original start, service.stamp_of), start and end.
Occurrence = tuple[str, dict[str, Any], dict[str, Any]]
_PER_OCCURRENCE = set(fields.WRITABLE) - {"recurrence", "organizer"}


def occurrence_data(
    master: dict[str, Any], stamp: str, start: dict[str, Any], end: dict[str, Any]
) -> dict[str, Any]:
    """One occurrence's properties: the master's with its exception applied."""
    data = {k: copy.deepcopy(v) for k, v in master.items() if not k.startswith("_")}
    data.update({"start": start, "end": end, "recurrence": None, "type": "occurrence"})
    data.update(copy.deepcopy((master.get("_exceptions") or {}).get(stamp, {})))
    return data


# -- updates ---------------------------------------------------------------------------------
def update(
    store: Store,
    directory: Directory,
    rec: Record,
    patch: dict[str, Any],
    occurrence: Occurrence | None = None,
) -> set[str]:
    """PATCH an event (or one occurrence: ``(stamp, start, end)``); returns what changed."""
    if occurrence is not None:
        stamp, start, end = occurrence
        for name in patch:
            if name in ("recurrence",):
                raise GraphError(
                    "At least one property failed validation.",
                    code="ErrorPropertyValidationFailure",
                )
        data = occurrence_data(rec.data, stamp, start, end)
        changed = fields.apply_changes(data, patch)
        if changed:
            change = rec.data.setdefault("_exceptions", {}).setdefault(stamp, {})
            change.update({k: data[k] for k in changed | _derived(changed) if k in data})
            save_event(store, rec)
            if rec.data.get("isOrganizer"):
                for other in attendee_copies(store, rec):
                    shared = _SHARED_WITH_ROOMS if other.data.get("_roomBooking") else _SHARED
                    other_change = other.data.setdefault("_exceptions", {}).setdefault(stamp, {})
                    other_change.update({k: v for k, v in change.items() if k in shared})
                    save_event(store, other)
        return changed
    before = {a["emailAddress"]["address"].lower() for a in rec.data.get("attendees") or []}
    changed = fields.apply_changes(rec.data, patch)
    if rec.data.get("isOrganizer") and changed:
        if changed & _TIMES:
            _reset_responses(rec.data)
        save_event(store, rec)
        _propagate(store, directory, rec, changed, before)
    else:
        save_event(store, rec)
    return changed


def _derived(changed: set[str]) -> set[str]:
    out = set()
    if "body" in changed:
        out.add("bodyPreview")
    if "location" in changed or "locations" in changed:
        out |= {"location", "locations"}
    if "isOnlineMeeting" in changed:
        out |= {"onlineMeeting", "onlineMeetingProvider"}
    if "start" in changed or "end" in changed:
        out |= {"start", "end", "originalStartTimeZone", "originalEndTimeZone"}
    return out


def _reset_responses(data: dict[str, Any]) -> None:
    """A new time asks every attendee again, as an updated meeting request does; rooms too
    (their booking attendant answers again, ``rooms.process``)."""
    for att in data.get("attendees") or []:
        att["status"] = {"response": "none", "time": NEVER}


def _propagate(
    store: Store, directory: Directory, rec: Record, changed: set[str], before: set[str]
) -> None:
    copies: dict[str, str] = dict(rec.data.get("_copies") or {})
    now_addresses = {a["emailAddress"]["address"].lower(): a for a in rec.data["attendees"]}
    shared = (changed | _derived(changed)) & set(_SHARED)
    sent: list[submission.Departure | None] = []

    def departure() -> submission.Departure | None:
        """The update (one message to the attendees, under the sending limits), submitted
        when the first attendee needs it."""
        if not sent:
            sent.append(messages.submitted(store, rec.mailbox, rec.data, "meetingRequest"))
        return sent[0]

    for mailbox_id, copy_id in list(copies.items()):
        other = store.get(copy_id, "event")
        if other is not None and other.data.get("_roomBooking"):
            continue  # the room's booking attendant answers the update (rooms.process)
        user = directory.user(mailbox_id)
        if other is None or user is None:
            copies.pop(mailbox_id)
            continue
        address = (user.get("mail") or user["userPrincipalName"]).lower()
        if address not in now_addresses and user["userPrincipalName"].lower() not in now_addresses:
            _cancel_copy(store, other, "")
            copies.pop(mailbox_id)
            continue
        for key in shared:
            other.data[key] = copy.deepcopy(rec.data[key])
        if changed & _TIMES:
            other.data["responseStatus"] = {"response": "notResponded", "time": NEVER}
            other.data["showAs"] = "tentative"
        save_event(store, other)
        if changed & (_TIMES | {"location", "locations"}):
            update = departure()
            if update is None or update.sent:
                at = update.at if update else None
                messages.invitation(store, mailbox_id, other, update=True, at=at)
    for address, att in now_addresses.items():
        invitee = directory.user(address)
        if (
            invitee is None
            or invitee["id"] in copies
            or invitee["id"] == rec.mailbox
            or address in before
        ):
            continue
        new_copy = copy_for(rec, invitee["id"], att["status"])
        save_event(store, new_copy, touched=False)
        copies[invitee["id"]] = new_copy.id
        update = departure()
        if update is None or update.sent:
            messages.invitation(store, invitee["id"], new_copy, at=update.at if update else None)
    if copies != rec.data.get("_copies"):
        rec.data["_copies"] = copies
        store.put(rec, container=rec.parent)


# -- cancellations and deletions -------------------------------------------------------------
def _cancel_copy(
    store: Store,
    other: Record,
    comment: str,
    stamp: str | None = None,
    item: dict[str, Any] | None = None,
    at: str | None = None,
) -> None:
    """Exchange marks the attendee's item cancelled and prefixes its subject; ``at`` is when
    the cancellation left the organizer's Outbox."""
    room = bool(other.data.get("_roomBooking"))  # a room's Inbox keeps no meeting messages
    if stamp is None:
        other.data["isCancelled"] = True
        if not other.data.get("subject", "").startswith(CANCELED):
            other.data["subject"] = CANCELED + (other.data.get("subject") or "")
        save_event(store, other)
        if not room:
            messages.cancellation(store, other.mailbox or "", other.data, other.id, comment, at)
        return
    change = other.data.setdefault("_exceptions", {}).setdefault(stamp, {})
    subject = change.get("subject", other.data.get("subject") or "")
    change.update(
        {
            "isCancelled": True,
            "subject": subject if subject.startswith(CANCELED) else CANCELED + subject,
        }
    )
    save_event(store, other)
    if not room:
        messages.cancellation(
            store, other.mailbox or "", {**other.data, **(item or {}), **change}, other.id,
            comment, at,
        )  # fmt: skip


def cancel(store: Store, rec: Record, comment: str, occurrence: Occurrence | None = None) -> None:
    """The organizer cancels: attendees' copies are marked cancelled, her own item goes.

    The cancellation is one message from her mailbox to every attendee, under the sending
    limits: held by the message rate limit it reaches them later; refused (too many
    recipients, the day's recipients used up) it reaches nobody and she gets the NDR.
    """
    with store.transaction():
        departure = messages.submitted(store, rec.mailbox, rec.data, "meetingCancelled")
        told = departure is None or departure.sent
        at = departure.at if departure is not None else None
        if occurrence is None:
            for other in attendee_copies(store, rec) if told else []:
                _cancel_copy(store, other, comment, at=at)
            delete_event_record(store, rec)
            return
        stamp, start, end = occurrence
        for other in attendee_copies(store, rec) if told else []:
            item = {"start": start, "end": end, "type": "occurrence"}
            _cancel_copy(store, other, comment, stamp, item, at=at)
        _remove_occurrence(store, rec, stamp)


def _remove_occurrence(store: Store, rec: Record, stamp: str) -> None:
    removed = rec.data.setdefault("_removed", [])
    if stamp not in removed:
        removed.append(stamp)
    save_event(store, rec)


def delete(store: Store, rec: Record, occurrence: Occurrence | None = None) -> None:
    """DELETE: the organizer's delete of a meeting cancels it for the attendees."""
    if rec.data.get("isOrganizer") and rec.data.get("_copies"):
        cancel(store, rec, "", occurrence)
    elif occurrence is not None:
        _remove_occurrence(store, rec, occurrence[0])
    else:
        delete_event_record(store, rec)


# -- responses -------------------------------------------------------------------------------
def respond(
    store: Store,
    directory: Directory,
    rec: Record,
    kind: str,
    *,
    comment: str,
    send: bool,
    proposed: dict[str, Any] | None,
    occurrence: Occurrence | None = None,
) -> None:
    """accept/tentativelyAccept/decline by the attendee whose calendar holds ``rec``."""
    now = now_iso(store)
    status = {"response": kind, "time": now}
    show = {"accepted": rec.data.get("_showAs", "busy"), "tentativelyAccepted": "tentative"}.get(
        kind
    )
    with store.transaction():
        if occurrence is None:
            if kind == "declined":
                delete_event_record(store, rec)
            else:
                rec.data["responseStatus"] = status
                rec.data["showAs"] = show
                save_event(store, rec)
        else:
            stamp = occurrence[0]
            if kind == "declined":
                _remove_occurrence(store, rec, stamp)
            else:
                change = rec.data.setdefault("_exceptions", {}).setdefault(stamp, {})
                change.update({"responseStatus": status, "showAs": show})
                save_event(store, rec)
        organizer = organizer_event(store, rec)
        if organizer is None or organizer.id == rec.id:
            return
        user = directory.user(rec.mailbox or "")
        if user is None:
            return
        _record_answer(store, organizer, user, status, occurrence)
        if kind == "declined" and occurrence is None:
            copies = dict(organizer.data.get("_copies") or {})
            copies.pop(user["id"], None)
            organizer.data["_copies"] = copies
            store.put(organizer, container=organizer.parent)
        if send:  # one message from her mailbox to the organizer, under the sending limits
            item = None
            if occurrence is not None:
                item = occurrence_data(organizer.data, occurrence[0], occurrence[1], occurrence[2])
            ev = item or organizer.data
            departure = messages.submitted(
                store, rec.mailbox, ev, kind, recipients=[{"emailAddress": ev["organizer"]
                                                           ["emailAddress"]}],
            )  # fmt: skip
            if departure is not None and departure.sent:
                messages.response(
                    store, directory, organizer, user["id"], kind, comment, proposed, item,
                    at=departure.at,
                )  # fmt: skip


def _record_answer(
    store: Store,
    organizer: Record,
    user: dict[str, Any],
    status: dict[str, Any],
    occurrence: Occurrence | None,
) -> None:
    """The organizer's attendee list learns the answer (tracking, as Exchange does)."""
    mine = {user["userPrincipalName"].lower(), (user.get("mail") or "").lower()}
    if occurrence is None:
        attendees = organizer.data.get("attendees") or []
    else:
        change = organizer.data.setdefault("_exceptions", {}).setdefault(occurrence[0], {})
        attendees = change.setdefault(
            "attendees", copy.deepcopy(organizer.data.get("attendees") or [])
        )
    for att in attendees:
        if att["emailAddress"]["address"].lower() in mine:
            att["status"] = dict(status)
    save_event(store, organizer)
