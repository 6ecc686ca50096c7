"""The injected clock: a set day or moment runs on from where it was set, and the
municipality's date follows Dutch time across clock changes and the turn of the year."""

from __future__ import annotations

import datetime as dt

import pytest

from automations.clock import SetClock, SystemClock, local_now, local_today, parse_clock
from automations.dates import AMSTERDAM


def test_a_set_day_starts_at_ten_in_the_morning_in_dutch_time() -> None:
    clock = parse_clock("2026-10-25")  # the night the clocks went back: 10:00 is UTC+1
    assert isinstance(clock, SetClock)
    assert local_now(clock).replace(microsecond=0) >= dt.datetime(
        2026, 10, 25, 10, tzinfo=AMSTERDAM
    )
    assert clock.now().utcoffset() == dt.timedelta(0)
    assert clock.now() - dt.datetime(2026, 10, 25, 9, tzinfo=dt.UTC) < dt.timedelta(minutes=1)


def test_a_moment_with_its_offset_is_taken_as_it_is() -> None:
    clock = parse_clock("2026-12-31T23:59:30+01:00")
    assert local_today(clock) == dt.date(2026, 12, 31)
    clock.advance(dt.timedelta(seconds=31))
    assert local_today(clock) == dt.date(2027, 1, 1)


def test_nothing_set_is_the_machines_time() -> None:
    assert isinstance(parse_clock(None), SystemClock) and isinstance(parse_clock(""), SystemClock)


@pytest.mark.parametrize("text", ["2026-11-31", "morgen", "2026-11-24T10:00"])
def test_a_clock_that_cannot_be_read_is_refused_with_its_text(text: str) -> None:
    with pytest.raises(ValueError, match=text):
        parse_clock(text)


def test_a_standing_clock_stands_until_advanced_and_never_goes_by_the_machine() -> None:
    moment = dt.datetime(2026, 3, 29, 1, 30, tzinfo=AMSTERDAM)
    clock = SetClock(moment, running=False)
    assert clock.now() == clock.now() == moment
    clock.advance(dt.timedelta(hours=1))  # 02:30 does not exist that night: it is 03:30
    assert local_now(clock).hour == 3 and local_now(clock).utcoffset() == dt.timedelta(hours=2)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        SetClock(dt.datetime(2026, 11, 24, 10))


def test_a_held_clock_stops_where_it_was_and_still_advances() -> None:
    clock = SetClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
    clock.hold()
    held = clock.now()
    assert clock.now() == held  # however long this line took
    clock.advance(dt.timedelta(seconds=20))
    assert clock.now() == held + dt.timedelta(seconds=20)
