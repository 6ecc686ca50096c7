"""Re-planning proposals: which moments to offer, and who of the attendees can come.

Graph's ``findMeetingTimes`` suggests the moments (``activityDomain: work``: the organizer's
working hours); this module keeps only those that start no earlier than the end of the hours
just cleared (the calamity's window, and the cleared item itself) and not in the past, and
that lie inside her working hours as ``getSchedule`` reports them (Monday to Friday
08:00–17:00 in Dutch time when it says nothing usable). Each proposal carries every
attendee's availability by name, so the pane can say who is free and who is not.

The invitation a chosen proposal sends is plain text the secretary may edit
(``invitation_text``), sent as HTML with every line escaped (``invitation_html``).

Pure functions: nothing here talks to Graph or the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from markupsafe import Markup, escape

from automations.dates import AMSTERDAM, WINDOWS, from_graph

__all__ = [
    "DEFAULT_HOURS",
    "Availability",
    "Slot",
    "WorkingHours",
    "earliest_start",
    "invitation_html",
    "invitation_text",
    "usable_slots",
    "working_hours",
]

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# findMeetingTimes' availability values, as the pane says them; in this order on the line.
_GROUPS = (
    ("free", "Vrij"),
    ("workingElsewhere", "Vrij (werkt elders)"),
    ("tentative", "Onder voorbehoud"),
    ("busy", "Bezet"),
    ("oof", "Afwezig"),
    ("unknown", "Onbekend"),
)
_LABELS = dict(_GROUPS)
_STEP = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class WorkingHours:
    """Her working week: the weekdays (Monday 0) and the hours, in her time zone."""

    days: frozenset[int]
    start: dt.time
    end: dt.time
    zone: ZoneInfo = AMSTERDAM

    def contain(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether the moment lies wholly inside one working day."""
        first, last = start.astimezone(self.zone), end.astimezone(self.zone)
        if first.weekday() not in self.days:
            return False
        if last.date() != first.date():
            return last.date() == first.date() + dt.timedelta(days=1) and (
                last.time() == dt.time(0) and self.end == dt.time(0)
            )
        closing = self.end if self.end != dt.time(0) else dt.time.max
        return self.start <= first.time() and last.time() <= closing


DEFAULT_HOURS = WorkingHours(frozenset(range(5)), dt.time(8), dt.time(17))


def _time(value: Any) -> dt.time | None:
    """Graph's ``timeOfDay`` ("08:00:00.0000000") as a time."""
    try:
        return dt.time.fromisoformat(str(value)[:8])
    except ValueError:
        return None


def _zone(value: Any) -> ZoneInfo:
    name = str((value or {}).get("name") or "") if isinstance(value, Mapping) else ""
    if not name or name == WINDOWS:
        return AMSTERDAM
    try:
        return ZoneInfo(name)  # an IANA name; other Windows names are not Dutch mailboxes
    except (ZoneInfoNotFoundError, ValueError):
        return AMSTERDAM


def working_hours(info: Mapping[str, Any] | None) -> WorkingHours:
    """Her ``workingHours`` (getSchedule, mailboxSettings); the default when it says nothing
    usable (no days, no hours, or an end before the start)."""
    if not info:
        return DEFAULT_HOURS
    days = frozenset(
        _DAYS.index(d.lower()) for d in info.get("daysOfWeek") or [] if str(d).lower() in _DAYS
    )
    start, end = _time(info.get("startTime")), _time(info.get("endTime"))
    if not days or start is None or end is None or (end <= start and end != dt.time(0)):
        return DEFAULT_HOURS
    return WorkingHours(days, start, end, _zone(info.get("timeZone")))


def earliest_start(*, now: dt.datetime, cleared: Iterable[dt.datetime | None]) -> dt.datetime:
    """The first moment a proposal may start: after the hours just cleared (the ends given:
    the calamity's window, the item itself) and not in the past, on a half hour."""
    moment = max([now, *(c for c in cleared if c is not None)]).astimezone(AMSTERDAM)
    rounded = moment.replace(minute=0, second=0, microsecond=0)
    while rounded < moment:
        rounded += _STEP
    return rounded


@dataclass(frozen=True)
class Availability:
    """One attendee at one proposed moment: by name, with Graph's availability value."""

    name: str
    address: str
    status: str  # free, tentative, workingElsewhere, busy, oof, unknown
    label: str  # Dutch: vrij, bezet …


@dataclass(frozen=True)
class Slot:
    """A proposed moment (Dutch time), how sure Graph is, and who of the attendees can come."""

    start: dt.datetime
    end: dt.datetime
    confidence: float
    note: str
    attendees: list[Availability] = field(default_factory=list)
    everyone_free: bool = True
    summary: str = ""  # "Vrij: Bas Kuipers, Anna de Wit · Bezet: Ruud Jansen"


def _summary(attendees: Sequence[Availability]) -> str:
    parts = []
    for status, label in _GROUPS:
        names = [a.name for a in attendees if a.status == status]
        if names:
            parts.append(f"{label}: {', '.join(names)}")
    return " · ".join(parts)


def _availability(suggestion: Mapping[str, Any], names: Mapping[str, str]) -> list[Availability]:
    out = []
    for item in suggestion.get("attendeeAvailability") or []:
        email = ((item or {}).get("attendee") or {}).get("emailAddress") or {}
        address = str(email.get("address") or "")
        if not address:
            continue
        status = str(item.get("availability") or "unknown")
        status = status if status in _LABELS else "unknown"
        name = names.get(address.lower()) or str(email.get("name") or "") or address
        out.append(Availability(name, address, status, _LABELS[status].lower()))
    return out


def usable_slots(
    suggestions: Iterable[Mapping[str, Any]],
    *,
    not_before: dt.datetime,
    hours: WorkingHours,
    names: Mapping[str, str],
    count: int,
) -> list[Slot]:
    """findMeetingTimes' suggestions that may be offered, in Graph's order (best first),
    at most ``count``: none starting before ``not_before``, none outside working hours.
    ``names`` gives each attendee's name by lower-case address."""
    out: list[Slot] = []
    for s in suggestions:
        window = s.get("meetingTimeSlot") or {}
        start, end = from_graph(window.get("start")), from_graph(window.get("end"))
        if start < not_before or end <= start or not hours.contain(start, end):
            continue
        attendees = _availability(s, names)
        out.append(
            Slot(
                start=start,
                end=end,
                confidence=float(s.get("confidence") or 0),
                note=str(s.get("suggestionReason") or ""),
                attendees=attendees,
                everyone_free=all(a.status in ("free", "workingElsewhere") for a in attendees),
                summary=_summary(attendees),
            )
        )
        if len(out) == count:
            break
    return out


def invitation_text(subject: str, original: dt.datetime, body: str = "") -> str:
    """The invitation's default text: the new date for what was cleared, then its own text."""
    when = format_datetime(original.astimezone(AMSTERDAM), "EEEE d MMMM 'om' HH:mm", locale="nl")
    text = (
        f"Nieuwe datum voor ‘{subject}’, oorspronkelijk gepland op {when}."
        " Excuses voor het verzetten."
    )
    return f"{text}\n\n{body.strip()}" if body.strip() else text


def invitation_html(text: str) -> str:
    """Plain text as the invitation's HTML body: paragraphs and line breaks, all escaped."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.split("\n")))
        for p in paragraphs
    )
