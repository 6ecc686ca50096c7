"""Who works in the meeting folders, and who opens what was filed there.

Meeting folders are the secretariat's work (secretaries and admins); a stored document opens
for whoever works in the mailbox it came from, and for admins (``roster.policy``).
"""

from __future__ import annotations

from automations.context import Actor
from automations.errors import AccessDenied
from automations.meetings.models import Document
from automations.roster.models import Roster
from automations.roster.policy import Action, may

__all__ = ["STAFF", "may_open", "may_work_in_folders", "staff_only"]

STAFF = ("secretary", "admin")


def may_work_in_folders(roster: Roster, upn: str) -> bool:
    """Meeting folders are the secretariat's work: secretaries and admins, not executives."""
    return roster.role(upn) in STAFF


def staff_only(actor: Actor) -> None:
    """Refuse anyone but the secretariat (every meeting flow asks this first)."""
    if not may_work_in_folders(actor.roster, actor.upn):
        raise AccessDenied("Alleen het secretariaat werkt in de vergadermappen.")


def may_open(roster: Roster, upn: str, document: Document) -> bool:
    """A stored document opens for whoever works in the mailbox it came from (her
    secretaries, herself) and for admins; others of the secretariat see only its name."""
    if roster.role(upn) == "admin":
        return True
    return may(roster, upn, Action.ACT_ON_MAILBOX, document.source_mailbox)
