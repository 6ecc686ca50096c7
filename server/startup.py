"""Bring the store up to date before serving: migrations, and the roster on first start.

Several instances may start at once against one database. What is loaded only "when there is
none yet" (the quick steps, the templates, the roster) is checked and written inside one
transaction that first takes the table's write lock, so the second instance waits, then sees
the first one's rows and loads nothing.
"""

from __future__ import annotations

import logging
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import delete, false, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.clock import Clock
from automations.graph import GraphConfig
from automations.graph.vault import TokenVault, vault_keys
from automations.quicksteps.service import DOCUMENT as QUICKSTEPS
from automations.replies.service import DOCUMENT as TEMPLATES
from automations.roster.service import load_roster_file, replace_roster
from automations.store import create_engine, session_factory, upgrade_async
from automations.store.models import (
    Base,
    QuickStepVersionRow,
    RosterMember,
    TemplateVersionRow,
    VersionRow,
)
from automations.versions import VersionedDocument
from server.settings import Identity, Settings

__all__ = ["DEMO_ROSTER", "graph_config", "load_first_content", "prepare_store"]

log = logging.getLogger(__name__)


def _demo_file(package: str) -> Path:
    """``package``'s ``demo.yaml`` (package data), wherever the package is installed."""
    return Path(str(files(package) / "demo.yaml"))


DEMO_ROSTER = _demo_file("automations.roster")
DEMO_QUICKSTEPS = _demo_file("automations.quicksteps")
DEMO_TEMPLATES = _demo_file("automations.replies")
SYSTEM = "system@secretariaat"


async def prepare_store(settings: Settings, *, clock: Clock | None = None) -> None:
    """Migrate, then load what the store has none of yet (``load_first_content``)."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade_async(engine)
        await load_first_content(engine, settings, clock=clock)
    finally:
        await engine.dispose()


async def load_first_content(
    engine: AsyncEngine, settings: Settings, *, clock: Clock | None = None
) -> None:
    """The configured quick steps, templates and roster (the demo's in sandbox mode), each
    only when the store has none; another instance doing the same at once loads nothing."""
    sessions = session_factory(engine, clock=clock or settings.make_clock())
    for document, row, configured, demo in (
        (QUICKSTEPS, QuickStepVersionRow, settings.quicksteps_file, DEMO_QUICKSTEPS),
        (TEMPLATES, TemplateVersionRow, settings.templates_file, DEMO_TEMPLATES),
    ):
        await _load_document(sessions, document, row, configured, demo, settings)
    roster_file = settings.roster_file or (DEMO_ROSTER if settings.mode == "sandbox" else None)
    if roster_file is None:
        return
    async with sessions() as session, session.begin():
        await _lock_for_writing(session, RosterMember)
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


async def _load_document(
    sessions: async_sessionmaker[AsyncSession],
    document: VersionedDocument[Any],
    row: type[VersionRow],
    configured: Path | None,
    demo: Path,
    settings: Settings,
) -> None:
    """The configured file (or in sandbox mode the demo's) when none was ever published."""
    path = configured or (demo if settings.mode == "sandbox" else None)
    if path is None:
        return
    async with sessions() as session, session.begin():
        await _lock_for_writing(session, row)
        if await document.active(session) is not None:
            return
        await document.publish(
            session,
            path.read_text(encoding="utf-8"),
            author=SYSTEM,
            note=f"geladen uit {path.name}",
        )
        log.info("%s loaded", path)


async def _lock_for_writing(session: AsyncSession, row: type[Base]) -> None:
    """Hold the write lock of ``row``'s table until the transaction ends (another instance's
    check of the same table waits here, and then sees what this one wrote)."""
    if session.get_bind().dialect.name == "postgresql":
        # Conflicts with itself and with writers, not with readers.
        table = row.__tablename__
        await session.execute(text(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE'))
    else:
        # SQLite has a single writer: a write that matches no row takes that lock.
        await session.execute(delete(row).where(false()))


def graph_config(identity: Identity) -> GraphConfig:
    """The gateway's configuration for this tenant (the API and the operator CLI alike)."""
    return GraphConfig(
        graph_url=identity.graph_url,
        authority=identity.authority,
        client_id=identity.client_id,
        client_secret=identity.client_secret,
        ca_cert=identity.ca_cert,
        api_audience=identity.api_audience,
        client_certificate=identity.client_certificate,
    )


def token_vault(
    settings: Settings, identity: Identity, sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
) -> TokenVault:  # fmt: skip
    """Where clicks seal the delegations workers act with (``SECRETARIAAT_TOKEN_KEYS``, or a
    key derived from the client secret; with a certificate and no secret, from the
    certificate's private key, its PKCS#8 PEM text: every instance holds the same file)."""
    configured = settings.token_keys.get_secret_value() if settings.token_keys else None
    if identity.client_secret:
        shared = identity.client_secret.get_secret_value()
    else:
        assert identity.client_certificate is not None  # tenant mode requires one of them
        shared = identity.client_certificate.private_key.get_secret_value()
    keys = vault_keys(configured, shared)
    return TokenVault(sessions, keys, clock)
