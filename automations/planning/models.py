"""What a planning request is made of, as every adapter sees it: who (executives, internal
and external attendees), how long, in which weeks, under which conditions a secretary
actually uses (working hours, not on the college's day, mornings only, travel time), online or
in a room; its candidate times, the options held in the executives' calendars, the guests'
answers, and how it ended (booked, cancelled)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "AttendeeKind",
    "Availability",
    "Candidate",
    "Conditions",
    "GuestAnswer",
    "Option",
    "Participant",
    "PlanningRequest",
    "Status",
]

AttendeeKind = Literal["executive", "internal", "external"]
Status = Literal["open", "holding", "booked", "cancelled"]
# How a participant is at a candidate time: free, a tentative item or a hold ("optie"),
# busy, away (oof), unknown (outside the tenant, or Graph did not say).
Availability = Literal["free", "tentative", "hold", "busy", "oof", "unknown"]

STATUS_LABELS: dict[str, str] = {
    "open": "open",
    "holding": "opties geplaatst",
    "booked": "geboekt",
    "cancelled": "ingetrokken",
}


@dataclass(frozen=True)
class Participant:
    address: str  # lower case
    name: str
    kind: AttendeeKind
    required: bool = True


@dataclass(frozen=True)
class Conditions:
    """When the meeting may be: weekdays (Monday 0) and hours in Dutch time, days it may not
    be (the college's weekly meeting day), mornings only (ends by 12:30), and travel time
    kept free before and after when it is elsewhere."""

    weekdays: frozenset[int] = frozenset(range(5))
    day_start: dt.time = dt.time(9)
    day_end: dt.time = dt.time(17)
    not_on: frozenset[int] = frozenset()
    mornings_only: bool = False
    travel: dt.timedelta = dt.timedelta(0)

    @property
    def last_end(self) -> dt.time:
        return min(self.day_end, dt.time(12, 30)) if self.mornings_only else self.day_end


@dataclass(frozen=True)
class Candidate:
    """A time the meeting could be, with how each participant is then and why it ranks
    where it does ("Alle verplichte deelnemers vrij; Joost Brinkhorst heeft een optie")."""

    start: dt.datetime
    end: dt.datetime
    availability: dict[str, Availability]  # address → how she is
    room: str | None  # the room free then (address), when one is needed
    conflicts: int  # required participants busy or away
    doubts: int  # required participants tentative or holding an option
    explanation: str


@dataclass(frozen=True)
class Option:
    """A candidate held in the executives' calendars while the guests choose."""

    id: str
    start: dt.datetime
    end: dt.datetime
    room: str | None
    holds: dict[str, str] = field(default_factory=dict)  # executive → her hold's event id


@dataclass(frozen=True)
class GuestAnswer:
    address: str
    name: str
    answered_at: dt.datetime | None
    suits: frozenset[str]  # option ids that suit her


@dataclass(frozen=True)
class PlanningRequest:
    id: str
    title: str
    organiser: str  # the executive whose calendar sends the invitation
    participants: tuple[Participant, ...]
    duration: dt.timedelta
    window_start: dt.date
    window_end: dt.date  # inclusive
    conditions: Conditions
    online: bool
    location: str  # a place outside the town hall, or "" (then a room when not online)
    status: Status
    created_by: str
    created_at: dt.datetime
    decide_by: dt.date | None = None  # the back office's deadline to settle it
    options: tuple[Option, ...] = ()
    answers: tuple[GuestAnswer, ...] = ()
    booked_start: dt.datetime | None = None
    booked_event_id: str | None = None
    backlog_id: str | None = None  # the calamity backlog's entry it plans again

    @property
    def executives(self) -> list[str]:
        return [p.address for p in self.participants if p.kind == "executive"]

    @property
    def internal(self) -> list[str]:
        """Everyone whose calendar the tenant holds (executives and internal attendees)."""
        return [p.address for p in self.participants if p.kind != "external"]

    @property
    def guests(self) -> list[Participant]:
        return [p for p in self.participants if p.kind == "external"]

    def names(self) -> dict[str, str]:
        return {p.address: p.name or p.address for p in self.participants}
