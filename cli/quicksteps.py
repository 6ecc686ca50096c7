"""``secretariaat quicksteps``: validate a quick-step file, list the active set, apply a step."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import ActorOption, JsonOption, backend_settings, echo_json, fail, validate_file

app = typer.Typer(help="Shared quick steps: validate, list, apply.", no_args_is_help=True)

# An action's result in Dutch, the words the pane's result shows (``stap_uitkomst.html``);
# ``--json`` keeps the stored ones (done, failed, not_run).
ACTION_STATUS_LABELS = {"done": "gedaan", "failed": "mislukt", "not_run": "niet uitgevoerd"}


@app.command("validate")
def quicksteps_validate(
    file: Annotated[Path, typer.Argument(help="A quick-step YAML file.")],
) -> None:
    """Check a quick-step file; prints every problem with its line (exit 1 when there are any)."""
    from automations.plural import counted
    from automations.quicksteps.service import DefinitionError, parse

    validate_file(
        file, parse, DefinitionError,
        lambda found: counted(len(found.steps), "snelle stap", "snelle stappen"),
    )  # fmt: skip


@app.command("list")
def quicksteps_list(as_json: JsonOption = False) -> None:
    """The active set in the store, with what each step does."""
    import asyncio

    from automations.clock import local_today
    from automations.quicksteps.registry import describe
    from automations.quicksteps.service import active
    from automations.store import create_engine, session_factory
    from server.startup import prepare_store

    settings = backend_settings()

    async def read():  # noqa: ANN202
        await prepare_store(settings)
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine, clock=settings.make_clock())() as session:
                return await active(session)
        finally:
            await engine.dispose()

    steps = asyncio.run(read())
    if steps is None:
        fail("er zijn nog geen snelle stappen ingesteld", code=1)
    today = local_today(settings.make_clock())
    rows = [
        {
            "name": s.name,
            "shortcut": s.shortcut,
            "actions": [describe(a, today, set(), set()) for a in s.actions],
        }
        for s in steps.parsed.steps
    ]
    if as_json:
        echo_json({"version": steps.info.version, "steps": rows})
        return
    typer.echo(f"Versie {steps.info.version} ({steps.info.author})")
    for row in rows:
        typer.echo(f"{row['name']:32s} {row['shortcut'] or '':14s} {'; '.join(row['actions'])}")


@app.command("apply")
def quicksteps_apply(
    mailbox: Annotated[str, typer.Option(help="The executive's mailbox (UPN).")],
    message: Annotated[list[str], typer.Option(help="Message id (repeat for more).")],
    actor: ActorOption,
    step: Annotated[str, typer.Option(help="The quick step's name.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would change.")
    ] = False,
    operation_id: Annotated[
        str | None, typer.Option(help="Repeat a run by its id (resumes, never doubles).")
    ] = None,
    despite_claim: Annotated[
        bool,
        typer.Option(
            "--despite-claim", help="Go ahead although a colleague picked the mail up (audited)."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Apply (or preview) a quick step with the app's identity, checked as a click by ACTOR:
    her mailboxes, the step's users, and a colleague's claim (exit 4 unless --despite-claim)."""
    import asyncio
    import uuid
    from dataclasses import asdict

    from automations.errors import AppError
    from server.operator import quickstep_as_operator

    settings = backend_settings()
    operation = operation_id or str(uuid.uuid4())
    try:
        found = asyncio.run(
            quickstep_as_operator(
                settings,
                actor=actor,
                mailbox=mailbox,
                step=step,
                message_ids=message,
                dry_run=dry_run,
                operation_id=operation,
                despite_claim=despite_claim,
            )
        )
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else (4 if exc.status == 409 else 2))
    if dry_run:
        if as_json:
            echo_json(asdict(found))
            return
        for m in found.messages:
            typer.echo(f"{m['subject'] or m['id']}: " + "; ".join(m.get("changes") or [m["error"]]))
        return
    if as_json:
        echo_json({"operation_id": operation, "messages": [asdict(r) for r in found]})
        return
    failed = False
    for result in found:
        typer.echo(result.subject or result.id)
        for a in result.actions:
            failed |= a.status != "done"
            status = ACTION_STATUS_LABELS.get(a.status, a.status)
            typer.echo(f"  {status:16s} {a.label}{': ' + a.detail if a.detail else ''}")
    typer.echo(f"operatie {operation}")
    if failed:
        raise typer.Exit(4)
