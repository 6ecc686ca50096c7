"""The calamity windows: the quick choices from now to midnight after today, tomorrow or Sunday
(also on the nights the clocks change and at the turn of the year), this afternoon and the next
working morning; an explicit from–to and why one is refused; the report's days and outcomes."""

from __future__ import annotations

import datetime as dt

import pytest

from automations.calamity.models import (
    ClearItem,
    InvalidWindow,
    by_day,
    custom_window,
    day_label,
    window_for,
)
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


# -- the quick choices of a working day, and an explicit from–to ------------------------------

QUICK = [
    ("vanmiddag before noon", "2026-11-24T09:15", "vanmiddag", "2026-11-24T12:00",
     "2026-11-24T17:00"),
    ("vanmiddag after noon starts now", "2026-11-24T14:37", "vanmiddag", "2026-11-24T14:37",
     "2026-11-24T17:00"),
    ("morgenochtend on a Tuesday", "2026-11-24T14:37", "morgenochtend", "2026-11-25T08:00",
     "2026-11-25T12:00"),
    ("morgenochtend on a Friday is Monday's", "2026-11-27T16:00", "morgenochtend",
     "2026-11-30T08:00", "2026-11-30T12:00"),
    ("morgenochtend on New Year's Eve", "2026-12-31T16:00", "morgenochtend",
     "2027-01-01T08:00", "2027-01-01T12:00"),
]  # fmt: skip


@pytest.mark.parametrize(("now", "choice", "start", "end"), [c[1:] for c in QUICK],
                         ids=[c[0] for c in QUICK])  # fmt: skip
def test_vanmiddag_and_morgenochtend_follow_the_working_day(
    now: str, choice: str, start: str, end: str
) -> None:
    assert window_for(choice, at(now)) == (at(start), at(end))


def test_vanmiddag_after_the_working_day_is_refused_in_dutch() -> None:
    with pytest.raises(InvalidWindow) as refused:
        window_for("vanmiddag", at("2026-11-24T17:00"))
    assert refused.value.code == "invalid_window" and "Rest van vandaag" in refused.value.message


def test_an_unknown_choice_is_refused() -> None:
    with pytest.raises(InvalidWindow):
        window_for("gisteren", at("2026-11-24T10:00"))


def test_a_from_to_without_zone_is_dutch_time() -> None:
    start, end = custom_window(dt.datetime(2026, 11, 24, 13), dt.datetime(2026, 11, 25, 9))
    assert (start, end) == (at("2026-11-24T13:00"), at("2026-11-25T09:00"))
    aware = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
    assert custom_window(aware, aware + dt.timedelta(hours=1))[0] == at("2026-11-24T13:00")


BAD = [
    ("backwards", (2026, 11, 25, 9), (2026, 11, 24, 13), "einde na het begin"),
    ("empty", (2026, 11, 24, 13), (2026, 11, 24, 13), "einde na het begin"),
    ("over fourteen days", (2026, 11, 1, 0), (2026, 11, 15, 0, 1), "hoogstens 14 dagen"),
]


@pytest.mark.parametrize(("start", "end", "says"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_from_to_that_cannot_be_cleared_says_why(
    start: tuple[int, ...], end: tuple[int, ...], says: str
) -> None:
    with pytest.raises(InvalidWindow) as refused:
        custom_window(dt.datetime(*start), dt.datetime(*end))
    assert says in refused.value.message and refused.value.status == 422


def test_fourteen_days_exactly_is_allowed_and_a_missing_end_is_refused() -> None:
    start = dt.datetime(2026, 11, 1)
    assert custom_window(start, start + dt.timedelta(days=14))[1] == at("2026-11-15T00:00")
    with pytest.raises(InvalidWindow, match="begin en het einde"):
        custom_window(start, None)


# -- the report: per day, what happened --------------------------------------------------------


def item(start: str, action: str, status: str, *, all_day: bool = False) -> ClearItem:
    reason = "hele dag" if all_day else ""
    return ClearItem(id=start + action, subject=action, start=start, end=start, action=action,
                     reason=reason, status=status, all_day=all_day)  # fmt: skip


def test_outcomes_say_what_happened_in_dutch() -> None:
    said = {
        (a, s): item("2026-11-24T10:00:00+01:00", a, s).outcome
        for a, s in [("cancel", "done"), ("decline", "done"), ("remove", "done"),
                     ("keep", "kept"), ("cancel", "gone"), ("decline", "failed"),
                     ("cancel", "planned")]
    }  # fmt: skip
    assert said == {
        ("cancel", "done"): "geannuleerd",
        ("decline", "done"): "afgemeld",
        ("remove", "done"): "verwijderd",
        ("keep", "kept"): "blijft staan",
        ("cancel", "gone"): "was al weg",
        ("decline", "failed"): "mislukt",
        ("cancel", "planned"): "wordt geannuleerd",
    }


def test_the_report_groups_by_day_with_dutch_names_all_day_first() -> None:
    items = [
        item("2026-11-25T09:00:00+01:00", "cancel", "done"),
        item("2026-11-24T14:00:00+01:00", "decline", "done"),
        item("2026-11-25T00:00:00+01:00", "keep", "kept", all_day=True),
        item("2026-11-24T09:00:00+01:00", "remove", "done"),
    ]
    days = by_day(items)
    assert [d for d, _ in days] == ["dinsdag 24 november", "woensdag 25 november"]
    assert [i.action for i in days[0][1]] == ["remove", "decline"]
    assert [i.action for i in days[1][1]] == ["keep", "cancel"] and days[1][1][0].all_day
    assert day_label("2026-12-31T16:00") == "donderdag 31 december"
