"""``secretariaat templates``: validate a reply-template file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import validate_file

app = typer.Typer(help="Reply templates: validate.", no_args_is_help=True)


@app.command("validate")
def templates_validate(
    file: Annotated[Path, typer.Argument(help="A reply-template YAML file.")],
) -> None:
    """Check a template file; prints every problem with its line (exit 1 when there are any)."""
    from automations.plural import counted
    from automations.replies.service import TemplateError, parse

    validate_file(
        file, parse, TemplateError,
        lambda found: counted(len(found.templates), "sjabloon", "sjablonen"),
    )  # fmt: skip
