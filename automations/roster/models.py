"""The roster as a document: what the YAML file holds and what the admin API accepts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from babel.lists import format_list
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from automations.fields import MAILBOX_PATTERN

__all__ = [
    "DAY_NAMES",
    "ROLE_LABELS",
    "WEEKDAYS",
    "Member",
    "Roster",
    "RosterDocument",
    "first_name",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(zip(WEEKDAYS, ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
                                "zaterdag", "zondag"), strict=True))  # fmt: skip
# A role as the secretariat says it (the roster file keeps the English keys).
ROLE_LABELS = {"secretary": "secretaresse", "executive": "bestuurder", "admin": "beheerder"}
Role = Literal["secretary", "executive", "admin"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upn: str = Field(min_length=3, pattern=MAILBOX_PATTERN)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role


class RosterDocument(BaseModel):
    """A whole roster; every reference must name a member of the right role.

    A reference that does not is reported at its place in the document (``serves.<who>[2]``,
    ``front_office.<who>.fri``), in Dutch and naming the people by their roster names, each
    problem on its own, so a file's loader can give every one its line."""

    model_config = ConfigDict(extra="forbid")

    members: list[Member]
    serves: dict[str, list[str]] = Field(default_factory=dict)
    front_office: dict[str, dict[Weekday, str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> RosterDocument:
        problems = _reference_problems(self)
        if problems:
            raise ValidationError.from_exception_data(
                "RosterDocument",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("roster", "{problem}", {"problem": text}),
                        loc=loc,
                        input=value,
                    )
                    for loc, text, value in problems
                ],
            )
        # Addresses compare case-insensitively: the document is kept in lower case throughout.
        self.members = [m.model_copy(update={"upn": m.upn.lower()}) for m in self.members]
        serves: dict[str, list[str]] = {}
        for secretary, executives in self.serves.items():
            mine = serves.setdefault(secretary.lower(), [])
            mine.extend(e.lower() for e in executives if e.lower() not in mine)
        self.serves = serves
        front: dict[str, dict[Weekday, str]] = {}
        for executive, days in self.front_office.items():
            front.setdefault(executive.lower(), {}).update(
                {day: secretary.lower() for day, secretary in days.items()}
            )
        self.front_office = front
        return self


Problem = tuple[tuple[str | int, ...], str, object]  # where (pydantic's loc), what, the value


def _reference_problems(doc: RosterDocument) -> list[Problem]:
    """Every reference that names no member of the right role, at its place in the document
    as written (keys in their own case, so a loader finds their lines)."""
    problems: list[Problem] = []
    roles: dict[str, str] = {}
    names: dict[str, str] = {}
    for i, member in enumerate(doc.members):
        upn = member.upn.lower()
        if upn in roles:
            text = f"{_who(names, upn)} staat twee keer in het rooster"
            problems.append((("members", i, "upn"), text, member.upn))
            continue
        roles[upn], names[upn] = member.role, member.display_name

    def need(upn: str, role: str, loc: tuple[str | int, ...]) -> bool:
        actual = roles.get(upn.lower())
        if actual == role:
            return True
        if actual is None:
            text = f"{upn} staat niet in het rooster; voeg die eerst toe onder members"
        else:
            text = f"{_who(names, upn)} is {ROLE_LABELS[actual]}, geen {ROLE_LABELS[role]}"
        problems.append((loc, text, upn))
        return False

    serves: dict[str, set[str]] = {}
    for secretary, executives in doc.serves.items():
        need(secretary, "secretary", ("serves", secretary))
        for j, executive in enumerate(executives):
            need(executive, "executive", ("serves", secretary, j))
            serves.setdefault(secretary.lower(), set()).add(executive.lower())
    for executive, days in doc.front_office.items():
        known = need(executive, "executive", ("front_office", executive))
        strangers: dict[str, list[str]] = {}  # a secretary who does not serve her: her days
        for day, secretary in days.items():
            if need(secretary, "secretary", ("front_office", executive, day)) and known:
                if executive.lower() not in serves.get(secretary.lower(), set()):
                    strangers.setdefault(secretary, []).append(day)
        for secretary, on in strangers.items():
            she, whom = _who(names, secretary), _who(names, executive)
            when = format_list([DAY_NAMES[d] for d in on], locale="nl")
            text = (
                f"{she} is op {when} frontoffice voor {whom}, maar ondersteunt {whom} niet"
                " volgens serves"
            )
            problems.append((("front_office", executive, on[0]), text, secretary))
    if "admin" not in roles.values():
        text = (
            "er staat geen beheerder (role: admin) in het rooster; zonder beheerder kan niemand"
            " het rooster en de instellingen nog wijzigen"
        )
        problems.append((("members",), text, None))
    return problems


def _who(names: dict[str, str], upn: str) -> str:
    """A member by her roster name; someone not on it by the address as written."""
    return names.get(upn.lower()) or upn


@dataclass(frozen=True)
class Roster:
    """A read-only snapshot for policy decisions (loaded once per request)."""

    roles: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    serves: dict[str, frozenset[str]] = field(default_factory=dict)  # secretary -> executives
    front_office: dict[tuple[str, int], str] = field(default_factory=dict)  # (executive, weekday)
    absent: dict[dt.date, frozenset[str]] = field(default_factory=dict)
    swaps: dict[tuple[dt.date, str], str] = field(default_factory=dict)  # (day, executive) -> sec

    @classmethod
    def from_document(cls, doc: RosterDocument) -> Roster:
        """A snapshot straight from a validated document (no dated exceptions)."""
        serves = {s.lower(): frozenset(e.lower() for e in ex) for s, ex in doc.serves.items()}
        front = {
            (executive.lower(), WEEKDAYS.index(day)): secretary.lower()
            for executive, days in doc.front_office.items()
            for day, secretary in days.items()
        }
        return cls(
            roles={m.upn: m.role for m in doc.members},
            names={m.upn: m.display_name for m in doc.members},
            serves=serves,
            front_office=front,
        )

    def role(self, upn: str) -> str | None:
        return self.roles.get(upn.lower())

    def front_office_on(self, executive: str, day: dt.date) -> str | None:
        """Who is front office for ``executive`` on ``day``, exceptions applied."""
        executive = executive.lower()
        swap = self.swaps.get((day, executive))
        if swap:
            return swap
        who = self.front_office.get((executive, day.weekday()))
        if who and who in self.absent.get(day, frozenset()):
            colleagues = [s for s, ex in self.serves.items() if executive in ex and s != who]
            present = [s for s in colleagues if s not in self.absent.get(day, frozenset())]
            return sorted(present)[0] if present else None
        return who


def first_name(name: str) -> str:
    """The first name in a roster's display name ("Ellen Dijkhuis" → "Ellen"); the whole name
    when it does not start with one ("mw. Dijkhuis", a single word, an address)."""
    first, _, rest = name.strip().partition(" ")
    if not rest or "@" in name or "." in first or len(first) < 2 or not first[0].isupper():
        return name
    return first
