"""``secretariaat jobs``: the scheduled jobs: list them, run one now."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.common import JsonOption, backend_settings, echo_json, fail

app = typer.Typer(help="Scheduled jobs: list, run one now.", no_args_is_help=True)


@app.command("list")
def jobs_list(as_json: JsonOption = False) -> None:
    """The jobs, their schedules and what each does."""
    from automations.jobs.catalog import JOBS

    rows = [{"name": j.name, "cron": j.cron, "description": j.description} for j in JOBS.values()]
    if as_json:
        echo_json({"jobs": rows})
        return
    for r in rows:
        typer.echo(f"{r['name']:22s} {r['cron']:20s} {r['description']}")


@app.command("run")
def jobs_run(
    name: Annotated[str, typer.Argument(help="The job's name (see 'jobs list').")],
    mailbox: Annotated[str | None, typer.Option(help="Only this executive's mailbox.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what it would do.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run a job once now with the app's identity (for system cron or a Kubernetes CronJob)."""
    import asyncio
    from dataclasses import asdict

    from automations.errors import AppError
    from server.operator import run_job_as_app

    settings = backend_settings()
    try:
        report = asyncio.run(run_job_as_app(settings, name, mailbox=mailbox, dry_run=dry_run))
    except AppError as exc:
        fail(exc.message)
    assert report is not None
    if as_json:  # for programs: the stored words (done, timed_out, released), as before
        echo_json(asdict(report))
    else:
        _show(report)
    if report.status != "done":  # a mailbox failed, was out of scope or timed out
        raise typer.Exit(4)


def _show(report: Any) -> None:
    """A run for people: per mailbox its status and counts in Dutch, then the run's line."""
    from automations.jobs.catalog import counts_text, label_of, mailbox_status_label, status_label
    from automations.plural import counted

    for m in report.mailboxes:
        line = f"{m['mailbox']:36s} {mailbox_status_label(m['status']):14s} "
        line += counts_text(m["counts"]) or "niets te doen"
        typer.echo(line + (f"  {m['error']}" if m["error"] else ""))
        for action in m["actions"]:
            typer.echo(f"    {action}")
    late = [m["mailbox"] for m in report.mailboxes if m["status"] == "timed_out"]
    if late:
        typer.echo(f"Time-out voor {', '.join(late)}: de volgende run maakt het af.")
    seconds = f"{report.duration_s or 0:.1f}".replace(".", ",")
    mailboxes = counted(len(report.mailboxes), "postvak", "postvakken")
    failed = sum(1 for m in report.mailboxes if m["status"] != "ok")
    tally = f"{mailboxes}, {failed} mislukt" if failed else mailboxes
    typer.echo(
        f"{label_of(report.job)} ({report.job}): {status_label(report.status)} in {seconds} s"
        f" ({tally})"
    )
