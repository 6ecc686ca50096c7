"""Calendar arithmetic for tests, so no test depends on the day the suite runs on (TODAY).

Written out here rather than imported from the product, so that a test checks the product's
answer against an independent one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from automations.clock import SetClock
from tests.conftest import TODAY

__all__ = [
    "AMSTERDAM",
    "MONDAY",
    "TODAY",
    "day_window",
    "dutch_day",
    "first_day",
    "front_office_day",
    "local",
    "next_weekday",
    "next_working_day",
    "seed_day",
    "set_day",
    "working_day",
    "working_days_after",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MAANDEN = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()

# The Monday of TODAY's ISO week: the sandbox seed puts its events on "mon".."sun" of this week.
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())


def seed_day(day: str, week: int = 0) -> dt.date:
    """The seed's ``day: <day>, week: <week>`` (sandbox/seed/resolve.py ``Resolver.date``)."""
    return MONDAY + dt.timedelta(days=WEEKDAYS.index(day) + 7 * week)


def next_weekday(day: str, after: dt.date = TODAY, *, or_same: bool = False) -> dt.date:
    """The first ``day`` ("mon".."sun") after ``after`` (or on it, with ``or_same``)."""
    ahead = (WEEKDAYS.index(day) - after.weekday()) % 7
    if ahead == 0 and not or_same:
        ahead = 7
    return after + dt.timedelta(days=ahead)


def working_days_after(day: dt.date, count: int) -> dt.date:
    """``count`` weekdays (Monday to Friday) after ``day``."""
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def next_working_day(day: dt.date = TODAY) -> dt.date:
    return working_days_after(day, 1)


def working_day(day: dt.date = TODAY) -> dt.date:
    """``day`` if it is a weekday, else the Monday after it."""
    return day if day.weekday() < 5 else next_working_day(day)


def dutch_day(day: dt.date) -> str:
    """``dinsdag 1 december``: how the product writes a date in Dutch."""
    return f"{_DAGEN[day.weekday()]} {day.day} {_MAANDEN[day.month - 1]}"


def local(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour:minute`` in Amsterdam, aware."""
    return dt.datetime.combine(day, dt.time(hour, minute), AMSTERDAM)


def day_window(day: dt.date) -> tuple[str, str]:
    """From midnight to midnight in Amsterdam, as ISO moments with their offsets."""
    return local(day).isoformat(), local(day + dt.timedelta(days=1)).isoformat()


def first_day(wanted: Callable[[dt.date], bool], after: dt.date = TODAY) -> dt.date:
    """The first day on or after ``after`` that is ``wanted`` (within a year)."""
    for n in range(366):
        day = after + dt.timedelta(days=n)
        if wanted(day):
            return day
    raise AssertionError("no such day within a year")


def front_office_day(executive: str, secretary: str, after: dt.date = TODAY) -> dt.date:
    """The first day on or after ``after`` on which the demo roster makes ``secretary``
    the front office of ``executive`` (automations/roster/demo.yaml)."""
    from automations.roster.models import Roster
    from automations.roster.service import load_roster_file
    from server.startup import DEMO_ROSTER

    roster = Roster.from_document(load_roster_file(DEMO_ROSTER))
    return first_day(lambda d: roster.front_office_on(executive, d) == secretary, after)


def set_day(clock: SetClock, day: dt.date, hour: int = 10, minute: int = 0) -> None:
    """Moves a product clock (forward or back) to ``day`` at ``hour:minute`` in Amsterdam."""
    clock.advance(local(day, hour, minute) - clock.now())
