"""The doctor as one call: gather the facts, then judge each check, in the report's order.

    checks = await examine(graph=graph, engine=engine, setup=setup, roster=roster)
    if any_failed(checks): ...

The CLI (``secretariaat doctor``), Beheer's *Controle* and ``GET /api/v1/doctor`` all call
``examine``; ``judge`` alone is what the tests of the verdicts call.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from automations.doctor import (
    calendar_checks,
    local_checks,
    registration_checks,
    roster_checks,
    tenant_checks,
)
from automations.doctor.gather import gather
from automations.doctor.models import Check, Facts, RosterFacts, Setup
from automations.graph import GraphSession

__all__ = ["examine", "judge"]


def judge(facts: Facts) -> list[Check]:
    """Every check's verdict, in the order ``models.LABELS`` lists them."""
    return [
        tenant_checks.app_token(facts.token, facts.setup),
        registration_checks.api_audience(facts),
        registration_checks.redirect_uris(facts),
        tenant_checks.app_roles(facts.token, facts.setup),
        tenant_checks.rbac_executives(facts),
        tenant_checks.rbac_outside(facts),
        calendar_checks.calendar_delegates(facts),
        calendar_checks.working_hours(facts),
        roster_checks.roster_directory(facts),
        roster_checks.roster_front_office(facts),
        roster_checks.roster_load(facts),
        local_checks.store_database(facts.store),
        local_checks.store_migrations(facts.store),
        local_checks.clock_skew(facts.clock),
        local_checks.clock_zone(facts.clock),
    ]


async def examine(
    *,
    graph: GraphSession,
    engine: AsyncEngine,
    setup: Setup,
    roster: RosterFacts,
    wall: Callable[[], float] = time.time,
) -> list[Check]:
    """Check the tenant, the store and this machine (reads only; nothing is changed)."""
    facts = await gather(graph=graph, engine=engine, setup=setup, roster=roster, wall=wall)
    return judge(facts)
