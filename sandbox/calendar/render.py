"""Events as Graph returns them: times in the caller's zone, series expanded into occurrences.

Stored events keep their own zone; Graph answers in UTC unless ``Prefer: outlook.timezone``
names another. A series master expands into occurrences (and exceptions, from the master's
``_exceptions``) whose ids encode the master and the original start, so they can be read back.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.calendar.recurrence import expand, occurrence_id, overlaps
from sandbox.calendar.service import stamp_of
from sandbox.store import Store
from sandbox.timezones import (
    UnknownTimeZone,
    format_graph_datetime,
    format_utc,
    parse_graph_datetime,
    to_zoneinfo,
)

__all__ = [
    "Item",
    "body_as_text",
    "event_json",
    "expand_event",
    "item_json",
    "output_zone",
    "view_items",
]

# Graph's property order for an event, so answers read like the service's.
_ORDER = (
    "@odata.type @odata.etag @removed id createdDateTime lastModifiedDateTime changeKey categories"
    " transactionId originalStartTimeZone originalEndTimeZone iCalUId uid"
    " reminderMinutesBeforeStart isReminderOn hasAttachments subject bodyPreview importance"
    " sensitivity isAllDay isCancelled isOrganizer responseRequested seriesMasterId showAs type"
    " webLink onlineMeetingUrl isOnlineMeeting onlineMeetingProvider allowNewTimeProposals"
    " occurrenceId isDraft hideAttendees originalStart responseStatus body start end location"
    " locations recurrence attendees organizer onlineMeeting"
).split()


def output_zone(requested: str | None) -> str:
    """The zone Graph renders in: the Prefer header's when it is known, else UTC."""
    if requested:
        try:
            to_zoneinfo(requested)
            return requested
        except UnknownTimeZone:
            return "UTC"
    return "UTC"


def _time(value: dict[str, Any], zone: str, all_day: bool) -> dict[str, str]:
    when = parse_graph_datetime(value)
    if all_day:  # all-day items float: midnight stays midnight in every zone
        naive = when.replace(tzinfo=None)
        return format_graph_datetime(naive.replace(tzinfo=to_zoneinfo(zone)), zone)
    return format_graph_datetime(when, zone)


_TAGS = re.compile(r"<(script|style|head)[^>]*>.*?</\1>|<[^>]+>", re.S | re.I)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/tr)\b[^>]*>", re.I)


def body_as_text(body: dict[str, Any]) -> dict[str, Any]:
    if (body.get("contentType") or "").lower() != "html":
        return body
    text = _BREAKS.sub("\r\n", body.get("content") or "")
    text = html.unescape(_TAGS.sub("", text)).strip()
    return {"contentType": "text", "content": text}


def event_json(data: dict[str, Any], zone: str, *, text_body: bool = False) -> dict[str, Any]:
    """One stored event as Graph JSON: internal keys dropped, times in ``zone``."""
    out = {k: v for k, v in data.items() if not k.startswith("_")}
    all_day = bool(out.get("isAllDay"))
    for key in ("start", "end"):
        if isinstance(out.get(key), dict):
            out[key] = _time(out[key], zone, all_day)
    if text_body and isinstance(out.get("body"), dict):
        out["body"] = body_as_text(out["body"])
    return _ordered(out)


def _ordered(out: dict[str, Any]) -> dict[str, Any]:
    rank = {k: i for i, k in enumerate(_ORDER)}
    return dict(sorted(out.items(), key=lambda kv: rank.get(kv[0], len(rank))))


@dataclass(frozen=True)
class Item:
    """One calendarView entry: a single event, or an occurrence/exception of a series."""

    master: dict[str, Any]
    start: datetime  # aware UTC
    end: datetime
    original_start: datetime | None = None  # set for occurrences and exceptions

    @property
    def id(self) -> str:
        if self.original_start is None:
            return self.master["id"]
        return occurrence_id(self.master["id"], self.original_start)

    @property
    def stamp(self) -> str | None:
        return stamp_of(self.original_start) if self.original_start else None


def _bounds(data: dict[str, Any]) -> tuple[datetime, datetime]:
    return (
        parse_graph_datetime(data["start"]).astimezone(UTC),
        parse_graph_datetime(data["end"]).astimezone(UTC),
    )


def expand_event(data: dict[str, Any], window_start: datetime, window_end: datetime) -> list[Item]:
    """What one stored event contributes to a calendarView window."""
    if not data.get("recurrence"):
        start, end = _bounds(data)
        if overlaps(start, end, window_start, window_end):
            return [Item(data, start, end)]
        return []
    removed = set(data.get("_removed") or [])
    exceptions: dict[str, dict[str, Any]] = data.get("_exceptions") or {}
    items: list[Item] = []
    for occ in expand(
        start=data["start"],
        end=data["end"],
        recurrence=data["recurrence"],
        window_start=window_start,
        window_end=window_end,
    ):
        stamp = stamp_of(occ.original_start)
        if stamp in removed or "start" in exceptions.get(stamp, {}):
            continue
        items.append(
            Item(data, occ.start.astimezone(UTC), occ.end.astimezone(UTC), occ.original_start)
        )
    for stamp, change in exceptions.items():  # moved exceptions are placed by their own times
        if "start" not in change or stamp in removed:
            continue
        start = parse_graph_datetime(change["start"]).astimezone(UTC)
        end = parse_graph_datetime(change["end"]).astimezone(UTC)
        if overlaps(start, end, window_start, window_end):
            original = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            items.append(Item(data, start, end, original))
    return items


def view_items(store: Store, mailbox_id: str, start: datetime, end: datetime) -> list[Item]:
    """Every single event, occurrence and exception of a calendar in the window, by start."""
    items: list[Item] = []
    for rec in store.find("event", mailbox=mailbox_id):
        items.extend(expand_event(rec.data, start, end))
    items.sort(key=lambda i: (i.start, i.end, i.id))
    return items


def occurrence_ical_uid(master_uid: str, original_start: datetime) -> str:
    """Exchange puts the instance date into bytes 16-19 of the global object id."""
    day = original_start.astimezone(UTC)
    return master_uid[:32] + f"{day.year:04X}{day.month:02X}{day.day:02X}" + master_uid[40:]


def item_json(
    item: Item, zone: str, *, master_id: str | None = None, text_body: bool = False
) -> dict[str, Any]:
    """A calendarView entry as Graph JSON; ``master_id`` is the id to show for the series."""
    if item.original_start is None:
        return event_json(item.master, zone, text_body=text_body)
    master = item.master
    change = (master.get("_exceptions") or {}).get(item.stamp or "", {})
    data = {k: v for k, v in master.items() if not k.startswith("_")}
    data.update({k: v for k, v in change.items() if not k.startswith("_")})
    start_zone = master["start"].get("timeZone") or "UTC"
    end_zone = master["end"].get("timeZone") or start_zone
    data["start"] = format_graph_datetime(item.start, start_zone)
    data["end"] = format_graph_datetime(item.end, end_zone)
    data["id"] = occurrence_id(master_id or master["id"], item.original_start)
    data["seriesMasterId"] = master_id or master["id"]
    data["type"] = "exception" if change else "occurrence"
    data["recurrence"] = None
    data["originalStart"] = format_utc(item.original_start)
    data["iCalUId"] = occurrence_ical_uid(master["iCalUId"], item.original_start)
    link = data["webLink"].split("?itemid=", 1)[0]
    data["webLink"] = f"{link}?itemid={data['id']}&exvsurl=1&path=/calendar/item"
    return event_json(data, zone, text_body=text_body)
