"""The operator's path into the domain: app identity, an ``--actor`` checked like a click.

CLI commands that touch mailboxes act with the application's own token (no user is signed
in), so the roster check and the audit entry are what keep them honest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import AccessDenied, NotFound
from automations.graph import GraphGateway, GraphSession, token_source_for
from automations.journal import Journal
from automations.mailboxes.service import MailboxSummary, get_mailbox, list_mailboxes
from automations.quicksteps import apply as quicksteps
from automations.quicksteps.service import active
from automations.roster.models import Roster
from automations.roster.service import snapshot
from automations.store import create_engine, session_factory
from server.deps import today
from server.settings import Settings
from server.startup import graph_config, prepare_store

__all__ = [
    "operator_graph",
    "quickstep_as_operator",
    "run_as_operator",
    "run_job_as_app",
    "run_named_job",
]


async def run_as_operator(
    settings: Settings, *, actor: str, mailbox: str | None = None
) -> list[MailboxSummary]:
    await prepare_store(settings)
    config = graph_config(settings.identity())
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    actor = actor.lower()
    try:
        async with sessions() as session:
            roster = await snapshot(session)
            outcome, found = "success", []
            try:
                async with GraphGateway(config, token_source_for(config)) as gateway:
                    async with gateway.for_app() as graph:
                        if mailbox:
                            found = [
                                await get_mailbox(
                                    graph=graph, roster=roster, actor=actor, mailbox=mailbox
                                )
                            ]
                        else:
                            found = await list_mailboxes(graph=graph, roster=roster, actor=actor)
            except AccessDenied:
                outcome = "denied"
                raise
            except Exception:
                outcome = "failure"
                raise
            finally:
                await record(
                    session,
                    AuditEntry(
                        actor=actor,
                        action="operator.mailboxes",
                        outcome=outcome,
                        mailbox=mailbox.lower() if mailbox else None,
                        details={"via": "cli", "identity": "app"},
                    ),
                )
                await session.commit()
        return found
    finally:
        await engine.dispose()


@asynccontextmanager
async def operator_graph(
    settings: Settings,
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Roster, GraphSession]]:
    """The store, the roster and Graph with the app's identity, for one CLI command."""
    await prepare_store(settings)
    config = graph_config(settings.identity())
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            roster = await snapshot(session)
        async with GraphGateway(config, token_source_for(config)) as gateway:
            async with gateway.for_app() as graph:
                yield sessions, roster, graph
    finally:
        await engine.dispose()


async def quickstep_as_operator(
    settings: Settings,
    *,
    actor: str,
    mailbox: str,
    step: str,
    message_ids: list[str],
    dry_run: bool,
    operation_id: str,
) -> Any:
    """Preview (``dry_run``) or apply a quick step with the app's identity, checked as ``actor``."""
    async with operator_graph(settings) as (sessions, roster, graph):
        async with sessions() as session:
            steps = await active(session)
        if steps is None:
            raise NotFound("Er zijn nog geen snelle stappen ingesteld.")
        common = {
            "graph": graph,
            "roster": roster,
            "actor": actor.lower(),
            "mailbox": mailbox,
            "steps": steps,
            "name": step,
            "message_ids": message_ids,
            "today": today(),
        }
        if dry_run:
            return await quicksteps.preview(**common)
        return await quicksteps.apply(
            **common, journal=Journal(sessions), sessions=sessions, operation_id=operation_id
        )


async def run_job_as_app(
    settings: Settings,
    name: str,
    *,
    mailbox: str | None = None,
    dry_run: bool = False,
    trigger: str = "cli",
    slot: str | None = None,
    today_is: Any = None,
    now_is: Any = None,
) -> Any:
    """Run a scheduled job now with the app's identity, for one executive or all of them."""
    async with operator_graph(settings) as (sessions, roster, graph):
        return await run_named_job(
            graph, sessions, roster, settings, name, mailbox=mailbox, dry_run=dry_run,
            trigger=trigger, slot=slot, today_is=today_is, now_is=now_is,
        )  # fmt: skip


async def run_named_job(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    roster: Roster,
    settings: Settings,
    name: str,
    *,
    mailbox: str | None = None,
    dry_run: bool = False,
    trigger: str = "cli",
    slot: str | None = None,
    today_is: Any = None,
    now_is: Any = None,
) -> Any:
    """One job over the executives on the roster (or one of them): the CLI's and the
    scheduler's shared path."""
    import datetime as dt

    from automations.jobs.catalog import JOBS
    from automations.jobs.registry import JobContext, JobSettings
    from automations.jobs.runner import run_job

    if name not in JOBS:
        raise NotFound(f"Onbekende taak '{name}'; bekend zijn: {', '.join(sorted(JOBS))}.")
    executives = sorted(u for u, role in roster.roles.items() if role == "executive")
    if mailbox is not None:
        if mailbox.lower() not in executives:
            raise NotFound(f"{mailbox} is geen bestuurder in het rooster.")
        executives = [mailbox.lower()]
    ctx = JobContext(
        graph=graph,
        sessions=sessions,
        roster=roster,
        today=today_is or today(),
        now=now_is or dt.datetime.now(dt.UTC),
        dry_run=dry_run,
        settings=JobSettings(
            base_url=settings.base_url,
            approval_reminder_hours=settings.approval_reminder_hours,
            flagged_days=settings.flagged_days,
        ),
    )
    return await run_job(JOBS[name], ctx, executives, slot=slot, trigger=trigger)
