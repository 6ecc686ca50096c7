"""``secretariaat agenda``: an executive's agenda: the calamity clear of a time window."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from automations.calamity.models import ClearGroup
    from server.operator import Operator

from cli.common import ActorOption, JsonOption, echo_json, fail, run_flow

app = typer.Typer(help="An executive's agenda: calamity clear.", no_args_is_help=True)

# A clear's status in Dutch (``--json`` keeps the stored word: preview, running, …).
CLEAR_STATUS_LABELS = {
    "preview": "voorbeeld, nog niets gewijzigd",
    "running": "bezig",
    "interrupted": "onderbroken",
    "done": "klaar",
    "failed": "mislukt",
}


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
    mailbox: Annotated[
        list[str], typer.Option(help="The executive's mailbox (UPN); repeat for several.")
    ],
    actor: ActorOption,
    start: Annotated[
        str | None, typer.Option(help="Start of the window (ISO; local time if no zone).")
    ] = None,
    end: Annotated[str | None, typer.Option(help="End of the window.")] = None,
    window: Annotated[
        str | None,
        typer.Option(
            help="A quick choice instead: vanmiddag, vandaag, morgenochtend, morgen, week."
        ),
    ] = None,
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
    """Cancel, decline and remove what is in the window, as ACTOR (her front or back office).
    With several --mailbox, each executive's agenda is cleared in the same go."""
    from dataclasses import asdict

    from automations.calamity import flows
    from automations.calamity.models import (
        CANCEL_MESSAGE,
        DECLINE_MESSAGE,
        by_day,
        group_of,
    )
    from server.routes.calamity import clear_settings

    moments = (
        _moment(start, "--start") if start else None,
        _moment(end, "--end") if end else None,
    )

    async def work(op: Operator) -> ClearGroup:
        who = op.actor(actor)
        begin, until = flows.clear_window(op.deps, choice=window, start=moments[0], end=moments[1])
        settings = clear_settings(op.settings)
        operation = operation_id or str(uuid.uuid4())

        async def look(operation: str | None) -> ClearGroup:
            if len(mailbox) > 1:
                return await flows.preview_clears(
                    op.deps, op.graph, who, mailboxes=mailbox, start=begin, end=until,
                    settings=settings, operation_id=operation,
                )  # fmt: skip
            report = await flows.preview_clear(
                op.deps, op.graph, who, mailbox=mailbox[0], start=begin, end=until,
                settings=settings, operation_id=operation,
            )  # fmt: skip
            return group_of(report.operation_id, [report])

        async def clear() -> ClearGroup:
            cancel, decline = comment or CANCEL_MESSAGE, comment or DECLINE_MESSAGE
            if len(mailbox) > 1:
                return await flows.execute_clears(
                    op.deps, op.graph, who, mailboxes=mailbox, start=begin, end=until,
                    settings=settings, operation_id=operation, cancel_message=cancel,
                    decline_message=decline,
                )  # fmt: skip
            report = await flows.execute_clear(
                op.deps, op.graph, who, mailbox=mailbox[0], start=begin, end=until,
                settings=settings, operation_id=operation, cancel_message=cancel,
                decline_message=decline,
            )  # fmt: skip
            return group_of(report.operation_id, [report])

        if dry_run:  # kept under its id: "--operation-id" then clears exactly this
            return await look(operation_id)
        try:
            return await clear()
        except flows.PreviewFirst:  # a script looks and clears in one go: preview, then clear
            await look(operation)
            return await clear()

    group = run_flow(work)
    if as_json:  # one executive: her report, as before; several: the group with a report each
        echo_json(asdict(group.reports[0] if len(group.reports) == 1 else group))
    else:
        for report in group.reports:
            if len(group.reports) > 1:
                typer.echo(f"== {report.mailbox}")
            for day, items in by_day(report.items):
                typer.echo(day)
                for item in items:
                    when = "hele dag" if item.all_day else item.start[11:16]
                    why = f"  ({item.reason})" if item.action == "keep" or dry_run else ""
                    typer.echo(f"  {when:8s} {item.outcome:18s} {item.subject}{why}")
            status = CLEAR_STATUS_LABELS.get(report.status, report.status)
            typer.echo(f"operatie {report.operation_id}: {status}")
            if report.notice_note:
                typer.echo(report.notice_note)
    if group.status not in ("preview", "done"):
        raise typer.Exit(4)
