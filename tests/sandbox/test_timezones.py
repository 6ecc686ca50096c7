from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.timezones import (
    _WINDOWS_TO_IANA,
    UnknownTimeZone,
    format_graph_datetime,
    format_utc,
    parse_graph_datetime,
    parse_iso_instant,
    to_zoneinfo,
)


def test_an_iana_name_resolves_to_that_zone():
    assert to_zoneinfo("Europe/Amsterdam") == ZoneInfo("Europe/Amsterdam")


def test_utc_resolves_to_utc():
    assert to_zoneinfo("UTC").utcoffset(datetime(2026, 7, 1)) == timedelta(0)


@pytest.mark.parametrize(
    ("windows", "iana"),
    [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("Eastern Standard Time", "America/New_York"),
        ("GMT Standard Time", "Europe/London"),
        ("Romance Standard Time", "Europe/Paris"),
        ("Central Europe Standard Time", "Europe/Budapest"),
        ("India Standard Time", "Asia/Kolkata"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        ("tzone://Microsoft/Utc", "UTC"),
    ],
)
def test_windows_names_resolve_to_the_cldr_golden_zone(windows, iana):
    assert to_zoneinfo(windows) == ZoneInfo(iana)


def test_windows_names_match_case_insensitively_like_exchange():
    assert to_zoneinfo("w. europe standard time") == ZoneInfo("Europe/Berlin")


def test_every_windows_name_in_the_table_loads():
    for name in _WINDOWS_TO_IANA:
        assert to_zoneinfo(name) is not None


def test_graph_only_aliases_from_the_datetimetimezone_page_resolve():
    assert to_zoneinfo("Asia/Toshkent") == ZoneInfo("Asia/Tashkent")


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe", "../etc/passwd", "", "  "])
def test_an_unknown_name_raises_unknown_time_zone(name):
    with pytest.raises(UnknownTimeZone) as info:
        to_zoneinfo(name)
    assert isinstance(info.value, ValueError)
    assert repr(name) in str(info.value)


def test_a_graph_datetime_becomes_an_aware_local_datetime():
    dt = parse_graph_datetime(
        {
            "dateTime": "2026-11-24T09:00:00.0000000",
            "timeZone": "W. Europe Standard Time",
        }
    )
    assert (dt.hour, dt.minute) == (9, 0)
    assert dt.astimezone(UTC) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "micro"),
    [
        ("2026-11-24T09:00:00", 0),
        ("2026-11-24T09:00:00.5", 500000),
        ("2026-11-24T09:00:00.123", 123000),
        ("2026-11-24T09:00:00.1234567", 123456),
    ],
)
def test_graph_datetimes_accept_zero_to_seven_fraction_digits(text, micro):
    dt = parse_graph_datetime({"dateTime": text, "timeZone": "UTC"})
    assert dt.microsecond == micro


def test_a_missing_time_zone_means_utc():
    dt = parse_graph_datetime({"dateTime": "2026-11-24T09:00:00"})
    assert dt == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_wall_time_in_the_spring_dst_gap_moves_forward():
    dt = parse_graph_datetime({"dateTime": "2026-03-29T02:30:00", "timeZone": "Europe/Amsterdam"})
    assert (dt.hour, dt.minute) == (3, 30)


def test_a_graph_datetime_without_datetime_is_rejected():
    with pytest.raises(ValueError, match="dateTime"):
        parse_graph_datetime({"timeZone": "UTC"})


def test_graph_datetime_round_trips_with_seven_fraction_digits():
    wire = {
        "dateTime": "2026-11-24T09:00:00.1230000",
        "timeZone": "Pacific Standard Time",
    }
    assert format_graph_datetime(parse_graph_datetime(wire), wire["timeZone"]) == wire


def test_formatting_converts_to_the_requested_zone():
    instant = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert format_graph_datetime(instant, "Eastern Standard Time") == {
        "dateTime": "2026-11-24T03:00:00.0000000",
        "timeZone": "Eastern Standard Time",
    }


def test_formatting_a_naive_datetime_is_a_bug():
    with pytest.raises(ValueError, match="aware"):
        format_graph_datetime(datetime(2026, 11, 24, 8, 0), "UTC")


def test_a_calendar_view_instant_without_offset_is_utc():
    assert parse_iso_instant("2026-11-24T09:00:00") == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-24T10:00:00+01:00",
        "2026-11-24T10:00:00+0100",
        "2026-11-24T01:00:00-08:00",
        "2026-11-24T09:00:00Z",
        "2026-11-24T09:00:00.0000000Z",
    ],
)
def test_an_instant_with_an_offset_is_converted_to_utc(text):
    assert parse_iso_instant(text) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_an_instant_keeps_fractional_seconds():
    assert parse_iso_instant("2026-11-24T09:00:00.25Z").microsecond == 250000


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow",
        "2026-13-01T00:00:00",
        "2026-11-24T25:00:00",
        "2026-11-24T09:00:00.12345678",
        "2026-11-24T09:00:00+25:00",
        "",
    ],
)
def test_a_malformed_instant_raises_a_clear_value_error(text):
    with pytest.raises(ValueError, match=r"date-time"):
        parse_iso_instant(text)


def test_an_unencoded_plus_in_a_query_string_gets_a_hint():
    with pytest.raises(ValueError, match="%2B"):
        parse_iso_instant("2026-11-24T10:00:00 01:00")


def test_format_utc_prints_whole_seconds_with_z():
    dt = datetime(2026, 11, 24, 10, 0, 0, 999, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert format_utc(dt) == "2026-11-24T09:00:00Z"
