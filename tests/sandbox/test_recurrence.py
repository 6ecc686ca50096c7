import copy
import re
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.calendar.recurrence import (
    InvalidRecurrence,
    expand,
    occurrence_id,
    parse_occurrence_id,
    validate_recurrence,
)

AMS = "Europe/Amsterdam"


def series(pattern, rng, *, start="2026-11-23T09:00:00", tz=AMS, minutes=30):
    """Master start/end dicts plus recurrence, as a Graph event carries them."""
    begin = datetime.fromisoformat(start)
    return {
        "start": {"dateTime": start, "timeZone": tz},
        "end": {
            "dateTime": (begin + timedelta(minutes=minutes)).isoformat(),
            "timeZone": tz,
        },
        "recurrence": {"pattern": pattern, "range": rng},
    }


def run(event, window_start="2026-01-01", window_end="2028-01-01", **kwargs):
    return expand(
        **event,
        window_start=datetime.fromisoformat(window_start).replace(tzinfo=UTC),
        window_end=datetime.fromisoformat(window_end).replace(tzinfo=UTC),
        **kwargs,
    )


def local_starts(occurrences):
    return [o.start.strftime("%a %Y-%m-%d %H:%M") for o in occurrences]


def dates(occurrences):
    return [o.start.date().isoformat() for o in occurrences]


def weekly(days, interval=1, first="sunday"):
    return {
        "type": "weekly",
        "interval": interval,
        "daysOfWeek": days,
        "firstDayOfWeek": first,
    }


def no_end(start_date="2026-11-23"):
    return {"type": "noEnd", "startDate": start_date}


def until(end_date, start_date="2026-11-23"):
    return {"type": "endDate", "startDate": start_date, "endDate": end_date}


def test_weekly_monday_wednesday_friday_repeats_each_week():
    event = series(weekly(["monday", "wednesday", "friday"]), no_end())
    got = run(event, "2026-11-23", "2026-12-05")
    assert local_starts(got) == [
        "Mon 2026-11-23 09:00",
        "Wed 2026-11-25 09:00",
        "Fri 2026-11-27 09:00",
        "Mon 2026-11-30 09:00",
        "Wed 2026-12-02 09:00",
        "Fri 2026-12-04 09:00",
    ]


def test_every_two_weeks_skips_the_week_in_between():
    event = series(
        weekly(["tuesday", "thursday"], interval=2),
        no_end("2026-11-24"),
        start="2026-11-24T09:00:00",
    )
    got = run(event, "2026-11-01", "2026-12-26")
    assert dates(got) == [
        "2026-11-24",
        "2026-11-26",
        "2026-12-08",
        "2026-12-10",
        "2026-12-22",
        "2026-12-24",
    ]


def test_first_day_of_week_decides_which_days_share_a_biweekly_week():
    days = ["monday", "sunday"]
    sunday_first = run(series(weekly(days, 2, "sunday"), until("2026-12-13")))
    monday_first = run(series(weekly(days, 2, "monday"), until("2026-12-13")))
    assert dates(sunday_first) == ["2026-11-23", "2026-12-06", "2026-12-07"]
    assert dates(monday_first) == [
        "2026-11-23",
        "2026-11-29",
        "2026-12-07",
        "2026-12-13",
    ]


def test_daily_every_three_days():
    event = series({"type": "daily", "interval": 3}, until("2026-12-02"))
    assert dates(run(event)) == ["2026-11-23", "2026-11-26", "2026-11-29", "2026-12-02"]


def test_monthly_on_the_last_friday():
    pattern = {
        "type": "relativeMonthly",
        "interval": 1,
        "daysOfWeek": ["friday"],
        "index": "last",
    }
    event = series(pattern, no_end(), start="2026-11-27T09:00:00")
    got = run(event, "2026-11-01", "2027-03-01")
    assert dates(got) == ["2026-11-27", "2026-12-25", "2027-01-29", "2027-02-26"]


def test_relative_monthly_with_several_days_takes_the_nth_matching_day():
    # Graph: with several daysOfWeek "the event falls on the first day that
    # satisfies the pattern", so {saturday, sunday} + first = first weekend day.
    pattern = {
        "type": "relativeMonthly",
        "interval": 1,
        "daysOfWeek": ["saturday", "sunday"],
        "index": "first",
    }
    event = series(pattern, until("2027-01-31", "2026-11-01"), start="2026-11-01T09:00:00")
    assert dates(run(event)) == ["2026-11-01", "2026-12-05", "2027-01-02"]


def test_absolute_monthly_on_the_31st_falls_back_to_the_last_day():
    pattern = {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31}
    event = series(pattern, until("2027-03-31", "2026-12-31"), start="2026-12-31T09:00:00")
    assert dates(run(event)) == ["2026-12-31", "2027-01-31", "2027-02-28", "2027-03-31"]


