"""Dates as the municipality and Graph write them: Dutch local time, and Graph's
``dateTimeTimeZone`` (the gateway asks for W. Europe; some answers still say UTC)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["AMSTERDAM", "WINDOWS", "from_graph", "next_working_day", "to_graph"]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WINDOWS = "W. Europe Standard Time"  # Graph's name for the same zone


def from_graph(value: Mapping[str, Any] | None) -> dt.datetime:
    """A Graph dateTimeTimeZone as an aware time in the Netherlands."""
    text = ((value or {}).get("dateTime") or "1970-01-01T00:00:00")[:19]
    moment = dt.datetime.fromisoformat(text)
    if ((value or {}).get("timeZone") or "UTC").upper() == "UTC":
        return moment.replace(tzinfo=dt.UTC).astimezone(AMSTERDAM)
    return moment.replace(tzinfo=AMSTERDAM)


def to_graph(moment: dt.datetime) -> dict[str, str]:
    """An aware time as a Graph dateTimeTimeZone in Dutch local time."""
    local = moment.astimezone(AMSTERDAM).replace(tzinfo=None)
    return {"dateTime": local.isoformat(timespec="seconds"), "timeZone": WINDOWS}


def next_working_day(day: dt.date) -> dt.date:
    """The next weekday (holidays are the roster's exceptions, not the calendar's)."""
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day
