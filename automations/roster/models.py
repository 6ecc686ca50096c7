"""The roster as a document: what the YAML file holds and what the admin API accepts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from automations.fields import MAILBOX_PATTERN

__all__ = ["WEEKDAYS", "Member", "Roster", "RosterDocument", "first_name"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Role = Literal["secretary", "executive", "admin"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upn: str = Field(min_length=3, pattern=MAILBOX_PATTERN)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role


class RosterDocument(BaseModel):
    """A whole roster; every reference must name a member of the right role."""

    model_config = ConfigDict(extra="forbid")

    members: list[Member]
    serves: dict[str, list[str]] = Field(default_factory=dict)
    front_office: dict[str, dict[Weekday, str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> RosterDocument:
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
        roles = {m.upn: m.role for m in self.members}
        if len(roles) != len(self.members):
            raise ValueError("members: a person is listed twice")
        problems = []

        def need(upn: str, role: str, where: str) -> None:
            if roles.get(upn.lower()) != role:
                problems.append(f"{where}: {upn} is not a {role} in members")

        for secretary, executives in self.serves.items():
            need(secretary, "secretary", f"serves.{secretary}")
            for executive in executives:
                need(executive, "executive", f"serves.{secretary}")
        for executive, days in self.front_office.items():
            need(executive, "executive", f"front_office.{executive}")
            for day, secretary in days.items():
                need(secretary, "secretary", f"front_office.{executive}.{day}")
                if executive.lower() not in [e.lower() for e in self.serves.get(secretary, [])]:
                    problems.append(
                        f"front_office.{executive}.{day}: {secretary} does not serve {executive}"
                    )
        if "admin" not in roles.values():
            problems.append(
                "members: er staat geen beheerder (role: admin) in het rooster; zonder beheerder"
                " kan niemand het rooster en de instellingen nog wijzigen"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


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
