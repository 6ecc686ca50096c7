"""Bring the store up to date before serving: migrations, and the roster on first start."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.graph import GraphConfig
from automations.quicksteps.service import active, publish
from automations.roster.service import load_roster_file, replace_roster
from automations.store import create_engine, session_factory, upgrade_async
from automations.store.models import RosterMember
from server.settings import Identity, Settings

__all__ = ["DEMO_ROSTER", "graph_config", "prepare_store"]

log = logging.getLogger(__name__)

AUTOMATIONS = Path(__file__).resolve().parent.parent / "automations"
DEMO_ROSTER = AUTOMATIONS / "roster" / "demo.yaml"
DEMO_QUICKSTEPS = AUTOMATIONS / "quicksteps" / "demo.yaml"
SYSTEM = "system@secretariaat"


async def prepare_store(settings: Settings) -> None:
    """Migrate; load the roster file into an empty roster (the demo's in sandbox mode)."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade_async(engine)
        sessions = session_factory(engine)
        await _load_quicksteps(sessions, settings)
        roster_file = settings.roster_file or (DEMO_ROSTER if settings.mode == "sandbox" else None)
        if roster_file is None:
            return
        async with sessions() as session, session.begin():
            if await session.scalar(select(func.count()).select_from(RosterMember)):
                return
            await replace_roster(session, load_roster_file(roster_file))
            await record(
                session,
                AuditEntry(
                    actor=SYSTEM,
                    action="roster.import",
                    outcome="success",
                    details={"file": str(roster_file)},
                ),
            )
            log.info("roster loaded from %s", roster_file)
    finally:
        await engine.dispose()


async def _load_quicksteps(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """The demo set (or ``SECRETARIAAT_QUICKSTEPS_FILE``) when no set was ever published."""
    path = settings.quicksteps_file or (DEMO_QUICKSTEPS if settings.mode == "sandbox" else None)
    if path is None:
        return
    async with sessions() as session, session.begin():
        if await active(session) is not None:
            return
        await publish(
            session,
            path.read_text(encoding="utf-8"),
            author=SYSTEM,
            note=f"geladen uit {path.name}",
        )
        log.info("quick steps loaded from %s", path)


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
