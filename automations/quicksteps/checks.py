"""What is settled before Graph is asked: may she use the step here, which step, which
messages, and what the step's actions need chosen (a dispatch's department)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from automations.errors import AccessDenied, BadRequest
from automations.quicksteps.actions import ActionType
from automations.quicksteps.models import MAX_MESSAGES, QuickStep
from automations.quicksteps.service import ActiveSet
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize

__all__ = [
    "MAX_MESSAGES",
    "authorize_use",
    "check_selection",
    "may_use",
    "resolve_choices",
    "step_named",
]


def may_use(step: QuickStep, roster: Roster, actor: str) -> bool:
    actor = actor.lower()
    return roster.role(actor) in step.allowed.roles or actor in step.allowed.users


def authorize_use(step: QuickStep, roster: Roster, actor: str, mailbox: str) -> None:
    """The mailbox first, then the step's ``allowed``: a clear 403 before Graph is asked."""
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    if not may_use(step, roster, actor):
        raise AccessDenied(f"U mag de snelle stap '{step.name}' niet gebruiken.")


def check_selection(message_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(i for i in message_ids if i))
    if not ids:
        raise BadRequest("Kies ten minste één bericht.")
    if len(ids) > MAX_MESSAGES:
        raise BadRequest(f"Kies hoogstens {MAX_MESSAGES} berichten tegelijk.")
    return ids


def step_named(steps: ActiveSet, name: str) -> QuickStep:
    step = steps.parsed.step(name)
    if step is None:
        raise BadRequest(f"Er is geen snelle stap '{name}' (versie {steps.info.version}).")
    return step


def resolve_choices(
    steps: ActiveSet,
    kinds: Sequence[ActionType[Any]],
    choices: Mapping[str, str],
    today: dt.date,
    *,
    required: bool,
) -> dict[str, str]:
    """What the first action that settles something settled (a dispatch: department and
    deadline); ``required``: refuse when it still needs a choice."""
    for kind in kinds:
        settled = kind.resolve(steps.parsed, choices, today, required=required)
        if settled is not None:
            return settled
    return {}
