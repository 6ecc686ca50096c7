"""``secretariaat post``: an executive's mail nobody has handled yet (Postverwerking)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import ActorOption, JsonOption, echo_json, fail, run_flow


def post(
    mailbox: Annotated[str, typer.Argument(help="The executive's mailbox.")],
    actor: ActorOption,
    since: Annotated[
        str | None, typer.Option(help="From this moment (ISO 8601 with time zone).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The mail in MAILBOX's Inbox that nobody has handled yet, and who handled the rest."""
    import datetime as dt

    from automations.processing import flows
    from server.routes.processing import list_json

    moment = None
    if since is not None:
        try:
            moment = dt.datetime.fromisoformat(since)
        except ValueError:
            fail(f"--since: geen moment: {since!r} (bijv. 2026-11-24T08:00:00+01:00)")
        if moment.tzinfo is None:
            fail("--since: geef de tijdzone mee (bijv. +01:00).")

    async def work(op):  # noqa: ANN001, ANN202 - the CLI's Operator
        me = op.actor(actor)
        found = await flows.unhandled(op.deps, op.graph, me, mailbox=mailbox, since=moment)
        return found, me.roster.names

    found, names = run_flow(work)
    body = list_json(found, names)
    if as_json:
        echo_json(body)
        return
    from automations.plural import counted

    who = names.get(found.mailbox, found.mailbox)
    typer.echo(f"{who}: {counted(body['count'], 'bericht', 'berichten')} nog niet verwerkt"
               f" sinds {_local(found.since)}")  # fmt: skip
    for m in body["unhandled"]:
        typer.echo(f"  {_local(m['received'])}  {m['from'][:28]:28s}  {m['subject']}")
    if body["handled"]:
        typer.echo("Verwerkt, nog in het postvak:")
    for m in body["handled"]:
        h = m["handled"]
        by = f" door {h['by_name']}" if h["by_name"] else ""
        typer.echo(f"  {_local(m['received'])}  {m['subject']}  ({h['label']}{by})")


def _local(moment: object) -> str:
    import datetime as dt

    from automations.dates import AMSTERDAM

    at = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    assert isinstance(at, dt.datetime)
    return at.astimezone(AMSTERDAM).strftime("%d-%m %H:%M")
