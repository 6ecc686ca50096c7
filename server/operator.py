"""The operator's path into the domain: app identity, an ``--actor`` checked like a click.

CLI commands that touch mailboxes act with the application's own token (no user is signed
in), so the roster check and the audit entry are what keep them honest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.clock import Clock, local_today
from automations.context import Actor, Deps, Tasks
from automations.errors import AccessDenied, NotFound
from automations.graph import GraphGateway, GraphSession, token_source_for
from automations.graph.shared_limits import shared_slots_for
from automations.mailboxes.service import MailboxSummary, get_mailbox, list_mailboxes
from automations.queue.events import broadcaster_for
from automations.quicksteps import flows as quickstep_flows
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.roster.service import snapshot
from automations.store import clock_of, create_engine, session_factory
from server.settings import Settings
from server.startup import graph_config, prepare_store

T = TypeVar("T")

__all__ = [
    "Operator",
    "flow_as_operator",
    "operator",
    "operator_graph",
    "quickstep_as_operator",
    "run_as_operator",
    "run_job_as_app",
    "run_job_for_admin",
    "run_named_job",
]


async def run_as_operator(
    settings: Settings, *, actor: str, mailbox: str | None = None
) -> list[MailboxSummary]:
    await prepare_store(settings)
    config = graph_config(settings.identity())
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine, clock=settings.make_clock())
    actor = actor.lower()
    try:
        async with sessions() as session:
            roster = await snapshot(session)
            outcome, found = "success", []
            try:
                async with GraphGateway(
                    config,
                    token_source_for(config),
                    shared_slots=shared_slots_for(settings.database_url, config.client_id),
                ) as gateway:
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
    settings: Settings, *, clock: Clock | None = None
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Roster, GraphSession]]:
    """The store, the roster and Graph with the app's identity, for one CLI command."""
    clock = clock or settings.make_clock()
    await prepare_store(settings, clock=clock)
    config = graph_config(settings.identity())
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine, clock=clock)
    try:
        async with sessions() as session:
            roster = await snapshot(session)
        async with GraphGateway(
            config,
            token_source_for(config),
            shared_slots=shared_slots_for(settings.database_url, config.client_id),
        ) as gateway:
            async with gateway.for_app() as graph:
                yield sessions, roster, graph
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Operator:
    """One CLI command's way into the flows: the app's Graph identity, acting as ``--actor``."""

    deps: Deps
    graph: GraphSession
    roster: Roster
    settings: Settings

    def actor(self, upn: str) -> Actor:
        return Actor(upn, self.roster, via="cli")


@asynccontextmanager
async def operator(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Operator]:
    """Flows for a CLI command; its events reach open panes through PostgreSQL when the store
    is there (another process's panes cannot hear an in-process broadcast)."""
    clock = clock or settings.make_clock()
    events = broadcaster_for(settings.database_url)
    try:
        async with operator_graph(settings, clock=clock) as (sessions, roster, graph):
            deps = Deps(sessions=sessions, clock=clock, events=events,
                        claim_ttl=dt.timedelta(minutes=settings.claim_minutes),
                        base_url=settings.base_url)  # fmt: skip
            yield Operator(deps, graph, roster, settings)
    finally:
        await events.aclose()


async def flow_as_operator(
    settings: Settings, actor: str, work: Callable[[Operator, Actor], Awaitable[T]]
) -> T:
    """Run one flow for a CLI command: ``work(op, who)`` with the app's Graph identity and
    ``who`` the ``--actor`` as the flows see a click (same roster checks, claims, audit)."""
    async with operator(settings) as op:
        return await work(op, op.actor(actor))


