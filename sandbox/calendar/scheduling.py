"""findMeetingTimes and getSchedule: free/busy from the calendars the tenant holds, people's
and room mailboxes'.

findMeetingTimes follows its reference page: candidate slots inside the time constraint and the
activity domain's hours (work: Monday-Friday 08:00-17:00 in the mailbox's zone), each
attendee's chance of attending (free 100, unknown 49, busy 0), the average as confidence, at
least ``minimumAttendeePercentage`` (default 50), ordered by confidence then chronologically.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sandbox.calendar import access, render
from sandbox.calendar.fields import expect, invalid, number, parse_times
from sandbox.context import Ctx
from sandbox.errors import ErrorAccessDenied, GraphError
from sandbox.router import GraphResponse, Router
from sandbox.store import Store
from sandbox.timezones import format_graph_datetime, to_zoneinfo

__all__ = ["router"]

log = logging.getLogger(__name__)

router = Router()

MAILBOX_ZONE = "W. Europe Standard Time"  # the demo tenant's mailboxes are Dutch
_STEP = timedelta(minutes=30)
_CHANCE = {
    "free": 100,
    "tentative": 100,
    "workingElsewhere": 100,
    "unknown": 49,
    "busy": 0,
    "oof": 0,
}
_RANK = {"free": 0, "tentative": 1, "workingElsewhere": 2, "busy": 3, "oof": 4}
_VIEW = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4"}
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_REASON = "Suggested because it is one of the nearest times when all attendees are available."
_REASON_SOME = "Suggested because it is one of the nearest times when most attendees are available."
# (start, end, showAs, the item's properties) of one thing that occupies a calendar.
Period = tuple[datetime, datetime, str, dict[str, Any]]


def _bool(value: Any, default: bool) -> bool:
    """Graph's docs send booleans as strings ("true"); both forms are read."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _folded(body: dict[str, Any]) -> dict[str, Any]:
    """Action parameters are case-insensitive; the SDK sends getSchedule's in PascalCase."""
    return {k.lower(): v for k, v in body.items()}


def _number(body: dict[str, Any], name: str, default: float, kind: type = int) -> Any:
    """A numeric parameter (folded ``body``); absent, null or zero means the default."""
    value = body.get(name.lower())
    return default if value is None else number(name, value, kind) or default


def _duration(value: Any) -> timedelta:
    if value is None:
        return timedelta(minutes=30)
    match = _DURATION.match(str(value))
    if not match or not any(match.groups()):
        raise GraphError(
            f"Cannot convert the literal '{value}' to the expected type 'Edm.Duration'.",
            code="RequestBodyRead",
        )
    d, h, m, s = (int(g or 0) for g in match.groups())
    return timedelta(days=d, hours=h, minutes=m, seconds=s)


def busy_periods(store: Store, mailbox_id: str, start: datetime, end: datetime) -> list[Period]:
    """(start, end, showAs, item) of what occupies a calendar; free and cancelled items don't."""
    out: list[Period] = []
    for item in render.view_items(store, mailbox_id, start, end):
        data = {**item.master, **(item.master.get("_exceptions") or {}).get(item.stamp or "", {})}
        if data.get("isCancelled") or data.get("showAs") in ("free", "unknown", None):
            continue
        out.append((item.start, item.end, data["showAs"], data))
    return out


def _status(periods: list[Period], start: datetime, end: datetime) -> str:
    worst = "free"
    for p_start, p_end, show, _ in periods:
        if p_start < end and p_end > start and _RANK.get(show, 0) > _RANK[worst]:
            worst = show
    return worst


def _in_hours(start: datetime, end: datetime, domain: str, zone: str) -> bool:
    if domain == "unrestricted":
        return True
    local_start, local_end = start.astimezone(to_zoneinfo(zone)), end.astimezone(to_zoneinfo(zone))
    if local_start.date() != local_end.date() and local_end.time() != time(0):
        return False
    if domain in ("work", "unknown") and local_start.weekday() >= 5:
        return False
    day_end = local_end.time() if local_end.time() != time(0) else time(23, 59)
    return local_start.time() >= time(8) and day_end <= time(17)


def _slots(body: dict[str, Any], now: datetime) -> tuple[list[tuple[datetime, datetime]], str]:
    constraint = expect("timeConstraint", body.get("timeconstraint") or {}, dict)
    domain = str(constraint.get("activityDomain") or "work")
    if domain not in ("work", "personal", "unrestricted", "unknown"):
        raise GraphError(f"Invalid activityDomain '{domain}'.", code="BadRequest")
    slots: list[tuple[datetime, datetime]] = []
    for slot in expect("timeSlots", constraint.get("timeSlots") or [], list):
        if not isinstance(slot, dict):
            raise invalid()
        slot_start, slot_end = parse_times(slot)
        slots.append((slot_start.astimezone(UTC), slot_end.astimezone(UTC)))
    if not slots:
        start = now.replace(second=0, microsecond=0)
        slots = [(start, start + timedelta(days=2))]
    return slots, domain


