"""``secretariaat mailboxes``: inbox counts with the app's identity, as an operator."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import ActorOption, JsonOption, backend_settings, echo_json, fail


def mailboxes(
    actor: ActorOption,
    mailbox: Annotated[str | None, typer.Option(help="Only this executive's mailbox.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Inbox counts of the mailboxes ACTOR works in (app identity, roster-checked, audited)."""
    import asyncio
    from dataclasses import asdict

    from automations.errors import AppError
    from server.operator import run_as_operator

    settings = backend_settings()
    try:
        found = asyncio.run(run_as_operator(settings, actor=actor, mailbox=mailbox))
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else 2)
    if as_json:
        echo_json([asdict(m) for m in found])
        return
    for m in found:
        typer.echo(f"{m.display_name:24s} {m.upn:36s} ongelezen {m.unread:4d} / {m.total:4d}")