def test_absolute_yearly_repeats_on_the_same_date():
    pattern = {"type": "absoluteYearly", "interval": 1, "month": 11, "dayOfMonth": 24}
    event = series(pattern, no_end("2026-11-24"), start="2026-11-24T09:00:00")
    got = run(event, "2026-01-01", "2029-12-31")
    assert dates(got) == ["2026-11-24", "2027-11-24", "2028-11-24", "2029-11-24"]


def test_relative_yearly_fourth_thursday_of_november():
    pattern = {
        "type": "relativeYearly",
        "interval": 1,
        "month": 11,
        "daysOfWeek": ["thursday"],
        "index": "fourth",
    }
    event = series(
        pattern,
        {"type": "numbered", "startDate": "2026-11-01", "numberOfOccurrences": 3},
        start="2026-11-26T12:00:00",
    )
    assert dates(run(event, "2026-01-01", "2040-01-01")) == [
        "2026-11-26",
        "2027-11-25",
        "2028-11-23",
    ]


def test_numbered_counts_from_the_start_date_not_from_the_window():
    event = series(
        weekly(["monday"]),
        {"type": "numbered", "startDate": "2026-11-23", "numberOfOccurrences": 4},
    )
    assert dates(run(event, "2026-12-01", "2027-12-01")) == ["2026-12-07", "2026-12-14"]


def test_end_date_is_inclusive():
    event = series(weekly(["monday"]), until("2026-12-07"))
    assert dates(run(event)) == ["2026-11-23", "2026-11-30", "2026-12-07"]


def test_end_date_is_read_in_the_recurrence_time_zone():
    rng = {**until("2026-11-24"), "recurrenceTimeZone": "Tokyo Standard Time"}
    event = series({"type": "daily", "interval": 1}, rng, start="2026-11-23T20:00:00", tz="UTC")
    # 24 Nov 20:00 UTC is already 25 Nov in Tokyo, past the end date.
    assert dates(run(event)) == ["2026-11-23"]


def test_a_nine_oclock_meeting_stays_at_nine_across_the_spring_dst_change():
    event = series(
        weekly(["monday"]),
        until("2026-04-06", "2026-03-23"),
        start="2026-03-23T09:00:00",
        tz="W. Europe Standard Time",
    )
    got = run(event)
    assert [o.start.strftime("%H:%M") for o in got] == ["09:00", "09:00", "09:00"]
    assert [o.original_start.strftime("%H:%MZ") for o in got] == [
        "08:00Z",
        "07:00Z",
        "07:00Z",
    ]


def test_a_nine_oclock_meeting_stays_at_nine_across_the_autumn_dst_change():
    event = series(
        weekly(["monday"]),
        until("2026-11-02", "2026-10-19"),
        start="2026-10-19T09:00:00",
    )
    got = run(event)
    assert [o.start.strftime("%H:%M") for o in got] == ["09:00", "09:00", "09:00"]
    assert [o.original_start.strftime("%H:%MZ") for o in got] == [
        "07:00Z",
        "08:00Z",
        "08:00Z",
    ]


def test_occurrences_keep_the_master_duration_across_dst():
    event = series(
        {"type": "daily", "interval": 1},
        until("2026-03-30", "2026-03-28"),
        start="2026-03-28T09:00:00",
        minutes=90,
    )
    assert {o.end - o.start for o in run(event)} == {timedelta(minutes=90)}


def test_original_start_is_the_utc_slot():
    (occ,) = run(series(weekly(["monday"]), until("2026-11-23")))
    assert occ.original_start == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert occ.original_start.tzinfo is UTC


def test_an_occurrence_straddling_the_window_start_is_included():
    event = series(weekly(["monday"]), no_end())
    assert dates(run(event, "2026-11-23T08:15:00", "2026-11-24")) == ["2026-11-23"]


def test_an_occurrence_ending_exactly_at_the_window_start_is_included():
    # EWS CalendarView drops items whose end is *before* StartDate only.
    event = series(weekly(["monday"]), no_end())
    assert dates(run(event, "2026-11-23T08:30:00", "2026-11-24")) == ["2026-11-23"]


def test_an_occurrence_starting_exactly_at_the_window_end_is_excluded():
    event = series(weekly(["monday"]), no_end())
    assert run(event, "2026-11-22", "2026-11-23T08:00:00") == []


def test_a_window_before_the_series_is_empty():
    assert run(series(weekly(["monday"]), no_end()), "2026-01-01", "2026-11-01") == []


def test_a_no_end_series_with_a_far_window_returns_the_windows_occurrences():
    event = series({"type": "daily", "interval": 1}, no_end())
    got = run(event, "2999-01-01", "2999-01-08")  # how fast: benchmarks/sandbox_overhead.py
    assert dates(got)[0] == "2999-01-01" and len(got) == 7


def test_the_limit_caps_the_number_of_occurrences():
    event = series({"type": "daily", "interval": 1}, no_end())
    assert len(run(event, limit=10)) == 10


