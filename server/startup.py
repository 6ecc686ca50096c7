"""Bring the store up to date before serving: migrations, and the roster on first start."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import func, select

from automations.audit import AuditEntry, record
from automations.graph import GraphConfig
from automations.roster.service import load_roster_file, replace_roster
from automations.store import create_engine, session_factory, upgrade_async
from automations.store.models import RosterMember
from server.settings import Identity, Settings

__all__ = ["DEMO_ROSTER", "graph_config", "prepare_store"]

log = logging.getLogger(__name__)

DEMO_ROSTER = Path(__file__).resolve().parent.parent / "automations" / "roster" / "demo.yaml"


async def prepare_store(settings: Settings) -> None:
    """Migrate; load the roster file into an empty roster (the demo's in sandbox mode)."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade_async(engine)
        roster_file = settings.roster_file or (DEMO_ROSTER if settings.mode == "sandbox" else None)
        if roster_file is None:
            return
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            if await session.scalar(select(func.count()).select_from(RosterMember)):
                return
            await replace_roster(session, load_roster_file(roster_file))
            await record(
                session,
                AuditEntry(
                    actor="system@secretariaat",
                    action="roster.import",
                    outcome="success",
                    details={"file": str(roster_file)},
                ),
            )
            log.info("roster loaded from %s", roster_file)
    finally:
        await engine.dispose()


def graph_config(identity: Identity) -> GraphConfig:
    """The gateway's configuration for this tenant (the API and the operator CLI alike)."""
    return GraphConfig(
        graph_url=identity.graph_url,
        authority=identity.authority,
        client_id=identity.client_id,
        client_secret=identity.client_secret,
        ca_cert=identity.ca_cert,
        api_audience=identity.api_audience,
    )
