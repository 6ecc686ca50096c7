"""The one place that answers "may this user do this to this mailbox?" (DESIGN principle 6).

Graph's delegate rights are not enough: app-only jobs can reach every mailbox in the app's
scope, so the product checks the roster itself before every action.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from automations.errors import AccessDenied
from automations.roster.models import Roster

__all__ = ["Action", "acting_for", "authorize", "may", "served_by", "serving_today"]


class Action(StrEnum):
    ACT_ON_MAILBOX = "act_on_mailbox"  # read or change mail and calendar
    DECIDE_APPROVAL = "decide_approval"  # approve/reject a draft in the mailbox
    EDIT_CONFIGURATION = "edit_configuration"  # quick steps, roster, templates
    CLEAR_AGENDA = "clear_agenda"  # calamity clear: her front or back office, or an admin


def may(roster: Roster, actor: str, action: Action, mailbox: str | None = None) -> bool:
    actor = actor.lower()
    role = roster.role(actor)
    if role is None:
        return False
    if action is Action.EDIT_CONFIGURATION:
        return role == "admin"
    if mailbox is None:
        return False
    mailbox = mailbox.lower()
    if action is Action.DECIDE_APPROVAL:
        return role == "executive" and actor == mailbox
    if action is Action.CLEAR_AGENDA:
        serves = role == "secretary" and mailbox in roster.serves.get(actor, frozenset())
        return serves or (role == "admin" and roster.role(mailbox) == "executive")
    if actor == mailbox:
        return True  # everyone on the roster works in her own mailbox
    if role == "secretary":
        return mailbox in roster.serves.get(actor, frozenset())
    return False


def acting_for(roster: Roster, actor: str) -> list[str]:
    """The executives whose mailboxes ``actor`` works in (her own, for an executive), sorted."""
    executives = sorted(u for u, role in roster.roles.items() if role == "executive")
    return [e for e in executives if may(roster, actor, Action.ACT_ON_MAILBOX, e)]


def authorize(roster: Roster, actor: str, action: Action, mailbox: str | None = None) -> None:
    """Raise a clear 403 when ``actor`` may not do ``action`` (on ``mailbox``)."""
    if may(roster, actor, action, mailbox):
        return
    if roster.role(actor) is None:
        raise AccessDenied(
            "U staat niet in het rooster van het secretariaat. Vraag de beheerder u toe te voegen.",
            detail=f"{actor} is not on the roster",
        )
    if action is Action.EDIT_CONFIGURATION:
        raise AccessDenied("Alleen beheerders mogen de instellingen en het rooster wijzigen.")
    if action is Action.DECIDE_APPROVAL:
        raise AccessDenied("Alleen de bestuurder zelf mag over haar concepten beslissen.")
    if action is Action.CLEAR_AGENDA:
        raise AccessDenied(
            "Alleen de front- of backoffice van deze bestuurder of een beheerder mag haar"
            " agenda leegmaken."
        )
    whose = roster.names.get((mailbox or "").lower()) or f"het postvak {mailbox}"
    raise AccessDenied(
        f"{roster.names.get(actor.lower(), actor)} werkt niet voor {whose}; alleen het"
        " secretariaat van deze bestuurder werkt in dit postvak.",
        detail=f"{actor} may not {action} on {mailbox}",
    )


def served_by(roster: Roster, secretary: str) -> list[str]:
    return sorted(roster.serves.get(secretary.lower(), frozenset()))


def serving_today(roster: Roster, secretary: str, day: dt.date) -> list[dict[str, str]]:
    """Per executive this secretary serves: front or back office on ``day``."""
    out = []
    for executive in served_by(roster, secretary):
        front = roster.front_office_on(executive, day)
        office = "front" if front == secretary.lower() else "back"
        out.append({"executive": executive, "office": office})
    return out
