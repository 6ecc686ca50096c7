"""Event properties as clients send them, checked and normalised the way Exchange stores them.

Create and update share these rules, so a POSTed event and a PATCHed one are stored alike and a
bad value is the same 400 either way (never a 500 from deep inside the expansion code).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sandbox.calendar.recurrence import WEEKDAYS, InvalidRecurrence, validate_recurrence
from sandbox.errors import GraphError
from sandbox.mail.service import body_preview
from sandbox.timezones import UnknownTimeZone, format_graph_datetime, parse_graph_datetime

__all__ = [
    "READ_ONLY",
    "WRITABLE",
    "apply_changes",
    "attendee",
    "body",
    "check_properties",
    "expect",
    "invalid",
    "join_url",
    "location",
    "location_entry",
    "normalise_recurrence",
    "number",
    "parse_times",
    "unknown_property",
    "wrong_type",
]

# Properties a client may set on an event (POST and PATCH), with their JSON kind.
WRITABLE: dict[str, Any] = {
    "subject": str, "body": dict, "start": dict, "end": dict, "location": dict,
    "locations": list, "attendees": list, "categories": list, "importance": str,
    "sensitivity": str, "showAs": str, "isAllDay": bool, "isReminderOn": bool,
    "reminderMinutesBeforeStart": int, "responseRequested": bool, "recurrence": dict,
    "isOnlineMeeting": bool, "onlineMeetingProvider": str, "allowNewTimeProposals": bool,
    "hideAttendees": bool, "transactionId": str, "originalStartTimeZone": str,
    "originalEndTimeZone": str, "isDraft": bool, "organizer": dict,
}  # fmt: skip
# Known event properties the service ignores on write (read-only or navigation).
READ_ONLY = frozenset(
    "id createdDateTime lastModifiedDateTime changeKey iCalUId hasAttachments bodyPreview"
    " isCancelled isOrganizer seriesMasterId type webLink onlineMeetingUrl onlineMeeting"
    " responseStatus originalStart calendar instances attachments extensions"
    " singleValueExtendedProperties multiValueExtendedProperties cancelledOccurrences"
    " exceptionOccurrences".split()
)
_ENUMS = {
    "importance": ("low", "normal", "high"),
    "sensitivity": ("normal", "personal", "private", "confidential"),
    "showAs": ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown"),
    "onlineMeetingProvider": (
        "unknown",
        "skypeForBusiness",
        "skypeForConsumer",
        "teamsForBusiness",
    ),
}
_INVALID = "At least one property failed validation."


def unknown_property(name: str) -> GraphError:
    return GraphError(
        f"The property '{name}' does not exist on type 'microsoft.graph.event'. Make sure to only"
        " use property names that are defined by the type or mark the type as open type.",
        code="RequestBodyRead",
    )


def invalid() -> GraphError:
    """Graph's 400 for a value of the right type that Exchange still refuses."""
    return GraphError(_INVALID, code="ErrorPropertyValidationFailure")


def wrong_type(name: str, value: Any) -> GraphError:
    """OData's reader refusing a value of the wrong JSON kind (a property or action parameter)."""
    return GraphError(
        f"Cannot convert the literal '{value}' to the expected type for property '{name}'.",
        code="RequestBodyRead",
    )


