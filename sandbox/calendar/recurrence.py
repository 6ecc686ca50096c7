"""Expansion of Graph patternedRecurrence into occurrences, as Outlook does it.

Semantics and their sources (learn.microsoft.com, Graph v1.0 and EWS docs):

* recurrencePattern: ``interval`` counts days, weeks, months or years;
  weekly weeks begin on ``firstDayOfWeek`` (default sunday); for the
  relative types, several ``daysOfWeek`` mean "the first day that satisfies
  the pattern" (so ``index`` picks among all matching days of the month);
  ``index`` defaults to ``first``.
* A ``dayOfMonth`` beyond the month's length lands on the month's last day
  (EWS DayOfMonth element: "the last day of the month is assumed").
* recurrenceRange: ``endDate`` is inclusive and read in
  ``recurrenceTimeZone`` (default: the event's zone); ``numbered`` counts
  from ``startDate``, so skipped-over occurrences before a window count.
* Every occurrence starts at the master's wall-clock time in the master's
  start zone, so 09:00 stays 09:00 across DST; duration is the master's.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sandbox.timezones import UnknownTimeZone, parse_graph_datetime, to_zoneinfo

__all__ = [
    "InvalidRecurrence",
    "Occurrence",
    "expand",
    "occurrence_id",
    "overlaps",
    "parse_occurrence_id",
    "validate_recurrence",
]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_INDEXES = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1}
_PATTERN_KINDS = "daily weekly absoluteMonthly relativeMonthly absoluteYearly relativeYearly"
_PATTERN_TYPES = {t.casefold(): t for t in _PATTERN_KINDS.split()}
_RANGE_TYPES = {t.casefold(): t for t in ("endDate", "noEnd", "numbered")}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidRecurrence(ValueError):
    """A malformed patternedRecurrence; the message names the offending field."""


@dataclass(frozen=True)
class Occurrence:
    original_start: datetime  # aware, UTC: the slot the pattern put it in
    start: datetime  # aware, in the master's start zone
    end: datetime  # aware, in the master's end zone


def overlaps(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> bool:
    """calendarView membership test, shared by single events and occurrences.

    EWS CalendarView (the engine behind Graph's calendarView) documents that
    items whose end is *before* StartDate, or whose start is *on or after*
    EndDate, are not returned; Graph users report the same boundary (an
    event ending exactly at startDateTime is returned:
    microsoftgraph/microsoft-graph-docs issue 18024, msgraph-sdk-php 258).
    Source: https://learn.microsoft.com/en-us/exchange/client-developer/
    web-service-reference/calendarview
    """
    return start < window_end and end >= window_start


# -- validation -------------------------------------------------------------


def _int_field(obj: dict, name: str, where: str, low: int, high: int | None = None) -> int:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRecurrence(f"{where}.{name} is required and must be an integer")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidRecurrence(f"{where}.{name} must be {bound}, got {value}")
    return value


def _date_field(obj: dict, name: str) -> date:
    value = obj.get(name)
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidRecurrence(f"recurrence.range.{name} must be a date like 2026-11-24")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRecurrence(f"recurrence.range.{name} {value!r} is not a valid date") from None


def _days_field(pattern: dict, required: bool) -> list[int]:
    raw = pattern.get("daysOfWeek")
    if raw is None or raw == []:
        if required:
            raise InvalidRecurrence(
                f"recurrence.pattern.daysOfWeek is required for type {pattern['type']}"
            )
        return []
    if not isinstance(raw, list):
        raise InvalidRecurrence("recurrence.pattern.daysOfWeek must be an array")
    days = []
    for item in raw:
        if not isinstance(item, str) or item.casefold() not in WEEKDAYS:
            raise InvalidRecurrence(f"recurrence.pattern.daysOfWeek has an unknown day {item!r}")
        days.append(WEEKDAYS.index(item.casefold()))
    return sorted(set(days))


def _enum_field(obj: dict, name: str, allowed, default: str) -> str:
    value = obj.get(name)
    if value is None:
        return default
    if not isinstance(value, str) or value.casefold() not in allowed:
        raise InvalidRecurrence(f"recurrence.pattern.{name} has an unsupported value {value!r}")
    return value.casefold()


@dataclass(frozen=True)
class _Rule:
    kind: str
    interval: int
    days: tuple[int, ...]
    first_day: int
    index: int
    day_of_month: int
    month: int
    range_type: str
    start_date: date
    end_date: date | None
    count: int | None
    range_tz: str | None


def _rule(recurrence: object) -> _Rule:
    """Validate and normalise; only fields relevant to the type are checked.

    Graph rejects unsupported values, but SDKs serialise defaults such as
    dayOfMonth 0 for weekly patterns, so irrelevant zeros are tolerated.
    """
    if not isinstance(recurrence, dict):
        raise InvalidRecurrence("recurrence must be an object with pattern and range")
    pattern, rng = recurrence.get("pattern"), recurrence.get("range")
    if not isinstance(pattern, dict):
        raise InvalidRecurrence("recurrence.pattern is required")
    if not isinstance(rng, dict):
        raise InvalidRecurrence("recurrence.range is required")

    ptype = pattern.get("type")
    if not isinstance(ptype, str) or ptype.casefold() not in _PATTERN_TYPES:
        raise InvalidRecurrence(f"recurrence.pattern.type {ptype!r} is not a supported type")
    kind = _PATTERN_TYPES[ptype.casefold()]
    pattern = {**pattern, "type": kind}
    interval = _int_field(pattern, "interval", "recurrence.pattern", 1)
    days = _days_field(pattern, kind in ("weekly", "relativeMonthly", "relativeYearly"))
    first_day = _enum_field(pattern, "firstDayOfWeek", WEEKDAYS, "sunday")
    index = _enum_field(pattern, "index", _INDEXES, "first")
    day_of_month = month = 0
    if kind in ("absoluteMonthly", "absoluteYearly"):
        day_of_month = _int_field(pattern, "dayOfMonth", "recurrence.pattern", 1, 31)
    if kind in ("absoluteYearly", "relativeYearly"):
        month = _int_field(pattern, "month", "recurrence.pattern", 1, 12)

    rtype = rng.get("type")
    if not isinstance(rtype, str) or rtype.casefold() not in _RANGE_TYPES:
        raise InvalidRecurrence(f"recurrence.range.type {rtype!r} is not a supported type")
    range_type = _RANGE_TYPES[rtype.casefold()]
    start_date = _date_field(rng, "startDate")
    end_date = count = None
    if range_type == "endDate":
        end_date = _date_field(rng, "endDate")
        if end_date < start_date:
            raise InvalidRecurrence("recurrence.range.endDate is before recurrence.range.startDate")
    if range_type == "numbered":
        count = _int_field(rng, "numberOfOccurrences", "recurrence.range", 1)
    range_tz = rng.get("recurrenceTimeZone") or None
    if range_tz is not None:
        try:
            to_zoneinfo(range_tz)
        except UnknownTimeZone:
            raise InvalidRecurrence(
                f"recurrence.range.recurrenceTimeZone {range_tz!r} is not a known time zone"
            ) from None
    return _Rule(
        kind=kind,
        interval=interval,
        days=tuple(days),
        first_day=WEEKDAYS.index(first_day),
        index=_INDEXES[index],
        day_of_month=day_of_month,
        month=month,
        range_type=range_type,
        start_date=start_date,
        end_date=end_date,
        count=count,
        range_tz=range_tz,
    )


def validate_recurrence(recurrence: dict) -> None:
    """Raise InvalidRecurrence (a ValueError) naming the first bad field."""
    _rule(recurrence)


# -- date generation ------------------------------------------------------


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def _absolute_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _relative_day(year: int, month: int, days: tuple[int, ...], index: int) -> date:
    first = date(year, month, 1)
    matching = [
        first + timedelta(days=i)
        for i in range(calendar.monthrange(year, month)[1])
        if (first + timedelta(days=i)).weekday() in days
    ]
    return matching[index]


def _period_dates(rule: _Rule, period: int) -> list[date]:
    """Candidate dates of the period-th repetition (period 0 holds startDate)."""
    sd, step = rule.start_date, rule.interval * period
    if rule.kind == "daily":
        return [sd + timedelta(days=step)]
    if rule.kind == "weekly":
        week = sd - timedelta(days=(sd.weekday() - rule.first_day) % 7) + timedelta(weeks=step)
        offsets = sorted((d - rule.first_day) % 7 for d in rule.days)
        return [week + timedelta(days=o) for o in offsets]
    if rule.kind in ("absoluteMonthly", "relativeMonthly"):
        year, month = _add_months(sd.year, sd.month, step)
    else:
        year, month = sd.year + step, rule.month
    if rule.kind.startswith("absolute"):
        return [_absolute_day(year, month, rule.day_of_month)]
    return [_relative_day(year, month, rule.days, rule.index)]


def _first_period(rule: _Rule, earliest: date) -> int:
    """Skip whole periods ending before `earliest`; one spare period for safety."""
    sd = rule.start_date
    if earliest <= sd:
        return 0
    if rule.kind == "daily":
        units = (earliest - sd).days
    elif rule.kind == "weekly":
        units = (earliest - sd).days // 7
    elif rule.kind in ("absoluteMonthly", "relativeMonthly"):
        units = (earliest.year - sd.year) * 12 + earliest.month - sd.month
    else:
        units = earliest.year - sd.year
    return max(0, units // rule.interval - 1)


def _dates(rule: _Rule, first_period: int) -> Iterator[date]:
    period = first_period
    while True:
        for day in _period_dates(rule, period):
            if day >= rule.start_date:
                yield day
        period += 1


# -- expansion ------------------------------------------------------------


def expand(
    *,
    start: dict,
    end: dict,
    recurrence: dict,
    window_start: datetime,
    window_end: datetime,
    limit: int = 5000,
) -> list[Occurrence]:
    """Occurrences of a series that overlap [window_start, window_end).

    Iteration always stops at window_end, so noEnd series terminate; at most
    `limit` occurrences are returned.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("window bounds must be aware datetimes")
    rule = _rule(recurrence)
    master_start, master_end = parse_graph_datetime(start), parse_graph_datetime(end)
    duration = master_end.astimezone(UTC) - master_start.astimezone(UTC)
    if duration < timedelta(0):
        raise ValueError("event end is before event start")
    start_zone, end_zone = master_start.tzinfo, master_end.tzinfo
    range_zone = to_zoneinfo(rule.range_tz) if rule.range_tz else start_zone
    wall_clock: time = master_start.replace(tzinfo=None).time()

    first_period = 0
    if rule.count is None:  # numbered series must be counted from the start
        earliest = (window_start - duration).astimezone(start_zone).date() - timedelta(days=1)
        first_period = _first_period(rule, earliest)

    found: list[Occurrence] = []
    for seen, day in enumerate(_dates(rule, first_period)):
        if (rule.count is not None and seen >= rule.count) or len(found) >= limit:
            break
        occ_start = datetime.combine(day, wall_clock).replace(tzinfo=start_zone)
        occ_utc = occ_start.astimezone(UTC)
        if rule.end_date is not None and occ_utc.astimezone(range_zone).date() > rule.end_date:
            break
        if occ_utc >= window_end:
            break
        end_utc = occ_utc + duration
        if overlaps(occ_utc, end_utc, window_start, window_end):
            found.append(
                Occurrence(
                    original_start=occ_utc,
                    start=occ_utc.astimezone(start_zone),
                    end=end_utc.astimezone(end_zone),
                )
            )
    return found


# -- occurrence ids -------------------------------------------------------

_OCC_PREFIX = "AAMkOcc"
_OCC_STAMP = "%Y%m%dT%H%M%S.%fZ"


def occurrence_id(master_id: str, original_start: datetime) -> str:
    """Opaque, URL-safe id that encodes the master id and the original start."""
    if original_start.tzinfo is None:
        raise ValueError("original_start must be an aware datetime")
    stamp = original_start.astimezone(UTC).strftime(_OCC_STAMP)
    payload = f"{master_id}|{stamp}".encode()
    return _OCC_PREFIX + base64.urlsafe_b64encode(payload).decode().rstrip("=")


def parse_occurrence_id(occ_id: str) -> tuple[str, datetime] | None:
    """Inverse of occurrence_id; None for anything that is not one."""
    if not isinstance(occ_id, str) or not occ_id.startswith(_OCC_PREFIX):
        return None
    body = occ_id[len(_OCC_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        master_id, stamp = raw.decode().rsplit("|", 1)
        when = datetime.strptime(stamp, _OCC_STAMP).replace(tzinfo=UTC)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not master_id or occurrence_id(master_id, when) != occ_id:
        return None
    return master_id, when
