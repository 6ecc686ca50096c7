"""Turn a validated seed file into Graph JSON, with relative days and times made absolute.

The demo is written relative to "today" so it always looks current; everything that depends on
the date happens here, in one pass, and nothing here can fail on a well-formed file except a
series whose pattern misses the day it is said to occur on.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sandbox.calendar.recurrence import expand
from sandbox.seed.documents import CONTENT_TYPES, build_document
from sandbox.seed.models import (
    Attachment,
    Contact,
    Dated,
    DemoFile,
    Event,
    Flag,
    Message,
    SiteFile,
    Task,
)
from sandbox.seed.references import normalise_folder
from sandbox.timezones import format_graph_datetime, format_utc, to_zoneinfo

__all__ = ["LOCAL_TZ", "Resolver"]

LOCAL_TZ = "W. Europe Standard Time"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NEVER = "0001-01-01T00:00:00Z"  # Graph's "no response yet" time
Day = date  # "date" in the class below is Resolver.date, the method
_DATE_TOKEN = re.compile(r"\{(mon|tue|wed|thu|fri|sat|sun)([+-]\d+)?\}")


def _html(fragment: str) -> str:
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"</head><body>{fragment.strip()}</body></html>"
    )


def _preview(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(text.split())[:255]


def _digest(*parts: str, size: int = 24) -> bytes:
    return hashlib.sha256("|".join(parts).encode()).digest()[:size]


class Resolver:
    """Resolves one seed file for one ``today``; the methods return Graph-shaped dicts."""

    def __init__(self, doc: DemoFile, *, today: date) -> None:
        self.doc = doc
        self.today = today
        self.monday = today - timedelta(days=today.weekday())
        self.zone = to_zoneinfo(LOCAL_TZ)
        self.names: dict[str, str] = {r.emailAddress: r.displayName for r in doc.rooms}
        self.ids: dict[str, str] = {}
        for user in doc.users:
            for address in (user.userPrincipalName, user.mail):
                self.names[address] = user.displayName
                self.ids[address] = user.id
        self.rooms = {r.displayName: r.emailAddress for r in doc.rooms}
        self.problems: list[str] = []

    # -- dates -----------------------------------------------------------------------------
    def date(self, ref: Dated) -> date:
        if ref.day is not None:
            return self.monday + timedelta(days=_WEEKDAYS.index(ref.day) + 7 * ref.week)
        assert ref.offset is not None
        return self.today + timedelta(days=ref.offset)

    def local(self, day: Day, clock: str = "00:00") -> datetime:
        hour, minute = map(int, clock.split(":"))
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def stamp(self, day: Day, clock: str = "00:00") -> dict[str, str]:
        return format_graph_datetime(self.local(day, clock), LOCAL_TZ)

    def in_text(self, text: str) -> str:
        """``{tue}`` -> this week's Tuesday as ISO date; ``{tue-7}`` a week earlier."""

        def replace(match: re.Match[str]) -> str:
            shift = int(match.group(2) or 0)
            day = self.monday + timedelta(days=_WEEKDAYS.index(match.group(1)) + shift)
            return day.isoformat()

        return _DATE_TOKEN.sub(replace, text)

    def person(self, person: Contact) -> dict[str, Any]:
        """A Graph recipient; the directory's name wins over the one written in the seed."""
        name = self.names.get(person.address) or person.name or person.address
        return {"emailAddress": {"name": name, "address": person.address}}

    # -- directory -------------------------------------------------------------------------
    def tenant(self) -> dict[str, str]:
        t = self.doc.tenant
        return {"id": t.id, "display_name": t.displayName, "domain": t.domain}

    def apps(self) -> list[dict[str, Any]]:
        ids = {**self.ids, **{r.emailAddress: r.id for r in self.doc.rooms}}  # rooms: calendars
        return [
            {**app.model_dump(), "rbac_scope_ids": [ids[upn] for upn in app.rbac_scope]}
            for app in self.doc.apps
        ]

    def room_places(self) -> list[dict[str, Any]]:
        """Each room as the places API shows it (``room``), every property present."""
        return [
            {
                "id": r.id,
                "displayName": r.displayName,
                "address": r.address.model_dump() if r.address else None,
                "geoCoordinates": r.geoCoordinates.model_dump() if r.geoCoordinates else None,
                "phone": r.phone,
                "nickname": r.nickname or r.displayName,
                "emailAddress": r.emailAddress,
                "building": r.building,
                "floorNumber": r.floorNumber,
                "floorLabel": r.floorLabel,
                "label": r.label,
                "capacity": r.capacity,
                "bookingType": r.bookingType,
                "audioDeviceName": r.audioDeviceName,
                "videoDeviceName": r.videoDeviceName,
                "displayDeviceName": r.displayDeviceName,
                "isWheelChairAccessible": r.isWheelChairAccessible,
                "tags": list(r.tags),
            }
            for r in self.doc.rooms
        ]

    def room_lists(self) -> list[dict[str, Any]]:
        """Each room list as the places API shows it (``roomList``); ``_rooms`` its members."""
        return [
            {
                "id": r.id,
                "displayName": r.displayName,
                "address": r.address.model_dump() if r.address else None,
                "geoCoordinates": r.geoCoordinates.model_dump() if r.geoCoordinates else None,
                "phone": r.phone,
                "emailAddress": r.emailAddress,
                "_rooms": list(r.rooms),
            }
            for r in self.doc.roomLists
        ]

    def delegates(self) -> list[dict[str, Any]]:
        return [
            {
                "owner": executive,
                "owner_id": self.ids[executive],
                "delegate": grant.secretary,
                "delegate_id": self.ids[grant.secretary],
                "rights": {"mail": grant.mail, "calendar": grant.calendar},
            }
            for grant in self.doc.delegates
            for executive in grant.executives
        ]

    def categories(self) -> dict[str, list[dict[str, str]]]:
        cats = self.doc.categories
        out = {}
        for user in self.doc.users:
            merged = {c.displayName: c.model_dump() for c in cats.every_mailbox}
            for c in cats.extra.get(user.userPrincipalName, []):
                merged[c.displayName] = c.model_dump()
            out[user.userPrincipalName] = list(merged.values())
        return out

    def folders(self) -> dict[str, list[str]]:
        folders = self.doc.folders
        return {
            user.userPrincipalName: list(
                dict.fromkeys(
                    normalise_folder(p)
                    for p in folders.every_mailbox + folders.extra.get(user.userPrincipalName, [])
                )
            )
            for user in self.doc.users
        }

    # -- mail ------------------------------------------------------------------------------
    def messages(self) -> list[dict[str, Any]]:
        return [
            {
                "mailbox": mailbox,
                "folder": normalise_folder(message.folder),
                "message": self.message(mailbox, i, message),
            }
            for mailbox, messages in self.doc.messages.items()
            for i, message in enumerate(messages)
        ]

    def message(self, mailbox: str, index: int, m: Message) -> dict[str, Any]:
        day = self.today + timedelta(days=m.received.day)
        received = format_utc(self.local(day, m.received.time))
        sender = self.person(m.from_)
        thread = m.conversation or f"{mailbox}|{index}"
        domain = m.from_.address.split("@")[1]
        message_id = _digest(mailbox, str(index), m.subject, size=15).hex().upper()
        folder = normalise_folder(m.folder)
        return {
            "subject": m.subject,
            "body": {"contentType": "html", "content": _html(m.body)},
            "bodyPreview": _preview(m.body),
            "from": sender,
            "sender": sender,
            "toRecipients": [self.person(p) for p in m.to],
            "ccRecipients": [self.person(p) for p in m.cc],
            "bccRecipients": [],
            "replyTo": [],
            "importance": m.importance,
            "isRead": m.isRead or folder in ("sentitems", "drafts"),
            "isDraft": folder == "drafts",
            "categories": list(m.categories),
            "flag": self.flag(m.flag, day),
            "receivedDateTime": received,
            "sentDateTime": received,
            "conversationId": "AAQkAD" + base64.urlsafe_b64encode(_digest(thread)).decode(),
            "internetMessageId": f"<{message_id}@{domain}>",
            "inferenceClassification": "focused",
            "hasAttachments": bool(m.attachments),
            "attachments": [self.attachment(a, received) for a in m.attachments],
        }

    def flag(self, flag: Flag | None, received: Day) -> dict[str, Any]:
        if flag is None:
            return {"flagStatus": "notFlagged"}
        start = received if flag.start is None else self.today + timedelta(days=flag.start)
        due = self.today + timedelta(days=flag.due)
        out = {
            "flagStatus": flag.status,
            "startDateTime": self.stamp(start),
            "dueDateTime": self.stamp(due),
        }
        if flag.status == "complete":
            out["completedDateTime"] = self.stamp(due)
        return out

    def attachment(self, a: Attachment, modified: str) -> dict[str, Any]:
        content = build_document(a.kind, a.title, a.text)
        return {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": a.name,
            "contentType": CONTENT_TYPES[a.kind],
            "size": len(content),
            "isInline": False,
            "lastModifiedDateTime": modified,
            "contentBytes": base64.b64encode(content).decode("ascii"),
        }

    # -- calendar --------------------------------------------------------------------------
    def events(self) -> list[dict[str, Any]]:
        out = []
        for i, event in enumerate(self.doc.events):
            body = self.event(event)
            if event.recurrence and not self._occurs_on(body, self.date(event)):
                self.problems.append(
                    f"events[{i}] {event.subject!r}: the series does not occur on "
                    f"{event.day or event.offset} ({self.date(event).isoformat()})"
                )
            out.append({"organizer": event.organizer.address, "event": body})
        return out

    def _occurs_on(self, body: dict[str, Any], day: Day) -> bool:
        window = self.local(day).astimezone(UTC)
        found = expand(
            start=body["start"],
            end=body["end"],
            recurrence=body["recurrence"],
            window_start=window,
            window_end=window + timedelta(days=1),
        )
        return any(o.start.date() == day for o in found)

    def event(self, e: Event) -> dict[str, Any]:
        first = self.date(e.recurrence.range.startDate) if e.recurrence else self.date(e)
        if e.isAllDay:
            start, end = self.stamp(first), self.stamp(first + timedelta(days=1))
        else:
            assert e.start and e.end
            start, end = self.stamp(first, e.start), self.stamp(first, e.end)
        response_time = format_utc(self.local(self.monday - timedelta(days=3), "10:00"))
        locations = [self.location(e.location)] if e.location else []
        return {
            "subject": e.subject,
            "body": {"contentType": "html", "content": _html(e.body)},
            "bodyPreview": _preview(e.body),
            "start": start,
            "end": end,
            "originalStartTimeZone": e.timeZone,
            "originalEndTimeZone": e.timeZone,
            "location": locations[0] if locations else {"displayName": ""},
            "locations": locations,
            "attendees": [
                {
                    "type": a.type,
                    "status": {
                        "response": a.response,
                        "time": _NEVER if a.response == "none" else response_time,
                    },
                    **self.person(a),
                }
                for a in e.attendees
            ],
            "organizer": self.person(e.organizer),
            "isAllDay": e.isAllDay,
            "sensitivity": e.sensitivity,
            "showAs": e.showAs,
            "importance": e.importance,
            "categories": list(e.categories),
            "isOnlineMeeting": e.isOnlineMeeting,
            "onlineMeetingProvider": "teamsForBusiness" if e.isOnlineMeeting else "unknown",
            "isReminderOn": not e.isAllDay,
            "reminderMinutesBeforeStart": 0 if e.isAllDay else 15,
            "responseRequested": bool(e.attendees),
            "isCancelled": False,
            "type": "seriesMaster" if e.recurrence else "singleInstance",
            "recurrence": self.recurrence(e) if e.recurrence else None,
        }

    def location(self, name: str) -> dict[str, Any]:
        room = self.rooms.get(name)
        if room is None:
            return {"displayName": name, "locationType": "default", "uniqueIdType": "private"}
        return {
            "displayName": name,
            "locationType": "conferenceRoom",
            "locationEmailAddress": room,
            "uniqueId": room,
            "uniqueIdType": "directory",
        }

    def recurrence(self, e: Event) -> dict[str, Any]:
        assert e.recurrence is not None
        pattern, rng = e.recurrence.pattern, e.recurrence.range
        return {
            "pattern": {**pattern.model_dump(), "month": 0},
            "range": {
                "type": rng.type,
                "startDate": self.date(rng.startDate).isoformat(),
                "endDate": self.date(rng.endDate).isoformat() if rng.endDate else "0001-01-01",
                "recurrenceTimeZone": e.timeZone,
                "numberOfOccurrences": rng.numberOfOccurrences,
            },
        }

    # -- files and tasks -------------------------------------------------------------------
    def site(self) -> dict[str, Any] | None:
        site = self.doc.site
        if site is None:
            return None
        host = self.doc.tenant.domain.split(".")[0]
        return {
            "id": site.id,
            "name": site.name,
            "displayName": site.displayName,
            "description": site.description,
            "webUrl": f"https://{host}.sharepoint.com/sites/{site.name}",
            "libraries": [
                {
                    "id": lib.id,
                    "name": lib.name,
                    "description": lib.description,
                    "folders": [self.in_text(p).strip("/") for p in lib.folders],
                    "files": [self.site_file(f) for f in lib.files],
                }
                for lib in site.libraries
            ],
        }

    def site_file(self, f: SiteFile) -> dict[str, Any]:
        path = self.in_text(f.path).strip("/")
        content = build_document(f.kind, self.in_text(f.title), f.text)
        return {
            "path": path,
            "name": path.rsplit("/", 1)[-1],
            "contentType": CONTENT_TYPES[f.kind],
            "size": len(content),
            "content": content,
        }

    def todo(self) -> dict[str, list[dict[str, Any]]]:
        return {
            upn: [
                {"displayName": lst.displayName, "tasks": [self.task(t) for t in lst.tasks]}
                for lst in lists
            ]
            for upn, lists in self.doc.todo.items()
        }

    def task(self, t: Task) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": t.title,
            "status": t.status,
            "importance": t.importance,
            "isReminderOn": False,
            "body": {"content": t.body, "contentType": "text"},
        }
        if t.due is not None:
            out["dueDateTime"] = self.stamp(self.today + timedelta(days=t.due))
        return out