def test_naive_window_bounds_are_rejected():
    event = series(weekly(["monday"]), no_end())
    with pytest.raises(ValueError, match="aware"):
        expand(**event, window_start=datetime(2026, 1, 1), window_end=datetime(2027, 1, 1))


def test_sdk_default_fields_for_other_pattern_types_are_tolerated():
    pattern = {**weekly(["monday"]), "dayOfMonth": 0, "month": 0, "index": "first"}
    validate_recurrence(
        {
            "pattern": pattern,
            "range": {**no_end(), "endDate": "0001-01-01", "numberOfOccurrences": 0},
        }
    )


def test_enum_values_are_case_insensitive():
    event = series(
        {"type": "Weekly", "interval": 1, "daysOfWeek": ["Monday"]},
        {"type": "EndDate", "startDate": "2026-11-23", "endDate": "2026-11-30"},
    )
    assert dates(run(event)) == ["2026-11-23", "2026-11-30"]


VALID = {"pattern": weekly(["monday"]), "range": until("2026-12-31")}


def broken(path, value):
    rec = copy.deepcopy(VALID)
    *parents, leaf = path
    target = rec
    for key in parents:
        target = target[key]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return rec


@pytest.mark.parametrize(
    ("recurrence", "field"),
    [
        (None, "recurrence"),
        (broken(["pattern"], ...), "recurrence.pattern"),
        (broken(["range"], ...), "recurrence.range"),
        (broken(["pattern", "type"], "hourly"), "recurrence.pattern.type"),
        (broken(["pattern", "interval"], 0), "recurrence.pattern.interval"),
        (broken(["pattern", "interval"], ...), "recurrence.pattern.interval"),
        (broken(["pattern", "daysOfWeek"], []), "recurrence.pattern.daysOfWeek"),
        (
            broken(["pattern", "daysOfWeek"], ["funday"]),
            "recurrence.pattern.daysOfWeek",
        ),
        (
            broken(["pattern", "firstDayOfWeek"], "someday"),
            "recurrence.pattern.firstDayOfWeek",
        ),
        (
            broken(["pattern"], {"type": "absoluteMonthly", "interval": 1}),
            "recurrence.pattern.dayOfMonth",
        ),
        (
            broken(
                ["pattern"],
                {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 32},
            ),
            "recurrence.pattern.dayOfMonth",
        ),
        (
            broken(
                ["pattern"],
                {"type": "relativeYearly", "interval": 1, "daysOfWeek": ["monday"]},
            ),
            "recurrence.pattern.month",
        ),
        (
            broken(
                ["pattern"],
                {
                    "type": "relativeMonthly",
                    "interval": 1,
                    "daysOfWeek": ["monday"],
                    "index": "fifth",
                },
            ),
            "recurrence.pattern.index",
        ),
        (broken(["range", "type"], "forever"), "recurrence.range.type"),
        (broken(["range", "startDate"], ...), "recurrence.range.startDate"),
        (broken(["range", "startDate"], "2026-02-30"), "recurrence.range.startDate"),
        (broken(["range", "endDate"], "31/12/2026"), "recurrence.range.endDate"),
        (broken(["range", "endDate"], "2026-01-01"), "recurrence.range.endDate"),
        (
            broken(["range"], {"type": "numbered", "startDate": "2026-11-23"}),
            "recurrence.range.numberOfOccurrences",
        ),
        (
            broken(["range", "recurrenceTimeZone"], "Mars Standard Time"),
            "recurrence.range.recurrenceTimeZone",
        ),
    ],
)
def test_an_invalid_recurrence_names_the_offending_field(recurrence, field):
    with pytest.raises(InvalidRecurrence) as info:
        validate_recurrence(recurrence)
    assert isinstance(info.value, ValueError)
    assert field in str(info.value)


def test_expand_validates_the_recurrence_too():
    event = series({"type": "weekly", "interval": 1}, no_end())
    with pytest.raises(InvalidRecurrence, match="daysOfWeek"):
        run(event)


MASTER = "AAMkAGI2AEx-y_z0=="


def test_an_occurrence_id_round_trips_to_master_and_original_start():
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert parse_occurrence_id(occurrence_id(MASTER, start)) == (MASTER, start)


def test_an_occurrence_id_is_url_safe_and_looks_like_an_exchange_id():
    occ = occurrence_id(MASTER, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert occ.startswith("AAMk")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", occ)


def test_occurrence_ids_differ_per_original_start():
    a = occurrence_id(MASTER, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    b = occurrence_id(MASTER, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert a != b


@pytest.mark.parametrize("text", [MASTER, "AAMkOcc", "AAMkOcc!!!", "AAMkOccQUJD", ""])
def test_anything_but_an_occurrence_id_parses_to_none(text):
    assert parse_occurrence_id(text) is None
