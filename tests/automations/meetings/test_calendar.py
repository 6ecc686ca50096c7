"""Which calendar items the picker offers as meetings: by category or subject, first type wins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from automations.meetings.calendar import offered_from
from automations.meetings.types import DEMO, CalendarMatch, MeetingTypes, load_types

TYPES = load_types(DEMO)
WITH_CATEGORY = MeetingTypes.model_validate({
    "format": 1,
    "types": [
        {"key": "college", "name": "College", "folder": "College",
         "calendar": {"category": "College"}},
        {"key": "overleg", "name": "Overleg", "folder": "Overleg",
         "calendar": {"subject": "overleg"}},
    ],
})  # fmt: skip


def event(subject: str | None, categories: list[str] | None = None, **extra: Any) -> dict:
    found = {
        "id": f"ev-{subject}",
        "subject": subject,
        "categories": categories or [],
        "start": {"dateTime": "2026-12-01T09:30:00.0000000", "timeZone": "UTC"},
    }
    return {**found, **extra}


@pytest.mark.parametrize(
    ("match", "found", "matches"),
    [
        (CalendarMatch(subject="MT-overleg"), event("MT-overleg"), True),
        (CalendarMatch(subject="MT-overleg"), event("extra mt-OVERLEG december"), True),
        (CalendarMatch(subject="MT-overleg"), event("Overleg MT"), False),
        (CalendarMatch(subject="MT-overleg"), event(None), False),
        (CalendarMatch(category="College"), event("Iets", ["College"]), True),
        (CalendarMatch(category="College"), event("College", ["Raad"]), False),
        (CalendarMatch(category="College", subject="B&W"), event("B&W"), True),
        (CalendarMatch(), event("MT-overleg", ["College"]), False),
    ],
)
def test_a_type_recognises_its_meetings(match: CalendarMatch, found: dict, matches: bool) -> None:
    assert match.matches(found) is matches


@pytest.mark.parametrize(
    ("types", "events", "offered"),
    [
        (TYPES, [event("Collegevergadering"), event("Lunch"), event("Raadsvergadering")],
         [("college", "Collegevergadering"), ("raad", "Raadsvergadering")]),
        (TYPES, [event("Lunch")], []),
        (WITH_CATEGORY, [event("College overleg", ["College"])], [("college", "College overleg")]),
        (WITH_CATEGORY, [event("Werkoverleg")], [("overleg", "Werkoverleg")]),
        (WITH_CATEGORY, [event(None, ["College"])], [("college", "College")]),  # its type's name
    ],
)  # fmt: skip
def test_offered_from(types: MeetingTypes, events: list[dict], offered: list[tuple]) -> None:
    assert [(o.type, o.title) for o in offered_from(events, types)] == offered


def test_an_offer_carries_date_place_and_event() -> None:
    [offer] = offered_from([event("MT-overleg", location={"displayName": "Raadhuis"})], TYPES)
    assert (offer.date, offer.location, offer.event_id) == (dt.date(2026, 12, 1), "Raadhuis",
                                                            "ev-MT-overleg")  # fmt: skip
    assert offer.type_name == "Directieoverleg"
    [nowhere] = offered_from([event("MT-overleg", location=None)], TYPES)
    assert nowhere.location == ""
