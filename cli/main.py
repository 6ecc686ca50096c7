"""``secretariaat``: one entry point for the sandbox, the backend and operator tasks.

Every command exits non-zero with one readable line on bad input. The commands live in one module
per group (``cli/<group>.py``, shared options and helpers in ``cli/common.py``); this module
builds the app from them. Commands import what they need when they run, so ``--help`` stays fast.
"""

from __future__ import annotations

import logging

import typer

from cli import (
    addin,
    agenda,
    approvals,
    db,
    doctor,
    jobs,
    mailboxes,
    meetings,
    planning,
    processing,
    quicksteps,
    roster,
    serving,
    templates,
)

app = typer.Typer(
    help="Secretariaat: Outlook-add-in en backend voor het bestuurssecretariaat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Single commands, in the order --help lists them.
app.command()(serving.sandbox)
app.command()(serving.serve)
app.command()(serving.demo)
app.command()(serving.worker)
app.command()(mailboxes.mailboxes)
app.command()(processing.post)
app.command("sandbox-info")(serving.sandbox_info)
app.command()(doctor.doctor)

# Command groups: ``secretariaat <group> <command>``.
app.add_typer(db.app, name="db")
app.add_typer(addin.app, name="addin")
app.add_typer(quicksteps.app, name="quicksteps")
app.add_typer(templates.app, name="templates")
app.add_typer(roster.app, name="roster")
app.add_typer(approvals.app, name="approvals")
app.add_typer(agenda.app, name="agenda")
app.add_typer(meetings.app, name="meetings")
app.add_typer(planning.app, name="plan")
app.add_typer(jobs.app, name="jobs")


def main() -> None:
    """The console entry point: usage errors become one line, as for every other failure."""
    import sys

    from typer.exceptions import TyperException

    # A command's outcome is its one line on stderr; library warnings (a journal step refused,
    # a retry) are for the server's log, which ``serve`` and ``demo`` configure.
    logging.getLogger().addHandler(logging.NullHandler())
    try:
        code = app(standalone_mode=False)
    except TyperException as exc:  # usage errors and bad parameters (typer's own click)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if message:  # empty when a group was called without a command: its help was shown
            typer.echo(f"fout: {message}", err=True)
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except typer.Abort:
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
