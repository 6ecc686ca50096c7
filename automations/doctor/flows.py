"""What an admin does with the doctor in the product: Beheer's *Controle* and
``GET /api/v1/doctor`` (the CLI's ``secretariaat doctor`` runs ``service.examine`` itself: it
is the operator at the machine, before there may be a roster at all)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from automations.context import Actor
from automations.doctor.models import Check, RosterFacts, Setup
from automations.doctor.service import examine
from automations.graph import GraphSession
from automations.roster.policy import Action, authorize

__all__ = ["run_checks"]


async def run_checks(
    actor: Actor, *, graph: GraphSession, engine: AsyncEngine, setup: Setup
) -> list[Check]:
    """Every check, judged on the roster in the store; admins only. Reads only."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    roster = RosterFacts(actor.roster, "het rooster in de database")
    return await examine(graph=graph, engine=engine, setup=setup, roster=roster)
