"""Which meeting a mail's documents go to: one list of candidates, ranked, one preselected.

**One meeting, one candidate.** A stored meeting and a calendar item are the same meeting when
they have the same type and the same date (or the stored one was made from that very item).
Why type and date, not the event id or the time: every attendee's calendar holds its own copy
of a college meeting with its own id (a meeting made from the burgemeester's calendar has
another event id than the copy in a wethouder's), an id read as a regular id differs from the
immutable one, and a meeting made by hand has none; a stored meeting keeps only its date. The
secretariat holds one meeting of a type a day (a second sitting the same day, "Persmoment na
de collegevergadering" that the subject rule also matches, is the same agenda), and the folder
is named by type and date. So calendar items of one type and day are one candidate (the
earliest one names it), and a stored meeting absorbs them; stored meetings are never merged
with each other: each is its own folder.

**Ranking.** The meeting types that fit the mail first: its categories and subject against
each type's calendar rule (``Collegevergadering`` in the subject) and mail hints (words such as
"college", "B&W"; categories; senders), then the nearest upcoming meeting. The first is
preselected only when its type fits the mail, and the pane says why; otherwise she chooses.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from automations.meetings.calendar import CalendarMeeting
from automations.meetings.models import Meeting
from automations.meetings.types import MeetingType, MeetingTypes

__all__ = [
    "Candidate",
    "Choice",
    "Fit",
    "MailFacts",
    "choose",
    "fit_of",
    "merge",
    "words",
]

# What each kind of evidence weighs, and how the pane says it (Dutch, joined with "en").
CATEGORY, SUBJECT_RULE, SUBJECT_WORD, SENDER = 3, 3, 2, 1
SAYS = {
    "category": "past bij de categorie",
    "subject": "past bij het onderwerp",
    "sender": "past bij de afzender",
}


@dataclass(frozen=True)
class MailFacts:
    """What of a mail says which meeting it is for."""

    subject: str = ""
    sender: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fit:
    """How well a meeting type fits a mail: a score (0: not at all) and why, in Dutch."""

    score: int = 0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One meeting to choose: stored (``meeting``), offered by the calendar, or both."""

    value: str  # the picker's option: "m:<meeting id>" or "e:<event id>"
    type_key: str
    type_name: str
    date: dt.date
    title: str
    location: str
    start: dt.datetime | None  # from the calendar, when it has the meeting
    meeting: Meeting | None
    event_id: str | None
    fit: Fit = field(default_factory=Fit)

    @property
    def stored(self) -> bool:
        return self.meeting is not None

    @property
    def why(self) -> str:
        """``past bij het onderwerp en past bij de afzender`` (empty when nothing fits)."""
        return " en ".join(self.fit.reasons)


@dataclass(frozen=True)
class Choice:
    candidates: list[Candidate]
    preselected: Candidate | None  # the first, when its type fits the mail


def words(text: str) -> list[str]:
    """Lower-case words without accents; ``&`` stays inside a word (``B&W``)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9&]+", plain)


def _contains(haystack: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(list(haystack[i : i + n]) == list(phrase) for i in range(len(haystack)))


def _sender_matches(sender: str, wanted: Iterable[str]) -> bool:
    sender = sender.strip().lower()
    if not sender:
        return False
    for w in wanted:
        w = w.strip().lower()
        if w and (sender == w or (w.startswith("@") and sender.endswith(w))):
            return True
    return False


def fit_of(kind: MeetingType, mail: MailFacts) -> Fit:
    """How a mail fits a type: by category, by subject (the calendar rule's phrase or the
    type's words, whole words only: "raad" is not "raadpleging"), by sender."""
    score, reasons = 0, []
    categories = {c.casefold() for c in mail.categories}
    wanted = [c for c in [kind.calendar.category, *kind.mail.categories] if c]
    if any(c.casefold() in categories for c in wanted):
        score += CATEGORY
        reasons.append(SAYS["category"])
    subject = words(mail.subject)
    rule = kind.calendar.subject
    if rule and _contains(subject, words(rule)):
        score += SUBJECT_RULE
        reasons.append(SAYS["subject"])
    elif any(_contains(subject, words(w)) for w in [kind.key, *kind.mail.subject]):
        score += SUBJECT_WORD
        reasons.append(SAYS["subject"])
    if _sender_matches(mail.sender, kind.mail.senders):
        score += SENDER
        reasons.append(SAYS["sender"])
    return Fit(score, tuple(reasons))


def merge(meetings: Sequence[Meeting], offered: Sequence[CalendarMeeting]) -> list[Candidate]:
    """One candidate per meeting (the identity rule above), stored ones first by date."""
    out: list[Candidate] = []
    events = sorted(offered, key=lambda o: (o.date, o.start or _NO_TIME, o.title))
    used: set[str] = set()
    for m in meetings:
        mine = [o for o in events if o.event_id == m.event_id and m.event_id]
        mine = mine or [o for o in events if (o.type, o.date) == (m.type_key, m.date)]
        first = next((o for o in mine if o.event_id not in used), None)
        used.update(o.event_id for o in mine)
        out.append(Candidate(
            value=f"m:{m.id}", type_key=m.type_key, type_name=m.type_name, date=m.date,
            title=m.title, location=m.location or (first.location if first else ""),
            start=first.start if first else None, meeting=m, event_id=m.event_id,
        ))  # fmt: skip
    seen: set[tuple[str, dt.date]] = {(c.type_key, c.date) for c in out}
    for o in events:
        if o.event_id in used or (o.type, o.date) in seen:
            continue
        seen.add((o.type, o.date))
        out.append(Candidate(
            value=f"e:{o.event_id}", type_key=o.type, type_name=o.type_name, date=o.date,
            title=o.title, location=o.location, start=o.start, meeting=None,
            event_id=o.event_id,
        ))  # fmt: skip
    return out


_NO_TIME = dt.datetime.max.replace(tzinfo=dt.UTC)


def choose(
    meetings: Sequence[Meeting], offered: Sequence[CalendarMeeting], types: MeetingTypes,
    mail: MailFacts | None = None,
) -> Choice:  # fmt: skip
    """The candidates, best first: the types that fit the mail, then the nearest upcoming
    (by date and time; a stored meeting before a calendar item of the same moment)."""
    fits = {t.key: fit_of(t, mail) if mail else Fit() for t in types.types}
    ranked = sorted(
        (replace(c, fit=fits.get(c.type_key, Fit())) for c in merge(meetings, offered)),
        key=lambda c: (-c.fit.score, c.date, c.start or _NO_TIME, not c.stored, c.title),
    )  # fmt: skip
    first = ranked[0] if ranked and ranked[0].fit.score > 0 else None
    return Choice(ranked, first)
