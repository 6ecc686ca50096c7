"""``secretariaat agenda``: an executive's agenda: the calamity clear of a time window."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from automations.calamity.models import ClearReport
    from server.operator import Operator

from cli.common import ActorOption, JsonOption, echo_json, fail, run_flow

app = typer.Typer(help="An executive's agenda: calamity clear.", no_args_is_help=True)


def _moment(value: str, what: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"{what}: geen geldig tijdstip {value!r} (bijvoorbeeld 2026-11-24T14:00+01:00)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    return moment


@app.command("clear")
def agenda_clear(
    mailbox: Annotated[str, typer.Option(help="The executive's mailbox (UPN).")],
    start: Annotated[str, typer.Option(help="Start of the window (ISO; local time if no zone).")],
    end: Annotated[str, typer.Option(help="End of the window.")],
    actor: ActorOption,
    comment: Annotated[
        str | None, typer.Option(help="The message to attendees (default: the Dutch template).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would happen.")
    ] = False,
    operation_id: Annotated[
        str | None, typer.Option(help="Run (or finish) the clear under this id.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel, decline and remove what is in the window, as ACTOR (her front or back office)."""
    from dataclasses import asdict

    from automations.calamity import flows
    from automations.calamity.models import CANCEL_MESSAGE, DECLINE_MESSAGE
    from server.routes.calamity import clear_settings

    window = (_moment(start, "--start"), _moment(end, "--end"))

    async def work(op: Operator) -> ClearReport:
        who = op.actor(actor)
        common = {"mailbox": mailbox, "start": window[0], "end": window[1],
                  "settings": clear_settings(op.settings)}  # fmt: skip
        if dry_run:  # kept under its id: "--operation-id" then clears exactly this
            return await flows.preview_clear(op.deps, op.graph, who, operation_id=operation_id,
                                             **common)  # fmt: skip
        operation = operation_id or str(uuid.uuid4())
        messages = {"cancel_message": comment or CANCEL_MESSAGE,
                    "decline_message": comment or DECLINE_MESSAGE}  # fmt: skip
        try:
            return await flows.execute_clear(op.deps, op.graph, who, operation_id=operation,
                                             **messages, **common)  # fmt: skip
        except flows.PreviewFirst:  # a script looks and clears in one go: preview, then clear
            await flows.preview_clear(op.deps, op.graph, who, operation_id=operation, **common)
            return await flows.execute_clear(op.deps, op.graph, who, operation_id=operation,
                                             **messages, **common)  # fmt: skip

    report = run_flow(work)
    if as_json:
        echo_json(asdict(report))
    else:
        for item in report.items:
            status = "" if dry_run else f"  [{item.status}]"
            line = f"{item.start[:16]}  {item.action:8s} {item.subject}  ({item.reason})"
            typer.echo(line + status)
        typer.echo(f"operatie {report.operation_id}: {report.status}")
        if report.notice_note:
            typer.echo(report.notice_note)
    if report.status not in ("preview", "done"):
        raise typer.Exit(4)
