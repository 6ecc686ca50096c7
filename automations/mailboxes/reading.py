"""Reading an executive's mail and calendar for the task pane and the Outlook harness.

Every function checks the roster first (no Graph call for a mailbox the actor does not work
for), then reads on behalf of the actor, so Exchange's delegate rights apply as well. Times
arrive in Dutch local time: the gateway asks Graph for ``outlook.timezone`` W. Europe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from automations.errors import BadRequest
from automations.graph import GraphSession, calendar, mail
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize

__all__ = [
    "EventSummary",
    "MessageDetail",
    "MessageSummary",
    "Person",
    "calendar_view",
    "get_event",
    "get_message",
    "list_messages",
]

FOLDERS = ("inbox", "drafts", "sentitems", "deleteditems", "archive")
MAX_TOP = 100
MAX_WINDOW = dt.timedelta(days=42)

_SUMMARY_FIELDS = [
    "id",
    "subject",
    "from",
    "receivedDateTime",
    "isRead",
    "importance",
    "hasAttachments",
    "bodyPreview",
    "categories",
    "flag",
]
_EVENT_FIELDS = [
    "id",
    "subject",
    "start",
    "end",
    "isAllDay",
    "location",
    "organizer",
    "showAs",
    "isCancelled",
    "isOrganizer",
    "sensitivity",
    "categories",
    "attendees",
    "seriesMasterId",
]


@dataclass(frozen=True)
class Person:
    name: str
    address: str

    @classmethod
    def of(cls, recipient: Any) -> Person:
        email = getattr(recipient, "email_address", None)
        return cls(name=(email and email.name) or "", address=(email and email.address) or "")


@dataclass(frozen=True)
class MessageSummary:
    id: str
    subject: str
    sender: Person
    received: dt.datetime | None
    is_read: bool
    importance: str
    has_attachments: bool
    preview: str
    categories: list[str]
    flagged: bool


@dataclass(frozen=True)
class MessageDetail(MessageSummary):
    to: list[Person] = field(default_factory=list)
    cc: list[Person] = field(default_factory=list)
    body: str = ""  # plain text: the pane shows mail as text, never as markup
    is_draft: bool = False


S = TypeVar("S", bound=MessageSummary)


@dataclass(frozen=True)
class EventSummary:
    id: str
    subject: str
    start: dt.datetime
    end: dt.datetime
    is_all_day: bool
    location: str
    organizer: Person
    is_organizer: bool
    show_as: str
    is_cancelled: bool
    is_private: bool
    categories: list[str]
    attendees: list[Person]
    is_recurring: bool


def _enum(value: Any, default: str = "") -> str:
    return str(getattr(value, "value", value)) if value is not None else default


def _summary(m: Any, cls: type[S], **extra: Any) -> S:
    flag = _enum(getattr(m.flag, "flag_status", None)) if m.flag else ""
    return cls(
        id=m.id or "",
        subject=m.subject or "",
        sender=Person.of(m.from_) if m.from_ else Person("", ""),
        received=m.received_date_time,
        is_read=bool(m.is_read),
        importance=_enum(m.importance, "normal"),
        has_attachments=bool(m.has_attachments),
        preview=m.body_preview or "",
        categories=list(m.categories or []),
        flagged=flag == "flagged",
        **extra,
    )


def _local(value: Any) -> dt.datetime:
    """A Graph dateTimeTimeZone in our preferred zone, as a naive local datetime."""
    text = (value.date_time or "").rstrip("Z")
    return dt.datetime.fromisoformat(text[:26] if "." in text else text)


def _event(e: Any) -> EventSummary:
    return EventSummary(
        id=e.id or "",
        subject=e.subject or "",
        start=_local(e.start),
        end=_local(e.end),
        is_all_day=bool(e.is_all_day),
        location=(e.location.display_name if e.location else "") or "",
        organizer=Person.of(e.organizer) if e.organizer else Person("", ""),
        is_organizer=bool(e.is_organizer),
        show_as=_enum(e.show_as, "busy"),
        is_cancelled=bool(e.is_cancelled),
        is_private=_enum(e.sensitivity) in ("private", "confidential"),
        categories=list(e.categories or []),
        attendees=[Person.of(a) for a in e.attendees or []],
        is_recurring=bool(e.series_master_id),
    )


async def list_messages(
    *,
    graph: GraphSession,
    roster: Roster,
    actor: str,
    mailbox: str,
    folder: str = "inbox",
    top: int = 25,
) -> list[MessageSummary]:
    """The newest messages of one well-known folder."""
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    if folder not in FOLDERS:
        raise BadRequest(f"Onbekende map '{folder}'; kies uit {', '.join(FOLDERS)}.")
    if not 1 <= top <= MAX_TOP:
        raise BadRequest(f"top moet tussen 1 en {MAX_TOP} liggen.")
    found = await mail.list_messages(graph, mailbox, folder=folder, select=_SUMMARY_FIELDS, top=top)
    return [_summary(m, MessageSummary) for m in found]


async def get_message(
    *, graph: GraphSession, roster: Roster, actor: str, mailbox: str, message_id: str
) -> MessageDetail:
    """One message with its recipients and its body as plain text."""
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    select = [*_SUMMARY_FIELDS, "toRecipients", "ccRecipients", "body", "isDraft"]
    m = await mail.get_message(graph, mailbox, message_id, select=select, text_body=True)
    return _summary(
        m,
        MessageDetail,
        to=[Person.of(r) for r in m.to_recipients or []],
        cc=[Person.of(r) for r in m.cc_recipients or []],
        body=(m.body.content if m.body else "") or "",
        is_draft=bool(m.is_draft),
    )


async def calendar_view(
    *,
    graph: GraphSession,
    roster: Roster,
    actor: str,
    mailbox: str,
    start: dt.datetime,
    end: dt.datetime,
) -> list[EventSummary]:
    """Every item between ``start`` and ``end`` (occurrences of series included), by start."""
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    if end <= start or end - start > MAX_WINDOW:
        raise BadRequest("Kies een periode met een einde na het begin, van hoogstens 6 weken.")
    events = await calendar.calendar_view(graph, mailbox, start, end, select=_EVENT_FIELDS)
    return [_event(e) for e in events]


async def get_event(
    *, graph: GraphSession, roster: Roster, actor: str, mailbox: str, event_id: str
) -> EventSummary:
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    return _event(await calendar.get_event(graph, mailbox, event_id, select=_EVENT_FIELDS))
