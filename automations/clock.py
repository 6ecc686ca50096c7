"""Where the domain gets "now": a clock passed in, so every rule can be run on any day.

The server, the CLI and the jobs pass a ``SystemClock``; a deployment can run a
``SetClock`` (a demo on a chosen day) and tests pass a ``SetClock`` fixed to their demo week,
advanced by hand where a lease or a preview has to expire. This module is the only place in
``automations`` that reads the machine's time.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol

from automations.dates import AMSTERDAM

__all__ = ["Clock", "SetClock", "SystemClock", "local_now", "local_today", "parse_clock"]


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

    Why it runs by default: ordering by time (audit lines, claims, journal leases) needs
    distinct moments, and a process started by another (the CLI under test) is handed the
    parent's ``now()`` and carries on from there. ``advance`` jumps ahead without sleeping.
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

    def hold(self) -> None:
        """Stand still from now on (``advance`` still jumps): a test that must see a lease
        still held, however slow the machine, holds the clock first."""
        self._at, self._running = self.now(), False

    def __repr__(self) -> str:
        return f"SetClock({self.now().isoformat()})"

    @classmethod
    def on_day(cls, day: dt.date, hour: int = 10, minute: int = 0) -> SetClock:
        """The municipality's ``day`` at ``hour:minute`` (Amsterdam time), running."""
        return cls(dt.datetime.combine(day, dt.time(hour, minute), AMSTERDAM))


def parse_clock(text: str | None) -> Clock:
    """``None``/empty → the system clock; ``2026-11-24`` → that day at 10:00 in Amsterdam;
    an ISO moment with offset → that moment; both run on from when this process starts."""
    if not text:
        return SystemClock()
    text = text.strip()
    try:
        if len(text) == 10:
            return SetClock.on_day(dt.date.fromisoformat(text))
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a date or an ISO moment with offset: {text!r}") from exc
    if moment.tzinfo is None:
        raise ValueError(f"the moment needs an offset, e.g. +01:00: {text!r}")
    return SetClock(moment)


def local_now(clock: Clock) -> dt.datetime:
    """Now in the municipality (the pane's "rest of today" starts here)."""
    return clock.now().astimezone(AMSTERDAM)


def local_today(clock: Clock) -> dt.date:
    """The municipality's date (the roster's weekdays are Dutch weekdays)."""
    return local_now(clock).date()