async def quickstep_as_operator(
    settings: Settings,
    *,
    actor: str,
    mailbox: str,
    step: str,
    message_ids: list[str],
    dry_run: bool,
    operation_id: str,
    despite_claim: bool = False,
) -> Any:
    """Preview (``dry_run``) or apply a quick step with the app's identity, checked as ``actor``
    exactly as a click is (membership, the step's users, a colleague's claim)."""
    async with operator(settings) as op:
        who = op.actor(actor)
        if dry_run:
            return await quickstep_flows.preview_step(
                op.deps, op.graph, who, mailbox=mailbox, step=step, messages=message_ids
            )
        return await quickstep_flows.apply_step(
            op.deps, op.graph, who, mailbox=mailbox, step=step, messages=message_ids,
            operation_id=operation_id, despite_claim=despite_claim,
        )  # fmt: skip


async def run_job_as_app(
    settings: Settings,
    name: str,
    *,
    mailbox: str | None = None,
    dry_run: bool = False,
    trigger: str = "cli",
    slot: str | None = None,
    clock: Clock | None = None,
) -> Any:
    """Run a scheduled job now with the app's identity, for one executive or all of them."""
    async with operator_graph(settings, clock=clock) as (sessions, roster, graph):
        return await run_named_job(
            graph, sessions, roster, settings, name, mailbox=mailbox, dry_run=dry_run,
            trigger=trigger, slot=slot,
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
    tasks: Tasks | None = None,
) -> Any:
    """One job over the executives on the roster (or one of them): the CLI's and the
    scheduler's shared path. With ``tasks`` the run fans out over the workers (the
    scheduler); without, it runs here and its report is the answer (the CLI)."""
    from automations.jobs.catalog import JOBS
    from automations.jobs.registry import JobContext
    from automations.jobs.runner import run_job, start_run

    if name not in JOBS:
        raise NotFound(f"Onbekende taak '{name}'; bekend zijn: {', '.join(sorted(JOBS))}.")
    executives = sorted(u for u, role in roster.roles.items() if role == "executive")
    if mailbox is not None:
        if mailbox.lower() not in executives:
            raise NotFound(f"{mailbox} is geen bestuurder in het rooster.")
        executives = [mailbox.lower()]
    if tasks is not None:  # fanned out over the workers, one task per mailbox
        return await start_run(JOBS[name], sessions, executives, tasks, dry_run=dry_run,
                               slot=slot, trigger=trigger)  # fmt: skip
    ctx = JobContext(
        graph=graph,
        sessions=sessions,
        roster=roster,
        today=local_today(clock_of(sessions)),
        now=clock_of(sessions).now(),
        dry_run=dry_run,
        settings=settings.job_settings(),
    )
    return await run_job(JOBS[name], ctx, executives, slot=slot, trigger=trigger)


async def run_job_for_admin(
    gateway: GraphGateway,
    sessions: async_sessionmaker[AsyncSession],
    roster: Roster,
    settings: Settings,
    *,
    actor: str,
    name: str,
    dry_run: bool,
) -> Any:
    """Beheer's *Nu uitvoeren* / *Proefdraai*: an admin runs a job now with the app's identity,
    on ``run_named_job``'s path; audited, refusals too."""
    action = "job.dry_run" if dry_run else "job.run"
    details: dict[str, Any] = {"job": name}
    try:
        authorize(roster, actor, Action.EDIT_CONFIGURATION)
    except AccessDenied:
        await _audit(sessions, actor, action, "denied", details)
        raise
    from automations.jobs.catalog import JOBS

    if name not in JOBS:
        raise NotFound(f"Onbekende taak '{name}'.")
    report = None
    try:
        async with gateway.for_app() as graph:
            report = await run_named_job(
                graph, sessions, roster, settings, name, dry_run=dry_run, trigger="beheer"
            )
    finally:
        details |= {"via": "pane", "identity": "app"}
        if report is not None:
            details |= {"run_id": report.id, "status": report.status}
        done = report is not None and report.status == "done"
        await _audit(sessions, actor, action, "success" if done else "failure", details)
    return report


async def _audit(
    sessions: async_sessionmaker[AsyncSession],
    actor: str,
    action: str,
    outcome: str,
    details: dict[str, Any],
) -> None:
    async with sessions() as session:
        await record(
            session, AuditEntry(actor=actor, action=action, outcome=outcome, details=details)
        )
        await session.commit()