def _candidates(
    slots: list[tuple[datetime, datetime]], duration: timedelta, domain: str, zone: str
) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for slot_start, slot_end in slots:
        minute = 0 if slot_start.minute == 0 else (30 if slot_start.minute <= 30 else 60)
        cur = slot_start.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=minute)
        while cur + duration <= slot_end and len(out) < 2000:
            if _in_hours(cur, cur + duration, domain, zone):
                out.append((cur, cur + duration))
            cur += _STEP
    return out


def _attendee(att: Any) -> str:
    """An attendeeBase's address; anything but an object with an emailAddress is a 400."""
    email = expect("emailAddress", expect("attendees", att, dict).get("emailAddress") or {}, dict)
    address = email.get("address")
    if not address or not isinstance(address, str):
        raise invalid()
    return address


class _Places:
    """The locationConstraint (locationConstraint, locationConstraintItem pages): locations
    echoed as given, except rooms of the tenant with ``resolveAvailability`` (default true),
    of which a suggestion names the first free one; ``suggestLocation`` adds the tenant's
    other rooms (by name) as fallbacks. No free room: the slot goes when ``isRequired``, else
    it is suggested without one."""

    def __init__(self, ctx: Ctx, constraint: Any, first: datetime, last: datetime) -> None:
        constraint = expect("locationConstraint", constraint or {}, dict)
        self.required = _bool(constraint.get("isRequired"), False)
        self.fixed: list[dict[str, Any]] = []  # echoed in every suggestion
        self.rooms: list[tuple[dict[str, Any], list[Period]]] = []  # to resolve, in order
        for loc in expect("locations", constraint.get("locations") or [], list):
            if not isinstance(loc, dict):
                continue
            shown = {k: v for k, v in loc.items() if k != "resolveAvailability"}
            room = ctx.directory.room(str(loc.get("locationEmailAddress") or ""))
            if room is None or not _bool(loc.get("resolveAvailability"), True):
                self.fixed.append(shown)
            else:
                self.rooms.append((shown, busy_periods(ctx.store, room["id"], first, last)))
        if _bool(constraint.get("suggestLocation"), False):
            named = {str(r[0].get("locationEmailAddress")).lower() for r in self.rooms}
            for room in sorted(ctx.directory.rooms(), key=lambda r: r["displayName"].lower()):
                if room["emailAddress"].lower() not in named:
                    shown = {
                        "displayName": room["displayName"],
                        "locationEmailAddress": room["emailAddress"],
                    }
                    self.rooms.append((shown, busy_periods(ctx.store, room["id"], first, last)))

    def pick(self, start: datetime, end: datetime) -> list[dict[str, Any]] | None:
        """The suggestion's locations at this time; None: no room free and one is required."""
        if not self.rooms:
            return list(self.fixed)
        for shown, periods in self.rooms:
            if _status(periods, start, end) in ("free", "workingElsewhere"):
                return [shown, *self.fixed]
        return None if self.required else list(self.fixed)


