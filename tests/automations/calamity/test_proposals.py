"""Which of findMeetingTimes' suggestions re-planning offers, and who of the attendees can come.

Fixed dates: these are pure functions of the moments given (no clock)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from automations.calamity.proposals import (
    DEFAULT_HOURS,
    earliest_start,
    invitation_html,
    invitation_text,
    usable_slots,
    working_hours,
)

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = dt.date(2026, 11, 23)
NAMES = {"bas.kuipers@zeeveen.nl": "Bas Kuipers", "anna.dewit@zeeveen.nl": "Anna de Wit"}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Day ``day`` after MONDAY at hour:minute, Dutch time."""
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, minute), AMS)


def suggestion(start: dt.datetime, minutes: int = 60, **who: str) -> dict[str, Any]:
    def graph(moment: dt.datetime) -> dict[str, str]:
        local = moment.astimezone(AMS).replace(tzinfo=None).isoformat(timespec="seconds")
        return {"dateTime": local, "timeZone": "W. Europe Standard Time"}

    return {
        "confidence": 100,
        "meetingTimeSlot": {
            "start": graph(start),
            "end": graph(start + dt.timedelta(minutes=minutes)),
        },
        "attendeeAvailability": [
            {"availability": status, "attendee": {"emailAddress": {"address": address}}}
            for address, status in who.items()
        ],
    }


def starts(slots: list[Any]) -> list[dt.datetime]:
    return [s.start for s in slots]


def test_a_proposal_never_starts_before_the_end_of_the_cleared_window() -> None:
    not_before = at(1, 17)  # the calamity cleared Monday and Tuesday until 17:00
    found = usable_slots(
        [suggestion(at(1, 9)), suggestion(at(1, 16)), suggestion(at(2, 8)), suggestion(at(2, 10))],
        not_before=not_before,
        hours=DEFAULT_HOURS,
        names=NAMES,
        count=5,
    )
    assert starts(found) == [at(2, 8), at(2, 10)]


def test_a_proposal_lies_inside_working_hours() -> None:
    offered = [
        suggestion(at(2, 7, 30)),  # before 08:00
        suggestion(at(2, 16, 30)),  # ends 17:30
        suggestion(at(2, 16)),  # ends 17:00 exactly: inside
        suggestion(at(5, 10)),  # Saturday
        suggestion(at(2, 23, 30)),  # over midnight
        suggestion(at(2, 8)),
    ]
    found = usable_slots(offered, not_before=at(0, 8), hours=DEFAULT_HOURS, names={}, count=9)
    assert starts(found) == [at(2, 16), at(2, 8)]  # Graph's order is kept


def test_working_hours_come_from_getschedule_and_default_when_unusable() -> None:
    hours = working_hours(
        {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday"],
            "startTime": "09:00:00.0000000",
            "endTime": "16:00:00.0000000",
            "timeZone": {"name": "W. Europe Standard Time"},
        }
    )
    assert hours.contain(at(1, 9), at(1, 10)) and not hours.contain(at(1, 8), at(1, 9))
    assert not hours.contain(at(4, 10), at(4, 11))  # her Friday is free of work
    assert not hours.contain(at(1, 15, 30), at(1, 16, 30))
    for unusable in (None, {}, {"daysOfWeek": []}, {"daysOfWeek": ["monday"], "startTime": "x"}):
        assert working_hours(unusable) == DEFAULT_HOURS
    backwards = {"daysOfWeek": ["monday"], "startTime": "17:00:00", "endTime": "08:00:00"}
    assert working_hours(backwards) == DEFAULT_HOURS


def test_the_earliest_start_is_after_the_window_and_the_item_and_never_in_the_past() -> None:
    now = at(0, 10, 7)
    assert earliest_start(now=now, cleared=[at(0, 12), at(0, 11)]) == at(0, 12)
    assert earliest_start(now=now, cleared=[at(0, 12), at(0, 13, 15)]) == at(0, 13, 30)
    assert earliest_start(now=now, cleared=[None]) == at(0, 10, 30)  # not in the past
    assert earliest_start(now=now, cleared=[at(0, 9)]) == at(0, 10, 30)
    in_utc = at(0, 12).astimezone(dt.UTC)
    assert earliest_start(now=now, cleared=[in_utc]).tzinfo is not None


def test_each_proposal_names_who_is_free_and_who_is_not() -> None:
    [mixed, free] = usable_slots(
        [
            suggestion(
                at(2, 9),
                **{
                    "bas.kuipers@zeeveen.nl": "free",
                    "anna.dewit@zeeveen.nl": "busy",
                    "extern@regio.nl": "unknown",
                },
            ),
            suggestion(at(2, 11), **{"bas.kuipers@zeeveen.nl": "free"}),
        ],
        not_before=at(0, 8),
        hours=DEFAULT_HOURS,
        names=NAMES,
        count=5,
    )
    assert mixed.summary == "Vrij: Bas Kuipers · Bezet: Anna de Wit · Onbekend: extern@regio.nl"
    assert not mixed.everyone_free
    assert [(a.name, a.label) for a in mixed.attendees] == [
        ("Bas Kuipers", "vrij"),
        ("Anna de Wit", "bezet"),
        ("extern@regio.nl", "onbekend"),
    ]
    assert free.everyone_free and free.summary == "Vrij: Bas Kuipers"


def test_at_most_count_proposals_and_odd_availability_reads_as_unknown() -> None:
    offered = [suggestion(at(2, h), **{"bas.kuipers@zeeveen.nl": "weird"}) for h in range(8, 16)]
    found = usable_slots(offered, not_before=at(0, 8), hours=DEFAULT_HOURS, names=NAMES, count=3)
    assert starts(found) == [at(2, 8), at(2, 9), at(2, 10)]
    assert found[0].attendees[0].status == "unknown"


def test_the_invitation_text_names_the_original_moment_in_dutch() -> None:
    text = invitation_text("Havenoverleg", at(1, 10), "  Agenda volgt.  ")
    assert text == (
        "Nieuwe datum voor ‘Havenoverleg’, oorspronkelijk gepland op dinsdag 24 november"
        " om 10:00. Excuses voor het verzetten.\n\nAgenda volgt."
    )
    assert "\n" not in invitation_text("Havenoverleg", at(1, 10).astimezone(dt.UTC))


def test_the_invitation_html_escapes_every_line() -> None:
    html = invitation_html('Beste <b>allen</b>,\r\n\r\nTot "dan" &\nIngrid\n\n\n')
    assert html == (
        "<p>Beste &lt;b&gt;allen&lt;/b&gt;,</p><p>Tot &#34;dan&#34; &amp;<br>Ingrid</p>"
    )
