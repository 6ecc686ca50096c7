"""The pane's calamity windows, from now to midnight after today, tomorrow or Sunday — also on
the nights the clocks change and at the turn of the year."""

from __future__ import annotations

import datetime as dt

import pytest

from automations.calamity.models import window_for
from automations.dates import AMSTERDAM


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


CASES = [
    ("a Tuesday, rest of today", "2026-11-24T14:37:12", "vandaag", "2026-11-25T00:00", 9.4),
    ("a Tuesday, today and tomorrow", "2026-11-24T14:37", "morgen", "2026-11-26T00:00", 33.4),
    ("a Tuesday, this week", "2026-11-24T14:37", "week", "2026-11-30T00:00", 129.4),
    ("a Sunday, this week is today", "2026-11-29T09:00", "week", "2026-11-30T00:00", 15.0),
    ("a Monday, this week", "2026-11-23T08:00", "week", "2026-11-30T00:00", 160.0),
    ("clocks go back tonight (25 h day)", "2026-10-24T22:00", "morgen", "2026-10-26T00:00", 27.0),
    ("on the day the clocks go back", "2026-10-25T01:30", "vandaag", "2026-10-26T00:00", 23.5),
    ("clocks go forward (23 h day)", "2026-03-29T00:30", "vandaag", "2026-03-30T00:00", 22.5),
    ("New Year's Eve", "2026-12-31T16:00", "morgen", "2027-01-02T00:00", 32.0),
    ("New Year's Eve, this week", "2026-12-31T16:00", "week", "2027-01-04T00:00", 80.0),
]


@pytest.mark.parametrize(("now", "choice", "until", "hours"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_a_window_runs_from_this_minute_to_midnight_on_the_calendar(
    now: str, choice: str, until: str, hours: float
) -> None:
    start, end = window_for(choice, at(now))
    assert start == at(now).replace(second=0, microsecond=0)
    assert end == at(until) and end.tzinfo is AMSTERDAM
    elapsed = end.astimezone(dt.UTC) - start.astimezone(dt.UTC)  # real hours, not wall-clock
    assert round(elapsed.total_seconds() / 3600, 1) == hours


def test_now_in_another_zone_is_taken_in_dutch_time() -> None:
    start, end = window_for("vandaag", dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC))
    assert start == at("2026-11-25T00:30") and end == at("2026-11-26T00:00")
