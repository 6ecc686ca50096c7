"""``secretariaat doctor``: is the tenant set up as the README says, before the secretariat
starts? Reads only: it never migrates the store or changes anything in Microsoft 365."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli.common import JsonOption, backend_settings, echo_json, fail

if TYPE_CHECKING:
    from automations.doctor import Check
    from server.settings import Identity, Settings

WIDTH = len("waarschuwing") + 2  # the verdict column


def doctor(as_json: JsonOption = False) -> None:
    """Check the app registration, the RBAC scope, the secretaries' calendar rights, the
    roster, the store and the clock. Exit 0 when nothing fails (warnings allowed), else 1;
    --json prints a list of {check, status, message, fix} for monitoring."""
    import asyncio

    from automations.doctor import any_failed
    from server.settings import SettingsError

    settings = backend_settings()
    try:
        identity = settings.identity()
    except SettingsError as exc:
        fail(f"configuratie ongeldig: {exc}")
    checks = asyncio.run(_examine(settings, identity))
    if as_json:
        echo_json([c.model_dump() for c in checks])
    else:
        _print(checks, identity, settings)
    raise typer.Exit(1 if any_failed(checks) else 0)


async def _examine(settings: Settings, identity: Identity) -> list[Check]:
    """The checks with the app's identity through the gateway, without touching the store."""
    from automations.doctor import Setup, examine
    from automations.doctor.gather import roster_facts
    from automations.graph import GraphGateway, token_source_for
    from automations.store import create_engine
    from server.settings import SettingsError
    from server.startup import DEMO_ROSTER, graph_config

    try:
        notice: str | None = settings.notice_sender()
    except SettingsError:
        notice = None  # tenant mode without SECRETARIAAT_NOTICE_MAILBOX: nothing to try
    setup = Setup(
        mode=settings.mode,
        base_url=settings.base_url,
        client_id=identity.client_id,
        api_audience=identity.api_audience,
        notice_mailbox=notice,
    )
    roster_file = settings.roster_file or (DEMO_ROSTER if settings.mode == "sandbox" else None)
    config = graph_config(identity)
    engine = create_engine(settings.database_url)
    try:
        roster = await roster_facts(engine, roster_file)
        async with GraphGateway(config, token_source_for(config)) as gateway:
            async with gateway.for_app() as graph:
                return await examine(graph=graph, engine=engine, setup=setup, roster=roster)
    finally:
        await engine.dispose()


def _print(checks: list[Check], identity: Identity, settings: Settings) -> None:
    from automations.doctor import summary

    mode = "sandbox" if settings.mode == "sandbox" else "tenant"
    typer.echo(f"Controle van tenant {identity.tenant_id}, app {identity.client_id} ({mode})")
    typer.echo("")
    for c in checks:
        typer.echo(f"{c.verdict:<{WIDTH}}{c.label}: {c.message}")
        if c.fix:
            typer.echo(f"{'':<{WIDTH}}Oplossing: {c.fix}")
    typer.echo("")
    typer.echo(summary(checks))
