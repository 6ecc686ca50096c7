"""Where the sandbox gets "now": one clock per sandbox, so the tenant can run on another day.

Mirrors the product's ``automations/clock.py`` (the sandbox imports nothing from the product):
a test hands the tenant and the product clocks set to the same moment, and everything Graph
shows (received, sent, created and modified times, findMeetingTimes' "now", error dates)
agrees with what the product thinks today is. What clients check against their own clock stays
on the machine's time: token lifetimes (PyJWT), TLS certificates (ssl) and upload session
expiry (msgraph-core's LargeFileUploadTask).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "AMSTERDAM",
    "Clock",
    "SetClock",
    "ShiftedClock",
    "SystemClock",
    "local_now",
    "local_today",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the demo municipality's days are Dutch days


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """An aware datetime in UTC."""
        ...


class SystemClock:
    """The machine's time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class SetClock:
    """A clock set to a moment that then runs on (``running=True``) or stands still.

    It runs by default so that stamps taken one after another differ, as they would in
    Exchange; ``advance`` jumps ahead without sleeping.
    """

    def __init__(self, at: dt.datetime, *, running: bool = True) -> None:
        if at.tzinfo is None:
            raise ValueError("SetClock needs an aware datetime")
        self._at = at.astimezone(dt.UTC)
        self._started = time.monotonic()
        self._running = running

    def now(self) -> dt.datetime:
        if not self._running:
            return self._at
        return self._at + dt.timedelta(seconds=time.monotonic() - self._started)

    def advance(self, delta: dt.timedelta) -> None:
        self._at += delta

    def __repr__(self) -> str:
        return f"SetClock({self.now().isoformat()})"

    @classmethod
    def on_day(cls, day: dt.date, hour: int = 10, minute: int = 0) -> SetClock:
        """``day`` at ``hour:minute`` in Amsterdam, running."""
        return cls(dt.datetime.combine(day, dt.time(hour, minute), AMSTERDAM))


class ShiftedClock:
    """The machine's time moved by a fixed offset: another day, the real time of day.

    What ``sandbox --today`` runs on: a demo on a chosen date whose mail still arrives "now"
    by the wall clock, and whose time runs on with the machine's (no monotonic drift).
    """

    def __init__(self, offset: dt.timedelta) -> None:
        self.offset = offset

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def __repr__(self) -> str:
        return f"ShiftedClock({self.now().isoformat()})"

    @classmethod
    def to_day(cls, day: dt.date) -> ShiftedClock:
        """Now, moved so that Amsterdam's date is ``day``.

        Shifted by Amsterdam wall time, not by UTC days: across a daylight saving change a
        UTC shift would land an hour off and, late in the evening, on the wrong date.
        """
        real = dt.datetime.now(dt.UTC)
        local = real.astimezone(AMSTERDAM)
        days = dt.timedelta(days=(day - local.date()).days)
        wall = (local.replace(tzinfo=None) + days).replace(tzinfo=AMSTERDAM)
        return cls(wall - real)


def local_now(clock: Clock) -> dt.datetime:
    """Now in the demo municipality."""
    return clock.now().astimezone(AMSTERDAM)


def local_today(clock: Clock) -> dt.date:
    """The demo municipality's date: the day the seeded week is built around."""
    return local_now(clock).date()