def expect(name: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    """``value`` if it is of the JSON ``kind`` (a boolean is no number), else Graph's 400."""
    numeric = kind in (int, float) or (isinstance(kind, tuple) and int in kind)
    if not isinstance(value, kind) or (numeric and isinstance(value, bool)):
        raise wrong_type(name, value)
    return value


def number(name: str, value: Any, kind: type[int] | type[float] = int) -> int | float:
    """An Edm.Int32/Edm.Double parameter: a JSON number or a numeric string, as OData reads it."""
    try:
        if isinstance(value, str):
            return kind(value.strip())
        expect(name, value, (int, float))
        if kind is int and not float(value).is_integer():
            raise wrong_type(name, value)
        return kind(value)
    except (ValueError, OverflowError) as exc:
        raise wrong_type(name, value) from exc


def check_properties(patch: dict[str, Any]) -> None:
    """Every property of a POSTed or PATCHed event checked before any of it is used."""
    for name, value in patch.items():
        _check(name, value)


def _check(name: str, value: Any) -> None:
    """Type and enum checks for one property, as Graph's OData reader does them."""
    if name.startswith("@odata.") or name in READ_ONLY:
        return
    kind = WRITABLE.get(name)
    if kind is None:
        raise unknown_property(name)
    if value is None:
        if name in ("subject", "body", "location", "recurrence", "transactionId"):
            return
        raise GraphError(
            f"Cannot convert a null value for property '{name}'.", code="RequestBodyRead"
        )
    expect(name, value, kind)
    if name in _ENUMS and _canonical(value, _ENUMS[name]) is None:
        raise GraphError(
            f"Cannot convert the literal '{value}' to the expected type"
            f" 'microsoft.graph.{'freeBusyStatus' if name == 'showAs' else name}'.",
            code="RequestBodyRead",
        )


def _canonical(value: str, choices: tuple[str, ...]) -> str | None:
    """Enum members are read case-insensitively (the docs send "Required", "HTML")."""
    return next((c for c in choices if c.lower() == value.lower()), None)


def parse_times(event: dict[str, Any]) -> tuple[datetime, datetime]:
    """start/end as aware datetimes, or Graph's 400 for a missing, bad or reversed pair."""
    start, end = event.get("start"), event.get("end")
    if not isinstance(start, dict) or not isinstance(end, dict):
        raise invalid()
    try:
        s, e = parse_graph_datetime(start), parse_graph_datetime(end)
    except UnknownTimeZone as exc:
        raise GraphError(
            "A valid TimeZone value must be specified. The following TimeZone value is not"
            f" supported: '{exc.name}'.",
            code="TimeZoneNotSupportedException",
        ) from exc
    except ValueError as exc:
        raise GraphError(
            f"Cannot convert the literal to 'Edm.DateTimeOffset': {exc}", code="BadRequest"
        ) from exc
    if e < s:
        raise invalid()
    return s, e


def normalise_recurrence(recurrence: Any, start_zone: str) -> dict[str, Any] | None:
    """Graph echoes a patternedRecurrence with every field filled in; bad ones are a 400."""
    if recurrence is None:
        return None
    try:
        validate_recurrence(recurrence)
    except InvalidRecurrence as exc:
        raise GraphError(f"{_INVALID} ({exc})", code="ErrorPropertyValidationFailure") from exc
    pattern, rng = recurrence["pattern"], recurrence["range"]
    days = sorted({d.lower() for d in pattern.get("daysOfWeek") or []}, key=WEEKDAYS.index)
    return {
        "pattern": {
            "type": _canon(pattern["type"], "daily weekly absoluteMonthly relativeMonthly"
                           " absoluteYearly relativeYearly"),
            "interval": pattern.get("interval", 1),
            "month": pattern.get("month") or 0,
            "dayOfMonth": pattern.get("dayOfMonth") or 0,
            "daysOfWeek": days,
            "firstDayOfWeek": (pattern.get("firstDayOfWeek") or "sunday").lower(),
            "index": (pattern.get("index") or "first").lower(),
        },
        "range": {
            "type": _canon(rng["type"], "endDate noEnd numbered"),
            "startDate": rng["startDate"],
            "endDate": rng.get("endDate") or "0001-01-01",
            "recurrenceTimeZone": rng.get("recurrenceTimeZone") or start_zone,
            "numberOfOccurrences": rng.get("numberOfOccurrences") or 0,
        },
    }  # fmt: skip


def _canon(value: str, choices: str) -> str:
    return next(c for c in choices.split() if c.lower() == value.lower())


def location(loc: dict[str, Any] | None) -> dict[str, Any]:
    """Graph fills locationType and a private uniqueId for a typed-in location."""
    if not loc or not loc.get("displayName"):
        return {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"}
    out = {"displayName": loc["displayName"], "locationType": "default"}
    out.update({"uniqueId": loc["displayName"], "uniqueIdType": "private"})
    out.update({k: v for k, v in loc.items() if v is not None})
    return out


def location_entry(loc: dict[str, Any]) -> dict[str, Any]:
    """An entry of ``locations``: a typed-in place has no uniqueId there (user-post-events)."""
    out = {"displayName": loc.get("displayName") or "", "locationType": "default"}
    out["uniqueIdType"] = "unknown"
    out.update({k: v for k, v in loc.items() if v is not None})
    return out


def join_url() -> str:
    thread = secrets.token_urlsafe(24)
    return f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{thread}%40thread.v2/0"


def body(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {"contentType": "html", "content": ""}
    kind = str(value.get("contentType") or "text").lower()
    return {
        "contentType": "html" if kind == "html" else "text",
        "content": value.get("content") or "",
    }


def attendee(a: Any, known: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """An attendee as stored; one already on the meeting keeps her response."""
    if not isinstance(a, dict) or not isinstance(a.get("emailAddress"), dict):
        raise invalid()
    email = {k: v for k, v in a["emailAddress"].items() if v is not None}
    if not email.get("address"):
        raise invalid()
    email.setdefault("name", email["address"])
    previous = (known or {}).get(email["address"].lower())
    status = (
        a.get("status")
        or (previous or {}).get("status")
        or {"response": "none", "time": "0001-01-01T00:00:00Z"}
    )
    kind = _canonical(str(a.get("type") or "required"), ("required", "optional", "resource"))
    if kind is None:
        raise GraphError(
            f"Cannot convert the literal '{a.get('type')}' to the expected type"
            " 'microsoft.graph.attendeeType'.",
            code="RequestBodyRead",
        )
    return {"type": kind, "status": status, "emailAddress": email}


def apply_changes(
    data: dict[str, Any], patch: dict[str, Any], *, creating: bool = False
) -> set[str]:
    """Merge ``patch`` into stored ``data``; returns the names that changed. Raises Graph's 400s."""
    check_properties(patch)
    changed: set[str] = set()
    known = {a["emailAddress"]["address"].lower(): a for a in data.get("attendees") or []}
    for name, value in patch.items():
        if (
            name.startswith("@odata.")
            or name in READ_ONLY
            or (name == "organizer" and not creating)
        ):
            continue
        if name == "body":
            value = body(value)
        elif name == "attendees":
            value = [attendee(a, known) for a in value]
        elif name == "location":
            value = location(value)
        elif name == "locations":
            value = [location_entry(x) for x in value if isinstance(x, dict)]
        elif name == "subject":
            value = value or ""
        elif name in _ENUMS:
            value = _canonical(value, _ENUMS[name])
        if data.get(name) != value:
            changed.add(name)
        data[name] = value
    if creating or changed & {"start", "end", "recurrence", "isAllDay"}:
        start, end = parse_times(data)
        tz_start = data["start"].get("timeZone") or "UTC"
        tz_end = data["end"].get("timeZone") or tz_start
        data["start"], data["end"] = (
            format_graph_datetime(start, tz_start),
            format_graph_datetime(end, tz_end),
        )
        if "start" in patch:
            data["originalStartTimeZone"] = tz_start
        if "end" in patch:
            data["originalEndTimeZone"] = tz_end
        data["recurrence"] = normalise_recurrence(data.get("recurrence"), tz_start)
        if data.get("type") in (None, "singleInstance", "seriesMaster"):
            data["type"] = "seriesMaster" if data["recurrence"] else "singleInstance"
    if "body" in changed or creating:
        data["bodyPreview"] = body_preview(data.get("body"))
    if "location" in patch and "locations" not in patch:
        shown = (
            {k: v for k, v in patch["location"].items() if v is not None}
            if patch["location"]
            else {}
        )
        data["locations"] = [location_entry(shown)] if data["location"]["displayName"] else []
    elif "locations" in patch and "location" not in patch:
        names = "; ".join(x["displayName"] for x in data["locations"])
        data["location"] = location({"displayName": names} if names else None)
    if "isOnlineMeeting" in changed or (creating and data.get("isOnlineMeeting")):
        online = bool(data.get("isOnlineMeeting"))
        data["onlineMeeting"] = {"joinUrl": join_url()} if online else None
        if "onlineMeetingProvider" not in patch:
            data["onlineMeetingProvider"] = "teamsForBusiness" if online else "unknown"
    return changed
