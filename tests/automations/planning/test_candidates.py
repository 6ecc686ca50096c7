"""Candidate times as a secretary ranks them: inside the weeks and conditions she set, nobody
required busy, the fewest with an option, a free room, spread over the days."""

from __future__ import annotations

import datetime as dt

from automations.dates import AMSTERDAM
from automations.planning.candidates import Busy, candidate_times, rank, schedule_items
from automations.planning.models import Conditions, Participant

MON = dt.date(2027, 1, 11)  # a Monday
HOUR = dt.timedelta(hours=1)
INGRID = Participant("ingrid@zeeveen.nl", "Ingrid Zwanenburg", "executive")
JOOST = Participant("joost@zeeveen.nl", "Joost Brinkhorst", "executive")
BAS = Participant("bas@zeeveen.nl", "Bas Kuipers", "internal", required=False)
GUEST = Participant("gs@kustland.example", "Provincie Kustland", "external")
PEOPLE = [INGRID, JOOST, BAS, GUEST]
EARLY = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), AMSTERDAM)


def busy(day: dt.date, start: int, end: int, status: str = "busy") -> Busy:
    return Busy(at(day, start), at(day, end), status)  # type: ignore[arg-type]


def times(first: dt.date, last: dt.date, **conditions) -> list[tuple[dt.datetime, dt.datetime]]:
    return list(candidate_times(first, last, HOUR, Conditions(**conditions), not_before=EARLY))


def test_times_keep_to_the_hours_weekdays_and_the_college_day() -> None:
    week = times(MON, MON + dt.timedelta(days=6), not_on=frozenset({1}))  # not on Tuesday
    days = sorted({s.date() for s, _ in week})
    assert [d.weekday() for d in days] == [0, 2, 3, 4]
    assert min(s.time() for s, _ in week) == dt.time(9)
    assert max(e.time() for _, e in week) == dt.time(17)
    assert len([s for s, _ in week if s.date() == MON]) == 15  # 09:00 … 16:00 by half hours


def test_mornings_only_and_travel_time_narrow_the_day() -> None:
    mornings = times(MON, MON, mornings_only=True, travel=dt.timedelta(minutes=30))
    assert mornings[0][0] == at(MON, 9, 30) and mornings[-1][1] == at(MON, 12)


def test_nothing_before_now() -> None:
    now = at(MON, 14, 10)
    later = list(candidate_times(MON, MON, HOUR, Conditions(), not_before=now))
    assert later[0][0] == at(MON, 14, 30)


def test_nobody_required_busy_an_option_ranks_lower_and_is_said() -> None:
    day2 = MON + dt.timedelta(days=1)
    schedule = {
        INGRID.address: [busy(MON, 9, 17)],  # Monday is gone
        JOOST.address: [busy(day2, 9, 10, "hold")],  # an option on Tuesday morning
        BAS.address: [busy(day2, 10, 12)],
    }
    found = rank(times(MON, day2), schedule, PEOPLE, count=3)
    assert all(c.start.date() == day2 for c in found)
    assert all(c.conflicts == 0 for c in found)
    by_start = {c.start: c for c in found}
    assert at(day2, 9) not in by_start  # the option ranks behind free times of that day
    first = found[0]
    assert first.explanation.startswith("Alle verplichte deelnemers vrij")
    assert first.availability[GUEST.address] == "unknown"  # the guests choose on their page


def test_an_option_is_offered_and_explained_when_nothing_better_exists() -> None:
    schedule = {INGRID.address: [], JOOST.address: [busy(MON, 9, 17, "hold")],
                BAS.address: []}  # fmt: skip
    [only] = rank(times(MON, MON), schedule, PEOPLE, count=1)
    assert only.doubts == 1 and "Joost Brinkhorst heeft een optie" in only.explanation


def test_equally_good_times_are_spread_over_the_days() -> None:
    schedule = {INGRID.address: [], JOOST.address: [], BAS.address: []}
    found = rank(times(MON, MON + dt.timedelta(days=4)), schedule, PEOPLE, count=5)
    assert len({c.start.date() for c in found}) == 5


def test_travel_time_keeps_the_executives_free_around_it() -> None:
    schedule = {INGRID.address: [busy(MON, 9, 10)], JOOST.address: [], BAS.address: []}
    found = rank(times(MON, MON, travel=dt.timedelta(minutes=30)), schedule, PEOPLE,
                 travel=dt.timedelta(minutes=30), count=20)  # fmt: skip
    assert min(c.start for c in found) == at(MON, 10, 30)


def test_a_room_must_be_free_and_the_first_free_one_is_taken() -> None:
    rooms = [("collegekamer@zeeveen.nl", "Collegekamer"), ("raadzaal@zeeveen.nl", "Raadzaal")]
    room_busy = {"collegekamer@zeeveen.nl": [busy(MON, 9, 12)],
                 "raadzaal@zeeveen.nl": [busy(MON, 9, 11)]}  # fmt: skip
    schedule = {INGRID.address: [], JOOST.address: [], BAS.address: []}
    found = rank(times(MON, MON), schedule, PEOPLE, rooms=rooms, room_busy=room_busy, count=20)
    assert min(c.start for c in found) == at(MON, 11)
    first = min(found, key=lambda c: c.start)
    assert first.room == "raadzaal@zeeveen.nl" and "Raadzaal is vrij" in first.explanation


def test_a_calendar_graph_could_not_read_is_unknown_not_free() -> None:
    assert schedule_items({"scheduleId": "x", "error": {"message": "no access"}}) is None
    items = schedule_items({"scheduleItems": [
        {"status": "tentative", "subject": "Optie: overleg (tot 15-01-2027)",
         "start": {"dateTime": "2027-01-11T09:00:00", "timeZone": "UTC"},
         "end": {"dateTime": "2027-01-11T10:00:00", "timeZone": "UTC"}},
        {"status": "workingElsewhere",
         "start": {"dateTime": "2027-01-11T11:00:00", "timeZone": "UTC"},
         "end": {"dateTime": "2027-01-11T12:00:00", "timeZone": "UTC"}},
    ]})  # fmt: skip
    assert items is not None and [b.status for b in items] == ["hold"]


def test_the_hours_hold_on_both_sides_of_the_clock_change() -> None:
    """Weeks across the last Sunday of October: 09:00 is 09:00 in Dutch time before and after
    (07:00 UTC, then 08:00 UTC), and a day has as many candidate times either side."""
    friday, monday = dt.date(2027, 10, 29), dt.date(2027, 11, 1)
    found = times(friday, monday)
    first = {s.date(): s for s, _ in reversed(found)}
    assert first[friday].time() == first[monday].time() == dt.time(9)
    assert first[friday].astimezone(dt.UTC).hour == 7 and first[monday].astimezone(dt.UTC).hour == 8
    per_day = {d: sum(1 for s, _ in found if s.date() == d) for d in (friday, monday)}
    assert per_day[friday] == per_day[monday] == 15
