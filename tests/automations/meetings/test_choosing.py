"""The picker's one list: a stored meeting and its calendar item are one candidate, the meeting
types that fit the mail come first, then the nearest upcoming; only a fitting one is preselected."""

from __future__ import annotations

import datetime as dt

import pytest

from automations.dates import AMSTERDAM
from automations.meetings.calendar import CalendarMeeting, offered_from
from automations.meetings.choosing import Fit, MailFacts, choose, fit_of, merge, words
from automations.meetings.models import Meeting
from automations.meetings.types import DEMO, load_types

TYPES = load_types(DEMO)
NAMES = {t.key: t.name for t in TYPES.types}
TUE = dt.date(2026, 12, 1)
THU = TUE + dt.timedelta(days=2)
NEXT_TUE = TUE + dt.timedelta(days=7)


def stored(key: str, day: dt.date, event_id: str | None = None, title: str = "") -> Meeting:
    return Meeting(id=f"{key}-{day}", type_key=key, type_name=NAMES[key], date=day,
                   title=title or NAMES[key], location="", event_id=event_id, items=[])  # fmt: skip


def event(key: str, day: dt.date, event_id: str, hour: int = 9, title: str = "") -> CalendarMeeting:
    start = dt.datetime.combine(day, dt.time(hour), AMSTERDAM)
    return CalendarMeeting(type=key, type_name=NAMES[key], date=day, title=title or NAMES[key],
                           location="Collegekamer", event_id=event_id, start=start)  # fmt: skip


COLLEGE_MAIL = MailFacts("Raadsvoorstel herinrichting Marktplein: versie voor het college")


def test_words_are_plain_lower_case_and_keep_b_and_w() -> None:
    assert words("Collège van B&W — RE: Stukken") == ["college", "van", "b&w", "re", "stukken"]


@pytest.mark.parametrize(
    ("mail", "college", "raad"),
    [
        (COLLEGE_MAIL, Fit(2, ("past bij het onderwerp",)), Fit()),
        (MailFacts("Agenda Collegevergadering 1 december"), Fit(3, ("past bij het onderwerp",)),
         Fit()),
        (MailFacts("Stukken", categories=("College",)), Fit(3, ("past bij de categorie",)),
         Fit()),
        (MailFacts("Raadpleging inwoners"), Fit(), Fit()),  # whole words: no "raad"
        (MailFacts("Stukken B en W"), Fit(2, ("past bij het onderwerp",)), Fit()),
        (MailFacts("Vragen uit de gemeenteraad"), Fit(), Fit(2, ("past bij het onderwerp",))),
    ],
)  # fmt: skip
def test_how_a_mail_fits_a_type(mail: MailFacts, college: Fit, raad: Fit) -> None:
    assert fit_of(TYPES.get("college"), mail) == college
    assert fit_of(TYPES.get("raad"), mail) == raad


def test_a_sender_fits_by_address_or_domain() -> None:
    kind = TYPES.get("raad").model_copy(
        update={"mail": TYPES.get("raad").mail.model_copy(update={"senders": ["@griffie.nl"]})}
    )
    assert fit_of(kind, MailFacts("Stukken", "Griffier@Griffie.nl")).reasons == (
        "past bij de afzender",
    )
    assert fit_of(kind, MailFacts("Stukken", "iemand@zeeveen.nl")).score == 0


@pytest.mark.parametrize(
    ("meetings", "offered", "values"),
    [
        # made from this very item
        ([stored("college", TUE, "ev-1")], [event("college", TUE, "ev-1")],
         ["m:college-2026-12-01"]),
        # made by hand, or from another attendee's copy (another event id): same type and day
        ([stored("college", TUE)], [event("college", TUE, "ev-1")], ["m:college-2026-12-01"]),
        ([stored("college", TUE, "ev-other")], [event("college", TUE, "ev-1")],
         ["m:college-2026-12-01"]),
        # two items of one type on one day (the press moment the subject rule also matches)
        ([], [event("college", TUE, "ev-pers", 12), event("college", TUE, "ev-1", 9)],
         ["e:ev-1"]),
        # another type on the same day, or the same type another day: other meetings
        ([stored("college", TUE)], [event("raad", TUE, "ev-r"), event("college", NEXT_TUE, "ev-2")],
         ["m:college-2026-12-01", "e:ev-r", "e:ev-2"]),
    ],
)  # fmt: skip
def test_one_meeting_is_one_candidate(
    meetings: list[Meeting], offered: list[CalendarMeeting], values: list[str]
) -> None:
    assert [c.value for c in merge(meetings, offered)] == values


def test_a_stored_meeting_takes_its_time_and_place_from_its_calendar_item() -> None:
    [one] = merge([stored("college", TUE)], [event("college", TUE, "ev-1", 9)])
    assert one.stored and one.start is not None and one.start.hour == 9
    assert one.location == "Collegekamer"


def test_two_stored_meetings_stay_two_folders() -> None:
    twins = [stored("college", TUE), stored("college", TUE, title="Extra college")]
    twins[1] = Meeting(**{**twins[1].__dict__, "id": "extra"})
    found = merge(twins, [event("college", TUE, "ev-1")])
    assert [c.value for c in found] == ["m:college-2026-12-01", "m:extra"]


def test_a_college_mail_preselects_the_college_meeting_though_the_council_is_nearer() -> None:
    meetings = [stored("raad", TUE), stored("college", NEXT_TUE)]
    offered = [event("raad", TUE, "ev-r", 19), event("college", THU, "ev-c"),
               event("college", NEXT_TUE, "ev-c2")]  # fmt: skip
    chosen = choose(meetings, offered, TYPES, COLLEGE_MAIL)
    assert [c.value for c in chosen.candidates] == [
        "e:ev-c", "m:college-2026-12-08", "m:raad-2026-12-01",
    ]  # fmt: skip
    assert chosen.preselected is chosen.candidates[0]
    assert chosen.preselected.why == "past bij het onderwerp"


def test_without_a_fitting_type_nothing_is_preselected_and_the_nearest_comes_first() -> None:
    offered = [event("college", THU, "ev-c"), event("raad", TUE, "ev-r", 19)]
    chosen = choose([], offered, TYPES, MailFacts("Uitnodiging lunch"))
    assert [c.value for c in chosen.candidates] == ["e:ev-r", "e:ev-c"]
    assert chosen.preselected is None
    assert choose([], offered, TYPES).preselected is None  # no mail: no preselection


def test_a_calendar_item_is_dated_in_dutch_time() -> None:
    late = {"id": "ev", "subject": "MT-overleg",
            "start": {"dateTime": "2026-11-30T23:30:00.0000000", "timeZone": "UTC"}}  # fmt: skip
    [offer] = offered_from([late], TYPES)
    assert offer.date == TUE and offer.start == dt.datetime(2026, 12, 1, 0, 30, tzinfo=AMSTERDAM)
