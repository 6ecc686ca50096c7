"""What a calamity clear does with each calendar item, and why (pure: no Graph, no store).

The order of the rules is the order of the reasons a secretary gives: an item that is already
cancelled, all-day, private, free or "werk elders", marked "Niet verplaatsen", or her own hold
("optie", see ``automations.holds``) stays; of the rest, what she organises with attendees is
cancelled, what others organise is declined, and her own appointments without attendees are
removed (or kept, per setting).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from automations.holds import is_hold

__all__ = ["Action", "ClearSettings", "Decision", "classify"]

Action = Literal["cancel", "decline", "remove", "keep"]


@dataclass(frozen=True)
class ClearSettings:
    keep_categories: Sequence[str] = ("Niet verplaatsen",)
    remove_appointments: bool = True
    include_private: bool = False


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str


def _others(event: Mapping[str, Any], mailbox: str) -> list[Mapping[str, Any]]:
    return [
        a
        for a in event.get("attendees") or []
        if ((a.get("emailAddress") or {}).get("address") or "").lower() != mailbox.lower()
    ]


def classify(event: Mapping[str, Any], mailbox: str, settings: ClearSettings) -> Decision:
    if event.get("isCancelled"):
        return Decision("keep", "al geannuleerd door de organisator")
    if event.get("isAllDay"):
        return Decision("keep", "hele dag")
    if event.get("sensitivity") in ("private", "confidential") and not settings.include_private:
        return Decision("keep", "privé")
    show_as = event.get("showAs")
    if show_as == "free":
        return Decision("keep", "staat als vrij")
    if show_as == "workingElsewhere":
        return Decision("keep", "werk elders")
    keep = {c.casefold() for c in settings.keep_categories}
    marked = [c for c in event.get("categories") or [] if c.casefold() in keep]
    if marked:
        return Decision("keep", f"categorie ‘{marked[0]}’")
    if event.get("isOrganizer") and is_hold(event):
        # Nobody is expecting her there: an option held for a meeting still being planned,
        # which the planner re-checks before booking and the expired-holds job releases.
        return Decision("keep", "optie voor een overleg in planning")
    if event.get("isOrganizer"):
        if _others(event, mailbox):
            return Decision("cancel", "zij organiseert: deelnemers krijgen een annulering")
        if settings.remove_appointments:
            return Decision("remove", "eigen afspraak zonder deelnemers")
        return Decision("keep", "eigen afspraak zonder deelnemers (instelling: laten staan)")
    response = (event.get("responseStatus") or {}).get("response")
    if response == "declined":
        return Decision("keep", "al afgeslagen")
    who = (event.get("organizer") or {}).get("emailAddress") or {}
    organizer = who.get("name") or who.get("address") or "een ander"
    return Decision("decline", f"georganiseerd door {organizer}: afslaan met bericht")
