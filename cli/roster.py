"""``secretariaat roster``: check a roster file before it is loaded (SECRETARIAAT_ROSTER_FILE)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import validate_file

app = typer.Typer(help="The roster: validate.", no_args_is_help=True)


@app.command("validate")
def roster_validate(
    file: Annotated[Path, typer.Argument(help="A roster YAML file.")],
) -> None:
    """Check a roster file; prints every problem with its line (exit 1 when there are any)."""
    from automations.plural import counted
    from automations.roster.service import RosterError, parse_roster_text

    validate_file(
        file, parse_roster_text, RosterError,
        lambda found: counted(len(found.members), "teamlid", "teamleden"),
    )  # fmt: skip