@router.route("POST", "/users/{user}/findMeetingTimes", resource="calendar")
async def find_meeting_times(ctx: Ctx, user: str) -> GraphResponse:
    if ctx.caller.is_app_only:
        raise ErrorAccessDenied()
    body = _folded(ctx.request.json())
    duration = _duration(body.get("meetingduration"))
    minimum = _number(body, "minimumAttendeePercentage", 50.0, float)
    organizer_optional = _bool(body.get("isorganizeroptional"), False)
    reasons = _bool(body.get("returnsuggestionreasons"), False)
    limit = int(_number(body, "maxCandidates", 10))
    now = ctx.store.clock.now()  # the tenant's: suggestions are never in its past
    slots, domain = _slots(body, now)
    candidates = _candidates(slots, duration, domain, MAILBOX_ZONE)
    zone = access.zone(ctx)
    attendees = [_attendee(att) for att in expect("attendees", body.get("attendees") or [], list)]
    if candidates:
        first, last = candidates[0][0], max(c[1] for c in candidates)
    else:
        first = last = now
    calendars: dict[str, list[Period] | None] = {}
    for address in attendees:  # people and rooms (attendees of type resource) alike
        who = ctx.directory.mailbox(address)
        calendars[address] = busy_periods(ctx.store, who["id"], first, last) if who else None
    own = busy_periods(ctx.store, ctx.mailbox_id, first, last)
    places = _Places(ctx, body.get("locationconstraint"), first, last)
    found, organizer_blocked, no_room = [], 0, 0
    for start, end in candidates:
        mine = _status(own, start, end)
        if not organizer_optional and mine in ("busy", "oof"):
            organizer_blocked += 1
            continue
        locations = places.pick(start, end)
        if locations is None:
            no_room += 1
            continue
        availability = [
            (address, "unknown" if periods is None else _status(periods, start, end))
            for address, periods in calendars.items()
        ]
        chances = [_CHANCE[a] for _, a in availability]
        confidence = sum(chances) / len(chances) if chances else 100.0
        if confidence < minimum:
            continue
        suggestion: dict[str, Any] = {
            "confidence": round(confidence, 2) if confidence % 1 else int(confidence),
            "organizerAvailability": mine,
            "attendeeAvailability": [
                {"availability": a, "attendee": {"emailAddress": {"address": addr}}}
                for addr, a in availability
            ],
            "locations": locations,
            "meetingTimeSlot": {
                "start": format_graph_datetime(start, zone),
                "end": format_graph_datetime(end, zone),
            },
        }
        if reasons:
            suggestion["suggestionReason"] = _REASON if confidence == 100 else _REASON_SOME
        found.append((-confidence, start, suggestion))
    found.sort(key=lambda f: (f[0], f[1]))
    suggestions = []
    for order, (_, _, suggestion) in enumerate(found[:limit], start=1):
        suggestions.append(
            {"confidence": suggestion.pop("confidence"), "order": order, **suggestion}
        )
    reason = ""
    if not suggestions:
        if not candidates:
            reason = "unknown"
        elif organizer_blocked == len(candidates):
            reason = "organizerUnavailable"
        elif no_room and organizer_blocked + no_room == len(candidates):
            reason = "locationsUnavailable"
        elif any(p is None for p in calendars.values()):
            reason = "attendeesUnavailableOrUnknown"
        else:
            reason = "attendeesUnavailable"
    result = {
        "@odata.context": ctx.context_url("microsoft.graph.meetingTimeSuggestionsResult"),
        "emptySuggestionsReason": reason,
        "meetingTimeSuggestions": suggestions,
    }
    return GraphResponse(body=result, headers=access.headers(ctx))


@router.route("POST", "/users/{user}/calendar/getSchedule", resource="calendar")
async def get_schedule(ctx: Ctx, user: str) -> GraphResponse:
    """Free/busy per schedule in ``availabilityViewInterval`` minute steps (default 30)."""
    body = _folded(ctx.request.json())
    schedules = body.get("schedules")
    if not isinstance(schedules, list) or not schedules:
        raise invalid()
    start, end = (
        t.astimezone(UTC)
        for t in parse_times({"start": body.get("starttime"), "end": body.get("endtime")})
    )
    interval = _number(body, "availabilityViewInterval", 30)
    if not 5 <= interval <= 1440:
        raise invalid()
    step, zone = timedelta(minutes=interval), access.zone(ctx)
    value = []
    for address in schedules:  # users and room mailboxes alike
        who = ctx.directory.mailbox(str(address))
        if who is None:
            value.append(
                {
                    "scheduleId": address,
                    "availabilityView": "",
                    "scheduleItems": [],
                    "error": {
                        "message": "The recipient could not be found.",
                        "responseCode": "ErrorMailRecipientNotFound",
                    },
                }
            )
            continue
        periods = busy_periods(ctx.store, who["id"], start, end)
        view, cur = [], start
        while cur < end:
            view.append(_VIEW[_status(periods, cur, min(cur + step, end))])
            cur += step
        items = []
        for p_start, p_end, show, data in periods:
            private = data.get("sensitivity") == "private"
            item = {"isPrivate": private, "status": show}
            if not private:
                item["subject"] = data.get("subject") or ""
                item["location"] = (data.get("location") or {}).get("displayName") or ""
            item["start"] = format_graph_datetime(p_start, zone)
            item["end"] = format_graph_datetime(p_end, zone)
            items.append(item)
        value.append(
            {
                "scheduleId": address,
                "availabilityView": "".join(view),
                "scheduleItems": items,
                "workingHours": {
                    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "startTime": "08:00:00.0000000",
                    "endTime": "17:00:00.0000000",
                    "timeZone": {"name": MAILBOX_ZONE},
                },
            }
        )
    body_out = {
        "@odata.context": ctx.context_url("Collection(microsoft.graph.scheduleInformation)"),
        "value": value,
    }
    return GraphResponse(body=body_out, headers=access.headers(ctx))
