"""Who may plan: the secretariat (secretaries and admins), for executives it works for."""

from __future__ import annotations

from collections.abc import Sequence

from automations.context import Actor, Deps
from automations.errors import AccessDenied
from automations.planning import service
from automations.planning.models import PlanningRequest
from automations.roster.policy import Action, authorize

__all__ = ["load_for", "staff_for"]


def staff_for(actor: Actor, executives: Sequence[str]) -> None:
    if actor.roster.role(actor.upn) not in ("secretary", "admin"):
        raise AccessDenied("Alleen het secretariaat plant overleggen.")
    for executive in executives:
        authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, executive)


async def load_for(deps: Deps, actor: Actor, request_id: str) -> PlanningRequest:
    """The request, for someone who may work on it (else 403 before anything is told)."""
    async with deps.sessions() as session:
        found = await service.load(session, request_id)
    staff_for(actor, found.executives)
    return found
