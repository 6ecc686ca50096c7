"""Bring the store up to date before serving: migrations, and the roster on first start."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.clock import Clock
from automations.graph import GraphConfig
from automations.quicksteps.service import DOCUMENT as QUICKSTEPS
from automations.replies.service import DOCUMENT as TEMPLATES
from automations.roster.service import load_roster_file, replace_roster
from automations.store import create_engine, session_factory, upgrade_async
from automations.store.models import RosterMember
from automations.versions import VersionedDocument
from server.settings import Identity, Settings

__all__ = ["DEMO_ROSTER", "graph_config", "prepare_store"]

log = logging.getLogger(__name__)

AUTOMATIONS = Path(__file__).resolve().parent.parent / "automations"
DEMO_ROSTER = AUTOMATIONS / "roster" / "demo.yaml"
DEMO_QUICKSTEPS = AUTOMATIONS / "quicksteps" / "demo.yaml"
DEMO_TEMPLATES = AUTOMATIONS / "replies" / "demo.yaml"
SYSTEM = "system@secretariaat"


async def prepare_store(settings: Settings, *, clock: Clock | None = None) -> None:
    """Migrate; load the roster file into an empty roster (the demo's in sandbox mode)."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade_async(engine)
        sessions = session_factory(engine, clock=clock or settings.make_clock())
        for document, configured, demo in (
            (QUICKSTEPS, settings.quicksteps_file, DEMO_QUICKSTEPS),
            (TEMPLATES, settings.templates_file, DEMO_TEMPLATES),
        ):
            await _load_document(sessions, document, configured, demo, settings)
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


async def _load_document(
    sessions: async_sessionmaker[AsyncSession],
    document: VersionedDocument[Any],
    configured: Path | None,
    demo: Path,
    settings: Settings,
) -> None:
    """The configured file (or in sandbox mode the demo's) when none was ever published."""
    path = configured or (demo if settings.mode == "sandbox" else None)
    if path is None:
        return
    async with sessions() as session, session.begin():
        if await document.active(session) is not None:
            return
        await document.publish(
            session,
            path.read_text(encoding="utf-8"),
            author=SYSTEM,
            note=f"geladen uit {path.name}",
        )
        log.info("%s loaded", path)


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
