"""The jobs' crontab lines are read as cron reads them: 1-5 is Monday to Friday."""

from __future__ import annotations

import datetime as dt

import pytest

from automations.dates import AMSTERDAM
from server.scheduler import cron_trigger

FRIDAY_EVENING = dt.datetime(2026, 11, 27, 18, 1, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("line", "fires"),
    [
        ("30 17 * * 1-5", "2026-11-30T17:30"),  # working days: Monday next
        ("0 7 * * 6", "2026-11-28T07:00"),  # Saturday
        ("0 7 * * 0", "2026-11-29T07:00"),  # Sunday as 0
        ("0 7 * * 7", "2026-11-29T07:00"),  # and as 7
        ("0 7 * * 0-6", "2026-11-28T07:00"),  # every day, the range starting on Sunday
        ("0 7 * * 1,3", "2026-11-30T07:00"),
        ("*/15 * * * *", "2026-11-27T18:15"),
    ],
)
def test_a_crontab_line_fires_when_cron_would(line: str, fires: str) -> None:
    got = cron_trigger(line).get_next_fire_time(None, FRIDAY_EVENING)
    assert got == dt.datetime.fromisoformat(fires).replace(tzinfo=AMSTERDAM)


def test_a_line_that_is_not_cron_is_refused_with_its_text() -> None:
    with pytest.raises(ValueError, match="elke dag"):
        cron_trigger("elke dag")
