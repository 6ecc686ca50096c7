"""Meeting messages Exchange drops in Inboxes: requests, cancellations and responses.

They are ordinary messages with an eventMessage ``@odata.type`` so mail routes, delta and
``$filter`` on ``meetingMessageType`` treat them like any other Inbox item.
"""

from __future__ import annotations

import logging
from typing import Any

from sandbox.directory import Directory
from sandbox.mail import service as mail
from sandbox.mail import submission
from sandbox.store import Record, Store

__all__ = ["cancellation", "invitation", "response", "submitted"]

log = logging.getLogger(__name__)

# Subject prefixes Exchange puts on response and cancellation messages.
_PREFIX = {
    "accepted": "Accepted: ",
    "tentativelyAccepted": "Tentative: ",
    "declined": "Declined: ",
    "meetingCancelled": "Canceled: ",
}
_RESPONSE_TYPE = {
    "accepted": "meetingAccepted",
    "tentativelyAccepted": "meetingTenativelyAccepted",  # sic: Graph's enum member
    "declined": "meetingDeclined",
}


def _recipient(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "emailAddress": {
            "name": user["displayName"],
            "address": user.get("mail") or user["userPrincipalName"],
        }
    }


def _common(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "startDateTime": event["start"],
        "endDateTime": event["end"],
        "location": event.get("location"),
        "type": event.get("type", "singleInstance"),
        "recurrence": event.get("recurrence"),
        "isOutOfDate": False,
        "isAllDay": event.get("isAllDay", False),
        "isDelegated": False,
    }


def _drop(store: Store, mailbox_id: str, message: dict[str, Any], at: str | None) -> Record:
    """Into her Inbox; ``at``: when it left the sender's Outbox (the sending limits)."""
    if at is not None:
        message = {**message, "sentDateTime": at, "receivedDateTime": at}
    inbox = mail.well_known(store, mailbox_id, "inbox")
    return mail.deliver(store, mailbox_id, inbox.id, message)


def invitation(
    store: Store,
    mailbox_id: str,
    copy: Record | None,
    *,
    update: bool = False,
    at: str | None = None,
) -> Record | None:
    """A meetingRequest in the attendee's Inbox for her copy of the meeting."""
    if copy is None:
        return None
    ev = copy.data
    msg = {
        "@odata.type": "#microsoft.graph.eventMessageRequest",
        "subject": ev.get("subject", ""),
        "body": ev.get("body"),
        "from": ev["organizer"],
        "sender": ev["organizer"],
        "toRecipients": [_att(a) for a in ev["attendees"] if a["type"] != "optional"],
        "ccRecipients": [_att(a) for a in ev["attendees"] if a["type"] == "optional"],
        "meetingMessageType": "meetingRequest",
        "meetingRequestType": "fullUpdate" if update else "newMeetingRequest",
        "allowNewTimeProposals": ev.get("allowNewTimeProposals", True),
        "responseRequested": ev.get("responseRequested", True),
        "previousStartDateTime": None,
        "previousEndDateTime": None,
        "previousLocation": None,
        **_common(ev),
        "_event": copy.id,
    }
    return _drop(store, mailbox_id, msg, at)


def cancellation(
    store: Store,
    mailbox_id: str,
    ev: dict[str, Any],
    event_id: str,
    comment: str,
    at: str | None = None,
) -> Record:
    """A meetingCancelled in the attendee's Inbox, with the organizer's comment as body.

    ``ev`` is the cancelled item as the attendee had it (a whole meeting or one occurrence).
    """
    subject = ev.get("subject") or ""
    if not subject.startswith(_PREFIX["meetingCancelled"]):  # her copy may carry it already
        subject = _PREFIX["meetingCancelled"] + subject
    msg = {
        "@odata.type": "#microsoft.graph.eventMessage",
        "subject": subject,
        "body": {"contentType": "text", "content": comment or ""},
        "from": ev["organizer"],
        "sender": ev["organizer"],
        "toRecipients": [_att(a) for a in ev["attendees"] if a["type"] != "optional"],
        "ccRecipients": [_att(a) for a in ev["attendees"] if a["type"] == "optional"],
        "importance": "high",
        "meetingMessageType": "meetingCancelled",
        **_common(ev),
        "_event": event_id,
    }
    return _drop(store, mailbox_id, msg, at)


def response(
    store: Store,
    directory: Directory,
    organizer_rec: Record,
    responder_id: str,
    kind: str,
    comment: str,
    proposed: dict[str, Any] | None = None,
    ev: dict[str, Any] | None = None,
    at: str | None = None,
) -> Record | None:
    """The attendee's answer in the organizer's Inbox (``kind``: accepted/declined/...)."""
    if organizer_rec.mailbox is None:
        return None
    user = directory.mailbox(responder_id)  # a user, or a room's booking attendant
    if user is None:
        return None
    ev = ev or organizer_rec.data
    msg = {
        "@odata.type": "#microsoft.graph.eventMessageResponse",
        "subject": _PREFIX[kind] + (ev.get("subject") or ""),
        "body": {"contentType": "text", "content": comment or ""},
        "from": _recipient(user),
        "sender": _recipient(user),
        "toRecipients": [ev["organizer"]],
        "meetingMessageType": _RESPONSE_TYPE[kind],
        "responseType": kind,
        "proposedNewTime": proposed,
        **_common(ev),
        "_event": organizer_rec.id,
    }
    return _drop(store, organizer_rec.mailbox, msg, at)


def submitted(
    store: Store,
    sender_id: str | None,
    ev: dict[str, Any],
    kind: str,
    recipients: list[dict[str, Any]] | None = None,
) -> submission.Departure | None:
    """A meeting message as Exchange submits it: one message from the sender's mailbox to all
    its recipients (the attendees, unless given), under the sending limits. Refused, the sender
    gets the NDR and the caller delivers nothing; None when there is nobody to send it to."""
    if recipients is None:
        recipients = [_att(a) for a in ev.get("attendees") or []]
    if not recipients or not sender_id:
        return None
    subject = (_PREFIX.get(kind, "") + (ev.get("subject") or "")) if kind in _PREFIX else ""
    subject = subject or ev.get("subject") or ""
    departure = submission.submit(store, sender_id, len(recipients), kind=kind, subject=subject)
    if not departure.sent:
        original = {"subject": subject, "toRecipients": recipients, "from": ev.get("organizer")}
        submission.non_delivery_report(store, sender_id, original, departure)
    return departure


def _att(a: dict[str, Any]) -> dict[str, Any]:
    return {"emailAddress": a["emailAddress"]}
